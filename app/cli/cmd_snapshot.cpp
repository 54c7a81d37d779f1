// chainsight-cli snapshot [user@]host[:port] -o FILE: one SSH connection, the fixed read-only command list,
// the result saved atomically.
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "model/snapshotbuilder.h"
#include "model/snapshotfile.h"
#include "remote/snapshotcollector.h"
#include "remote/sshconfig.h"
#include "remote/sshhostsession.h"
#include "remote/target.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace cli {

namespace {

remote::CancelTokenPtr g_cancel;

void onInterrupt(int)
{
    if (g_cancel)
        g_cancel->cancel();
}

// Reads one line from the terminal with echo off; false when there is no terminal or no answer.
bool promptSecret(const std::string& prompt, remote::Secret& answer)
{
    if (isatty(STDIN_FILENO) == 0)
        return false;
    std::fputs(prompt.c_str(), stderr);
    std::fflush(stderr);
    termios saved {};
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    answer.clear();
    char c = 0;
    bool gotLine = false;
    while (read(STDIN_FILENO, &c, 1) == 1) {
        if (c == '\n' || c == '\r') {
            gotLine = true;
            break;
        }
        answer.append(c);
    }
    c = 0;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputs("\n", stderr);
    return gotLine && !answer.empty();
}

remote::HostKeyDecision askHostKey(const remote::HostKeyInfo& info, bool acceptNew)
{
    QTextStream err(stderr);
    err << "The authenticity of host '" << QString::fromStdString(info.host) << "' (port " << info.port
        << ") can't be established.\n"
        << QString::fromStdString(info.keyType) << " key fingerprint is " << QString::fromStdString(info.fingerprint)
        << ".\n";
    if (acceptNew) {
        err << "Accepted and saved to known_hosts (--accept-new-host-key).\n";
        return remote::HostKeyDecision::AcceptAndSave;
    }
    if (isatty(STDIN_FILENO) == 0) {
        err << "Not accepted: no terminal to ask on. Check the fingerprint, then use --accept-new-host-key.\n";
        return remote::HostKeyDecision::Reject;
    }
    err << "Accept it? [no / once / save]: ";
    err.flush();
    QTextStream in(stdin);
    const QString answer = in.readLine().trimmed().toLower();
    if (answer == QLatin1String("save") || answer == QLatin1String("yes"))
        return remote::HostKeyDecision::AcceptAndSave;
    if (answer == QLatin1String("once"))
        return remote::HostKeyDecision::AcceptOnce;
    return remote::HostKeyDecision::Reject;
}

remote::SessionCallbacks terminalCallbacks(bool acceptNew)
{
    remote::SessionCallbacks callbacks;
    callbacks.unknownHostKey = [acceptNew](const remote::HostKeyInfo& info) { return askHostKey(info, acceptNew); };
    callbacks.keyPassphrase
        = [](const std::string& prompt, remote::Secret& answer) { return promptSecret(prompt, answer); };
    callbacks.password
        = [](const std::string& prompt, bool, remote::Secret& answer) { return promptSecret(prompt, answer); };
    callbacks.sudoPassword
        = [](const std::string& prompt, remote::Secret& answer) { return promptSecret(prompt, answer); };
    callbacks.progressed = [](int step, int total, const std::string& label) {
        QTextStream(stderr) << '[' << step << '/' << total << "] " << QString::fromStdString(label) << '\n';
    };
    return callbacks;
}

struct SnapshotArguments {
    remote::ConnectOptions connect;
    QString output;
    bool acceptNew = false;
};

int usageError(const QString& message)
{
    QTextStream(stderr) << "chainsight-cli snapshot: " << message << "\n"
                        << "usage: chainsight-cli snapshot [user@]host[:port] -o FILE [--ssh-config FILE] "
                           "[-i IDENTITY] [-J [user@]host[:port][,...]] [--accept-new-host-key] [--timeout SECONDS] "
                           "[--known-hosts FILE]\n";
    return 2;
}

std::optional<SnapshotArguments> parseArguments(const QStringList& args, int& exitCode)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Take a snapshot of a server's firewall over SSH (read-only commands)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("target"), QStringLiteral("[user@]host[:port] or an ssh config alias"));
    const QCommandLineOption output({ QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("Snapshot file to write."), QStringLiteral("FILE"));
    const QCommandLineOption config(QStringLiteral("ssh-config"),
        QStringLiteral("ssh config file instead of ~/.ssh/config."), QStringLiteral("FILE"));
    const QCommandLineOption identity(
        QStringLiteral("i"), QStringLiteral("Private key file."), QStringLiteral("IDENTITY"));
    const QCommandLineOption acceptNew(QStringLiteral("accept-new-host-key"),
        QStringLiteral("Accept and save an unknown host key (never a changed one)."));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
        QStringLiteral("Seconds allowed for connecting and for each command (default 20 / 120)."),
        QStringLiteral("SECONDS"));
    const QCommandLineOption knownHosts(QStringLiteral("known-hosts"),
        QStringLiteral("known_hosts file instead of ~/.ssh/known_hosts."), QStringLiteral("FILE"));
    const QCommandLineOption jump({ QStringLiteral("J"), QStringLiteral("jump") },
        QStringLiteral("Connect through these jump hosts, as ssh -J (default: the ssh config's ProxyJump; "
                       "none: direct). Their host keys are checked like the target's."),
        QStringLiteral("HOSTS"));
    parser.addOptions({ output, config, identity, jump, acceptNew, timeout, knownHosts });
    if (!parser.parse(QStringList { QStringLiteral("chainsight-cli snapshot") } + args)) {
        exitCode = usageError(parser.errorText());
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << commandHelp(parser, "snapshot");
        exitCode = 0;
        return std::nullopt;
    }
    exitCode = 2;
    if (parser.positionalArguments().size() != 1) {
        usageError(QStringLiteral("exactly one target is needed"));
        return std::nullopt;
    }
    if (!parser.isSet(output)) {
        usageError(QStringLiteral("-o FILE is required"));
        return std::nullopt;
    }
    const auto target = remote::parseTarget(parser.positionalArguments().constFirst().toStdString());
    if (!target) {
        usageError(QStringLiteral("not a target: ") + parser.positionalArguments().constFirst());
        return std::nullopt;
    }
    SnapshotArguments parsed;
    parsed.connect.host = target->host;
    parsed.connect.user = target->user;
    parsed.connect.port = target->port;
    parsed.connect.sshConfigFile = parser.value(config).toStdString();
    parsed.connect.identityFile = parser.value(identity).toStdString();
    parsed.connect.knownHostsFile = parser.value(knownHosts).toStdString();
    parsed.connect.proxyJump = parser.value(jump).toStdString();
    for (const auto& hop : remote::splitProxyJump(parsed.connect.proxyJump)) {
        if (!remote::parseTarget(hop)) {
            usageError(QStringLiteral("not a jump host: ") + QString::fromStdString(hop));
            return std::nullopt;
        }
    }
    if (parser.isSet(timeout)) {
        bool ok = false;
        const int seconds = parser.value(timeout).toInt(&ok);
        if (!ok || seconds < 1) {
            usageError(QStringLiteral("--timeout wants a whole number of seconds"));
            return std::nullopt;
        }
        parsed.connect.connectTimeoutSeconds = seconds;
        parsed.connect.commandTimeoutSeconds = seconds;
    }
    parsed.output = parser.value(output);
    parsed.acceptNew = parser.isSet(acceptNew);
    return parsed;
}

} // namespace

