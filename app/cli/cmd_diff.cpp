// chainsight-cli diff: the connection attempts whose fate differs between two snapshots, then the rule changes.
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "app/cli/diffprint.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <iostream>

namespace cli {

using namespace model::engine;

namespace {

void addOptions(QCommandLineParser& p)
{
    p.setApplicationDescription(QStringLiteral(
        "Compares two snapshots of one host and lists, exactly, every class of connection attempts (first packet "
        "of a connection and its reply) whose fate differs, with the rule that decided it before and after, then "
        "the rule-level changes. Newly opened flows are flagged as security changes."));
    p.addPositionalArgument(QStringLiteral("before"), QStringLiteral("the earlier *.chainsight.json (or raw dump)"));
    p.addPositionalArgument(QStringLiteral("after"), QStringLiteral("the later *.chainsight.json (or raw dump)"));
    p.addOption({ QStringLiteral("format"), QStringLiteral("text (default), json or md"), QStringLiteral("format") });
    p.addOption({ QStringLiteral("exit-code"), QStringLiteral("exit 1 when any flow changed fate, 0 when none did") });
    p.addHelpOption();
}

} // namespace

int diffCommand(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    addOptions(parser);
    if (const auto exit = parseCommandLine(parser, "diff", args, err))
        return *exit;
    const QString format
        = parser.isSet(QStringLiteral("format")) ? parser.value(QStringLiteral("format")) : QStringLiteral("text");
    const QStringList files = parser.positionalArguments();
    if (files.size() != 2
        || (format != QLatin1String("text") && format != QLatin1String("json") && format != QLatin1String("md"))) {
        err << "chainsight-cli diff: bad arguments\n"
            << "usage: chainsight-cli diff <before> <after> [--format text|json|md] [--exit-code]\n";
        return 2;
    }
    std::shared_ptr<const Engine> engines[2];
    for (int i = 0; i < 2; ++i) {
        const model::SnapshotPtr loaded = loadInput(files[i], "diff", err);
        if (!loaded)
            return 2;
        engines[i] = Engine::fromSnapshot(*loaded);
    }
    const auto diff = model::diff::computeFlowDiff(*engines[0], *engines[1]);
    if (!diff) {
        err << "chainsight-cli diff: cancelled\n";
        return 2;
    }
    const DiffReport report { *diff, *engines[0], *engines[1], files[0].toStdString(), files[1].toStdString() };
    if (format == QLatin1String("json"))
        std::cout << diffJson(report).dump(2) << '\n';
    else if (format == QLatin1String("md"))
        std::cout << diffMarkdown(report);
    else
        std::cout << diffText(report);
    if (!std::cout.good())
        return 2;
    return parser.isSet(QStringLiteral("exit-code")) && diff->changed() ? 1 : 0;
}

} // namespace cli
