// chainsight-test-sshd: the ssh tests' server, started by hand so that `chainsight-cli snapshot` and the Connect
// to Host dialog can be tried against a real sshd. It runs in a network namespace loaded with the Docker 28 +
// Tailscale fixture; its PATH holds the test stand-in for the Docker CLI (no Docker engine runs). Ctrl-C (or
// SIGTERM) stops it and removes the namespace, the keys and the temporary directory.
#include "support/testsshd.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace {

QString shellQuoted(const QString& text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

int usage(FILE* to, int status)
{
    std::fputs("usage: chainsight-test-sshd [--no-docker] [--german]\n"
               "Starts an sshd in a network namespace loaded with a Docker 28 fixture, prints how to take a\n"
               "snapshot of it, and runs until Ctrl-C. Needs root.\n"
               "  --no-docker  the server has no docker command (the snapshot records Docker as absent)\n"
               "  --german     the server's sessions speak German (sudo's refusals in German)\n",
        to);
    return status;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    sshtest::ServerOptions options;
    for (const QString& argument : app.arguments().mid(1)) {
        if (argument == QLatin1String("--no-docker"))
            options.withDocker = false;
        else if (argument == QLatin1String("--german"))
            options.language = QStringLiteral("de_DE");
        else if (argument == QLatin1String("-h") || argument == QLatin1String("--help"))
            return usage(stdout, 0);
        else {
            std::fprintf(stderr, "chainsight-test-sshd: unknown argument '%s'\n", qPrintable(argument));
            return usage(stderr, 2);
        }
    }
    if (::geteuid() != 0) {
        std::fputs("chainsight-test-sshd: needs root (it makes a network namespace and runs sshd)\n", stderr);
        return 1;
    }

    // Block the stop signals before the server starts, so that every thread inherits the mask and sigwait
    // below receives them; the server's destructor then cleans up as it does after a test.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    sshtest::TestSshd::removeOrphans();
    sshtest::TestSshd server(options);
    if (!server.isValid()) {
        std::fprintf(stderr, "chainsight-test-sshd: the server did not start: %s\n", qPrintable(server.error()));
        return 1;
    }
    QFile::remove(server.path(QStringLiteral("known_hosts"))); // the first connection meets an unknown key

    const QString cli = QDir::cleanPath(QCoreApplication::applicationDirPath() + QStringLiteral("/../../app/chainsight-cli"));
    const QString target = QStringLiteral("%1:%2").arg(server.address()).arg(server.port());
    const QString common = QStringLiteral("--ssh-config %1 -i %2 --known-hosts %3")
                               .arg(shellQuoted(server.emptySshConfig()), shellQuoted(server.clientKey()),
                                   shellQuoted(server.path(QStringLiteral("known_hosts"))));
    QTextStream out(stdout);
    out << "sshd listening on " << target << " in network namespace " << server.namespaceName() << '\n'
        << "host key " << server.hostKeyFingerprint() << '\n'
        << "rules: the Docker 28 + Tailscale fixture (IPv4 and IPv6), loaded into the namespace's iptables\n"
        << "users: root (key), " << sshtest::TestSshd::nonRootUser() << " (key, or password "
        << shellQuoted(sshtest::TestSshd::nonRootPassword()) << "; sudo asks for it)\n"
        << "key with passphrase " << shellQuoted(sshtest::TestSshd::passphrase()) << ": " << server.passphraseKey()
        << "\n\n"
        << "Take a snapshot as root (the unknown host key is shown and asked about):\n"
        << "  " << QFile::encodeName(cli) << " snapshot root@" << target << ' ' << common
        << " -o test-host.chainsight.json\n"
        << "As " << sshtest::TestSshd::nonRootUser() << " (sudo -n is refused: on a terminal the sudo password is asked for once):\n"
        << "  " << QFile::encodeName(cli) << " snapshot " << sshtest::TestSshd::nonRootUser() << '@' << target << ' '
        << common << " -o test-host.chainsight.json\n\n"
        << "Ctrl-C stops the server and removes the namespace and " << server.dir() << '\n';
    out.flush();

    int received = 0;
    sigwait(&stop, &received);
    std::fprintf(stderr, "chainsight-test-sshd: stopping (signal %d)\n", received);
    return 0;
}
