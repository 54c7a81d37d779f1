// chainsight-cli show: a summary of a snapshot file (or of any input `import` accepts).
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "app/cli/snapshotsummary.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <iostream>

namespace cli {

int showCommand(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Summarises a snapshot: rulesets, Docker state, what is unknown or truncated."));
    parser.addPositionalArgument(QStringLiteral("snapshot"), QStringLiteral("a *.chainsight.json (or a raw dump file or folder)"));
    parser.addOption({ QStringLiteral("format"), QStringLiteral("text (default) or json"), QStringLiteral("format"), QStringLiteral("text") });
    parser.addHelpOption();
    if (const auto exit = parseCommandLine(parser, "show", args, err))
        return *exit;
    const QString format = parser.value(QStringLiteral("format"));
    if (parser.positionalArguments().size() != 1 || (format != QLatin1String("text") && format != QLatin1String("json"))) {
        err << "usage: chainsight-cli show <snapshot.chainsight.json> [--format text|json]\n";
        return 2;
    }
    const model::SnapshotPtr loaded = loadInput(parser.positionalArguments().front(), "show", err);
    if (!loaded)
        return 2;
    const auto summary = snapshotSummary(*loaded);
    if (format == QLatin1String("json"))
        std::cout << summary.dump(2) << '\n';
    else
        std::cout << summaryText(summary);
    return std::cout.good() ? 0 : 2;
}

} // namespace cli
