#include "app/cli/commands.h"

#include <QCoreApplication>
#include <QTextStream>

#include <functional>
#include <map>

namespace {

struct Command {
    std::function<int(const QStringList&)> run;
    const char* summary;
};

const std::map<QString, Command>& commands()
{
    static const std::map<QString, Command> table {
        { QStringLiteral("import"), { cli::importCommand, "turn a raw dump file or a folder of raw files into a snapshot" } },
        { QStringLiteral("show"), { cli::showCommand, "summarise a snapshot" } },
        { QStringLiteral("trace"), { cli::traceCommand, "trace one packet through a snapshot's rules" } },
        { QStringLiteral("snapshot"), { cli::snapshotCommand, "take a snapshot of a server over SSH" } },
        { QStringLiteral("diff"), { cli::diffCommand, "the flows whose fate changed between two snapshots" } },
        { QStringLiteral("findings"), { cli::findingsCommand, "diagnose a snapshot (against a before snapshot)" } },
        { QStringLiteral("fix"), { cli::fixCommand, "generate a verified remediation script" } },
        { QStringLiteral("preview"), { cli::previewCommand, "predict the ruleset another Docker version writes" } },
    };
    return table;
}

int usage(QTextStream& out)
{
    out << "usage: chainsight-cli <command> [options]\n\ncommands:\n";
    for (const auto& [name, cmd] : commands())
        out << "  " << name.leftJustified(10) << QString::fromLatin1(cmd.summary) << '\n';
    out << "\nchainsight-cli <command> --help describes a command.\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("chainsight-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHAINSIGHT_VERSION));
    QTextStream err(stderr);
    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty())
        return usage(err);
    const QString name = args.takeFirst();
    if (name == QLatin1String("--version")) {
        QTextStream(stdout) << "chainsight-cli " << CHAINSIGHT_VERSION << '\n';
        return 0;
    }
    if (name == QLatin1String("--help") || name == QLatin1String("-h")) {
        QTextStream out(stdout);
        usage(out);
        return 0;
    }
    const auto it = commands().find(name);
    if (it == commands().end()) {
        err << "chainsight-cli: unknown command '" << name << "'\n";
        return usage(err);
    }
    return it->second.run(args);
}
