#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

// Test support for the ssh label: a real OpenSSH server in a network namespace this test made.
// Everything lives under one temporary directory and one namespace named "css-<pid>-<random>".
// Nothing is left behind: the destructor (and, for crashes and aborts, a process-wide handler)
// kills every process the server started, the test's ssh-agent, and deletes the namespace.
// No Docker engine runs in the test environment: the server's PATH holds a `docker` script that
// prints the fixture's JSON.
namespace sshtest {

struct RunResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool ok() const { return exitCode == 0; }
    QString describe() const;
};

RunResult runProgram(const QStringList& command, const QByteArray& stdinData = {}, int timeoutMs = 30000);

struct ServerOptions {
    bool withDocker = true; // false: the server has no docker command at all
    bool loadFixture = true; // the Docker 28 + Tailscale ruleset, IPv4 and IPv6
    // The sessions' locale, e.g. "de_DE": LANG=de_DE.UTF-8 and LANGUAGE=de make sudo answer in German. The
    // locale must be compiled on the machine (scripts/deps does it for de_DE.UTF-8).
    QString language {};
    // Keyboard-interactive login through PAM (pam_unix against this server's own shadow file) instead of the
    // password method. The PAM file is bind-mounted in sshd's private mount namespace only.
    bool keyboardInteractive = false;
    // The namespace at the other end of this server's link instead of the host's: the server is then reachable
    // only from there (a target behind a jump host).
    QString linkedTo {};
};

class TestSshd final {
public:
    explicit TestSshd(ServerOptions options = {});
    ~TestSshd();
    TestSshd(const TestSshd&) = delete;
    TestSshd& operator=(const TestSshd&) = delete;

    bool isValid() const { return m_valid; }
    QString error() const { return m_error; }

    QString address() const { return m_nsAddress; } // the server's address inside the namespace
    int port() const { return m_port; }
    QString namespaceName() const { return m_namespace; }
    QString dir() const { return m_dir.path(); }
    QString path(const QString& name) const { return m_dir.filePath(name); }

    // Keys made for this server. clientKey is authorised for root and for the non-root user,
    // passphraseKey (passphrase "correct horse battery") for root, agentKey for root but only in the agent,
    // strangerKey for nobody.
    QString clientKey() const { return path(QStringLiteral("keys/client")); }
    QString passphraseKey() const { return path(QStringLiteral("keys/client_pp")); }
    QString agentKey() const { return path(QStringLiteral("keys/agent")); }
    QString strangerKey() const { return path(QStringLiteral("keys/stranger")); }
    static QString passphrase() { return QStringLiteral("correct horse battery"); }
    static QString nonRootUser() { return QStringLiteral("csstest"); }
    // csstest logs in with clientKey or this password, and may run anything through sudo with it.
    static QString nonRootPassword() { return QStringLiteral("css sudo words"); }

    // "SHA256:..." of the server's host key, as ssh-keygen prints it.
    QString hostKeyFingerprint() const { return m_fingerprint; }
    // A known_hosts line for this server with its real key, or with another key.
    QByteArray knownHostsLine() const;
    QByteArray wrongKnownHostsLine() const;
    // An empty ssh config file, so that the machine's own ~/.ssh/config plays no part.
    QString emptySshConfig() const { return path(QStringLiteral("ssh_config")); }

    // The fake docker's behaviour: "big" (docker info prints 50 MB), "hang" (network inspect streams forever
    // after creating the file "started").
    void setDockerMode(const QString& mode, bool on) const;
    bool waitForFile(const QString& name, int timeoutMs) const;

    // What the fixture holds, for comparisons.
    QByteArray fixtureRules() const;
    QByteArray fixtureRules6() const;
    QByteArray fixtureNetworks() const { return m_networksJson; }
    QByteArray dockerVersionJson() const;
    QByteArray dockerInfoJson() const;
    QByteArray containersJson() const;

    // Starts ssh-agent holding agentKey; returns the socket path or "" on failure.
    QString startAgent();

    // Kills sshd and every process it started (a server dropping its connections).
    void killServer();

    static void removeOrphans();

private:
    bool setUpNamespace();
    bool makeKeys();
    bool writeFiles();
    bool startServer();

    ServerOptions m_options;
    QTemporaryDir m_dir;
    QString m_namespace;
    QString m_hostVeth;
    QString m_nsVeth;
    QString m_hostAddress;
    QString m_nsAddress;
    int m_port = 0;
    QString m_fingerprint;
    QByteArray m_networksJson;
    std::unique_ptr<QProcess> m_sshd;
    std::unique_ptr<QProcess> m_agent;
    bool m_valid = false;
    QString m_error;
};

// Lines of an iptables-save dump without comments and counters, grouped per table, tables sorted:
// what a restore followed by a save must give back.
QStringList normalizedRules(const QByteArray& dump);

// A local TCP listener that accepts connections and never says anything.
class SilentServer final {
public:
    SilentServer();
    ~SilentServer();
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

// A loopback port on which nothing listens.
int closedPort();

} // namespace sshtest