int snapshotCommand(const QStringList& args)
{
    int exitCode = 2;
    auto parsed = parseArguments(args, exitCode);
    if (!parsed)
        return exitCode;
    g_cancel = std::make_shared<remote::CancelToken>();
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    remote::SshHostSession session(parsed->connect, g_cancel);
    remote::SessionCallbacks callbacks = terminalCallbacks(parsed->acceptNew);
    remote::SnapshotCollector collector(session, callbacks, g_cancel);
    auto capture = collector.collect();
    QTextStream err(stderr);
    if (!capture.ok()) {
        const auto& error = capture.error();
        err << "chainsight-cli snapshot: " << QString::fromStdString(error.message) << '\n';
        if (!error.detail.empty())
            err << "  (" << QString::fromStdString(error.detail) << ")\n";
        return 2;
    }
    for (const auto& note : capture.value().notes)
        err << "note: " << QString::fromStdString(note) << '\n';
    const std::size_t sourceCount = capture.value().sources.size();
    int absent = 0;
    for (const auto& source : capture.value().sources)
        absent += source.absent ? 1 : 0;
    const QString takenFrom = QString::fromStdString(capture.value().meta.takenFrom);
    // moved, not copied: a capture can be large
    auto snapshot = model::snapshotFromSources(std::move(capture.value().meta), std::move(capture.value().sources));
    if (!snapshot.ok()) {
        err << "chainsight-cli snapshot: " << QString::fromStdString(snapshot.error().toString()) << '\n';
        return 2;
    }
    for (const auto& note : snapshot.value()->notes)
        err << "note: " << QString::fromStdString(note) << '\n';
    if (auto saved = model::saveSnapshotFile(*snapshot.value(), parsed->output); !saved.ok()) {
        err << "chainsight-cli snapshot: " << QString::fromStdString(saved.error().toString()) << '\n';
        return 2;
    }
    QTextStream(stdout) << "Saved " << parsed->output << ": " << sourceCount << " sources (" << absent
                        << " absent) from " << takenFrom << '\n';
    return 0;
}

} // namespace cli
