// chainsight-cli import: a raw dump file, a folder of raw dumps or a snapshot file -> a *.chainsight.json.
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "model/importer.h"
#include "model/snapshotfile.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <iostream>

namespace cli {

namespace {

struct ImportRequest {
    QString input;
    QString output;
    QStringList synthetic; // file names whose origin is marked as made up for a demo
    QString label;
    QString hostname;
    QString takenAt;
    QString takenFrom;
};

void describe(QCommandLineParser& parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Reads a raw dump (iptables-save, iptables -S/-L, ipset save, docker/ip JSON, resolv.conf, daemon.json, sysctl),\n"
        "a folder of such files (each file's kind is detected from its content) or a snapshot file, and writes a snapshot."));
    parser.addPositionalArgument(QStringLiteral("input"), QStringLiteral("a dump file, a folder of dumps or a *.chainsight.json"));
    parser.addOption({ { QStringLiteral("o"), QStringLiteral("output") }, QStringLiteral("snapshot file to write ('-': standard output)"), QStringLiteral("file") });
    parser.addOption({ QStringLiteral("label"), QStringLiteral("free text shown with the snapshot"), QStringLiteral("text") });
    parser.addOption({ QStringLiteral("hostname"), QStringLiteral("the host the dumps come from"), QStringLiteral("name") });
    parser.addOption({ QStringLiteral("taken-at"), QStringLiteral("when the dumps were taken (ISO 8601 UTC)"), QStringLiteral("time") });
    parser.addOption({ QStringLiteral("taken-from"), QStringLiteral("where the dumps come from (default: \"import <input>\")"), QStringLiteral("text") });
    parser.addOption({ QStringLiteral("synthetic"),
        QStringLiteral("mark the source read from this file name as made up (origin \"demo: synthetic (<name>)\"); repeatable"),
        QStringLiteral("file-name") });
    parser.addHelpOption();
}

std::optional<ImportRequest> readArguments(const QStringList& args, QTextStream& err, bool& helpShown)
{
    QCommandLineParser parser;
    describe(parser);
    if (const auto exit = parseCommandLine(parser, "import", args, err)) {
        helpShown = *exit == 0;
        return std::nullopt;
    }
    ImportRequest request;
    const QStringList positional = parser.positionalArguments();
    request.output = parser.value(QStringLiteral("output"));
    if (positional.size() != 1 || request.output.isEmpty()) {
        err << "usage: chainsight-cli import <file-or-folder> -o <snapshot.chainsight.json>\n";
        return std::nullopt;
    }
    request.input = positional.front();
    request.synthetic = parser.values(QStringLiteral("synthetic"));
    request.label = parser.value(QStringLiteral("label"));
    request.hostname = parser.value(QStringLiteral("hostname"));
    request.takenAt = parser.value(QStringLiteral("taken-at"));
    request.takenFrom = parser.value(QStringLiteral("taken-from"));
    return request;
}

model::Snapshot adjusted(const model::Snapshot& imported, const ImportRequest& request)
{
    model::Snapshot snapshot = imported;
    if (!request.label.isEmpty())
        snapshot.meta.label = request.label.toStdString();
    if (!request.hostname.isEmpty())
        snapshot.meta.hostname = request.hostname.toStdString();
    if (!request.takenAt.isEmpty())
        snapshot.meta.takenAt = request.takenAt.toStdString();
    if (!request.takenFrom.isEmpty())
        snapshot.meta.takenFrom = request.takenFrom.toStdString();
    for (auto& source : snapshot.sources)
        if (request.synthetic.contains(QString::fromStdString(source.origin)))
            source.origin = "demo: synthetic (" + source.origin + ')';
    return snapshot;
}

} // namespace

int importCommand(const QStringList& args)
{
    QTextStream err(stderr);
    bool helpShown = false;
    const auto request = readArguments(args, err, helpShown);
    if (!request)
        return helpShown ? 0 : 2;
    const model::SnapshotPtr imported = loadInput(request->input, "import", err);
    if (!imported)
        return 2;
    const model::Snapshot snapshot = adjusted(*imported, *request);
    if (request->output == QLatin1String("-")) {
        std::cout << model::snapshotToJson(snapshot);
        return std::cout.good() ? 0 : 2;
    }
    const auto saved = model::saveSnapshotFile(snapshot, request->output);
    if (!saved) {
        err << "chainsight-cli import: " << QString::fromStdString(saved.error().toString()) << '\n';
        return 2;
    }
    err << "wrote " << request->output << ": " << snapshot.sources.size() << " sources";
    if (!snapshot.notes.empty())
        err << ", " << snapshot.notes.size() << " notes (chainsight-cli show lists them)";
    err << '\n';
    return 0;
}

} // namespace cli
