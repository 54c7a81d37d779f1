// chainsight-cli findings: what a snapshot's rules do to its containers, in Docker's terms, with fixes.
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "app/cli/findingsprint.h"
#include "model/findings/findingsjson.h"

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

} // namespace

int findingsCommand(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    addOptions(parser);
    if (const auto exit = parseCommandLine(parser, "findings", args, err))
        return *exit;
    const QString format
        = parser.isSet(QStringLiteral("format")) ? parser.value(QStringLiteral("format")) : QStringLiteral("text");
    if (parser.positionalArguments().size() != 1
        || (format != QLatin1String("text") && format != QLatin1String("json") && format != QLatin1String("md"))) {
        err << "usage: chainsight-cli findings <snapshot> [--against <before>] [--format text|json|md]\n";
        return 2;
    }
    const QString afterPath = parser.positionalArguments().front();
    const model::SnapshotPtr after = loadInput(afterPath, "findings", err);
    model::SnapshotPtr before;
    if (!after
        || (parser.isSet(QStringLiteral("against")) && !(before = loadInput(parser.value(QStringLiteral("against")), "findings", err))))
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
