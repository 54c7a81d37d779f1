#include "app/cli/commandline.h"

#include "model/importer.h"

namespace cli {

QString commandHelp(const QCommandLineParser& parser, const char* command)
{
    // Qt names the program as it was started (a path); users type it as "chainsight-cli <command>".
    QString help = parser.helpText();
    const QString usage = QStringLiteral("Usage: ");
    if (help.startsWith(usage)) {
        const qsizetype end = help.indexOf(QLatin1Char(' '), usage.size());
        help.replace(0, end < 0 ? help.size() : end, usage + QStringLiteral("chainsight-cli ") + QLatin1String(command));
    }
    return help;
}

std::optional<int> parseCommandLine(
    QCommandLineParser& parser, const char* command, const QStringList& args, QTextStream& err)
{
    if (!parser.parse(QStringList { QStringLiteral("chainsight-cli ") + QLatin1String(command) } + args)) {
        err << "chainsight-cli " << command << ": " << parser.errorText() << '\n';
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << commandHelp(parser, command);
        return 0;
    }
    return std::nullopt;
}

model::SnapshotPtr loadInput(const QString& path, const char* command, QTextStream& err)
{
    auto loaded = model::importPath(path);
    if (!loaded) {
        err << "chainsight-cli " << command << ": " << QString::fromStdString(loaded.error().toString()) << " ["
            << model::errorCodeName(loaded.error().code) << "]\n";
        return nullptr;
    }
    return loaded.value();
}

} // namespace cli
