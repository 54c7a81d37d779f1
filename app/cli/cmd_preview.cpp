// chainsight-cli preview: the ruleset another Docker release would write on the host of a snapshot.
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "model/predict/upgradepreview.h"
#include "model/snapshotfile.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

#include <nlohmann/json.hpp>

#include <iostream>

namespace cli {

namespace {

struct PreviewArgs {
    QString input;
    QString output;
    QString to;
    QString format;
    bool inPlace = false;
    bool commands = false;
};

std::optional<PreviewArgs> readArguments(const QStringList& args, QTextStream& err, bool& helpShown)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Predicts the iptables rules a Docker release writes on the host of a snapshot (fresh boot, or "
                       "an in-place\n"
                       "upgrade without reboot) and writes them as a predicted snapshot to diff against the snapshot.\n"
                       "Known lines: ")
        + QString::fromStdString(model::predict::supportedLinesText()));
    parser.addPositionalArgument(
        QStringLiteral("snapshot"), QStringLiteral("a *.chainsight.json (or a raw dump file or folder)"));
    parser.addOption({ QStringLiteral("to"), QStringLiteral("the Docker release to predict, e.g. 28.5.2"),
        QStringLiteral("version") });
    parser.addOption({ QStringLiteral("in-place"),
        QStringLiteral("upgrade the running daemon without a reboot (default: fresh boot)") });
    parser.addOption({ { QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("predicted snapshot to write ('-': standard output)"), QStringLiteral("file") });
    parser.addOption({ QStringLiteral("format"), QStringLiteral("report on standard output: text (default) or json"),
        QStringLiteral("format"), QStringLiteral("text") });
    parser.addOption(
        { QStringLiteral("commands"), QStringLiteral("list the iptables commands the daemon runs, in order") });
    parser.addHelpOption();
    if (const auto exit = parseCommandLine(parser, "preview", args, err)) {
        helpShown = *exit == 0;
        return std::nullopt;
    }
    PreviewArgs a;
    a.to = parser.value(QStringLiteral("to"));
    a.output = parser.value(QStringLiteral("output"));
    a.format = parser.value(QStringLiteral("format"));
    a.inPlace = parser.isSet(QStringLiteral("in-place"));
    a.commands = parser.isSet(QStringLiteral("commands"));
    if (parser.positionalArguments().size() != 1 || a.to.isEmpty()
        || (a.format != QLatin1String("text") && a.format != QLatin1String("json"))) {
        err << "usage: chainsight-cli preview <snapshot> --to <version> [--in-place] [-o predicted.chainsight.json]"
               " [--format text|json] [--commands]\n";
        return std::nullopt;
    }
    a.input = parser.positionalArguments().front();
    return a;
}

void printReport(const PreviewArgs& a, const model::predict::DockerRelease& release, const model::Snapshot& predicted,
    const model::predict::PreviewResult& details)
{
    if (a.format == QLatin1String("json")) {
        nlohmann::json j { { "target", release.text() }, { "line", model::predict::lineName(release.line) },
            { "inPlace", a.inPlace }, { "takenFrom", predicted.meta.takenFrom }, { "notes", details.notes } };
        if (a.commands)
            j["commands"] = details.commands;
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::cout << predicted.meta.label << " (line " << model::predict::lineName(release.line) << ")\n"
              << predicted.meta.takenFrom << '\n';
    std::cout << "IPv4: " << (predicted.ipv4 ? predicted.ipv4->ruleCount() : 0) << " rules";
    if (predicted.ipv6)
        std::cout << ", IPv6: " << predicted.ipv6->ruleCount() << " rules";
    std::cout << '\n';
    for (const auto& n : details.notes)
        std::cout << "note: " << n << '\n';
    if (a.commands)
        for (const auto& c : details.commands)
            std::cout << c << '\n';
}

} // namespace

int previewCommand(const QStringList& args)
{
    QTextStream err(stderr);
    bool helpShown = false;
    const auto a = readArguments(args, err, helpShown);
    if (!a)
        return helpShown ? 0 : 2;
    const auto release = model::predict::parseDockerRelease(a->to.toStdString());
    if (!release) {
        err << "chainsight-cli preview: " << QString::fromStdString(release.error().message) << '\n';
        return 2;
    }
    const model::SnapshotPtr loaded = loadInput(a->input, "preview", err);
    if (!loaded)
        return 2;
    model::predict::PreviewResult details;
    const auto predicted
        = model::predict::predictSnapshot(*loaded, model::predict::PreviewRequest { *release, a->inPlace },
            QFileInfo(a->input).fileName().toStdString(), &details);
    if (!predicted) {
        err << "chainsight-cli preview: " << QString::fromStdString(predicted.error().toString()) << " ["
            << model::errorCodeName(predicted.error().code) << "]\n";
        return 2;
    }
    if (a->output == QLatin1String("-")) {
        std::cout << model::snapshotToJson(*predicted.value());
        return std::cout.good() ? 0 : 2;
    }
    if (!a->output.isEmpty()) {
        const auto saved = model::saveSnapshotFile(*predicted.value(), a->output);
        if (!saved) {
            err << "chainsight-cli preview: " << QString::fromStdString(saved.error().toString()) << '\n';
            return 2;
        }
        err << "wrote " << a->output << '\n';
    }
    printReport(*a, *release, *predicted.value(), details);
    return std::cout.good() ? 0 : 2;
}

} // namespace cli
