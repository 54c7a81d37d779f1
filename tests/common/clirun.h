#pragma once

// The built chainsight-cli run as a user runs it, for the tests of its commands; and the shipped demo pair.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace clitest {

struct Run {
    int exitCode = -1; // -1: it crashed or did not finish in time
    QByteArray out;
    QByteArray err;
};

inline Run runCli(const QStringList& args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(QStringLiteral(CHAINSIGHT_BINARY_DIR "/app/chainsight-cli"), args);
    Run run;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return run;
    }
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    return run;
}

// One command: runCli({command} + args).
inline Run runCommand(const QString& command, const QStringList& args, int timeoutMs = 60000)
{
    return runCli(QStringList { command } + args, timeoutMs);
}

inline QString demo(const char* name)
{
    return QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromLatin1(name);
}

inline QStringList demoPair() { return { demo("before.chainsight.json"), demo("after.chainsight.json") }; }

} // namespace clitest
