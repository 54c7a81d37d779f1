// chainsight-cli findings: what a snapshot's rules do to its containers, in Docker's terms, with fixes.
#include "app/cli/commands.h"

#include "app/cli/findingsprint.h"
#include "model/findings/findingsjson.h"
#include "model/importer.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

#include <iostream>

namespace cli {

namespace {

void addOptions(QCommandLineParser& p)
{
    p.setApplicationDescription(QStringLiteral(
        "Diagnoses a snapshot: traces the connections its containers, published ports, routed peers and nameservers "
        "depend on, checks the layout of Docker's chains, and reports each problem with its rules, the flows it "
        "breaks and the ways to fix it. With --against, flows are compared with the before snapshot."));
    p.addPositionalArgument(QStringLiteral("snapshot"), QStringLiteral("the snapshot to diagnose (after the upgrade)"));
    p.addOption(
        { QStringLiteral("against"), QStringLiteral("the snapshot from before the change"), QStringLiteral("before") });
    p.addOption({ QStringLiteral("format"), QStringLiteral("text (default), json or md"), QStringLiteral("format") });
    p.addHelpOption();
}

std::string subjectName(const QString& path, const model::Snapshot& s)
{
    std::string name = QFileInfo(path).fileName().toStdString();
    if (!s.meta.label.empty())
        name += " (" + s.meta.label + ")";
    return name;
}

model::SnapshotPtr load(const QString& path, QTextStream& err)
{
    auto loaded = model::importPath(path);
    if (!loaded) {
        err << "chainsight-cli findings: " << QString::fromStdString(loaded.error().toString()) << " ["
            << model::errorCodeName(loaded.error().code) << "]\n";
        return nullptr;
    }
    return loaded.value();
}

} // namespace

int findingsCommand(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(QStringList { QStringLiteral("chainsight-cli findings") } + args)) {
        err << "chainsight-cli findings: " << parser.errorText() << '\n';
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    const QString format
        = parser.isSet(QStringLiteral("format")) ? parser.value(QStringLiteral("format")) : QStringLiteral("text");
    if (parser.positionalArguments().size() != 1
        || (format != QLatin1String("text") && format != QLatin1String("json") && format != QLatin1String("md"))) {
        err << "usage: chainsight-cli findings <snapshot> [--against <before>] [--format text|json|md]\n";
        return 2;
    }
    const QString afterPath = parser.positionalArguments().front();
    const model::SnapshotPtr after = load(afterPath, err);
    model::SnapshotPtr before;
    if (!after
        || (parser.isSet(QStringLiteral("against")) && !(before = load(parser.value(QStringLiteral("against")), err))))
        return 2;
    const auto findings = model::findings::analyse(*after, before.get());
    FindingsSubject subject { subjectName(afterPath, *after),
        before ? subjectName(parser.value(QStringLiteral("against")), *before) : std::string() };
    if (format == QLatin1String("json")) {
        nlohmann::json names { { "after", subject.after } };
        names["before"] = before ? nlohmann::json(subject.before) : nlohmann::json(nullptr);
        std::cout << model::findings::findingsToJson(findings, names).dump(2) << '\n';
    } else {
        std::cout << (format == QLatin1String("md") ? findingsMarkdown(findings, subject)
                                                    : findingsText(findings, subject));
    }
    return std::cout.good() ? 0 : 2;
}

} // namespace cli
