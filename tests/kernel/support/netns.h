#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>

// Test support for the kernel label: network namespaces owned by the running test process.
// Every namespace is named "csk-<pid>-<role>-<random>" (or another prefix), so a test only ever touches its own.
namespace ktest {

struct CommandResult {
    int exitCode = -1; // -1: could not start, timed out or crashed
    QByteArray out;
    QByteArray err;

    bool ok() const { return exitCode == 0; }
    // "exit N: <stderr>" for failure messages.
    QString describe() const;
};

enum class Backend { Nft, Legacy };
enum class Family { V4, V6 };

QString backendName(Backend backend);
// The iptables program for a backend and family, e.g. "ip6tables-legacy-restore" for (Legacy, V6, "-restore").
QString iptablesProgram(Backend backend, Family family, const QString& suffix = {});

// Runs a program on the host (no namespace), with optional stdin; never throws.
CommandResult runProgram(const QStringList& command, const QByteArray& stdinData = {}, int timeoutMs = 30000);

// A network namespace that lives as long as this object. The destructor deletes it; a process-wide
// handler deletes the ones still alive when the test process exits, aborts or crashes.
class Namespace final {
public:
    // role: a short word naming the namespace's part in the topology ("host", "client", ...).
    explicit Namespace(const QString& role);
    ~Namespace();
    Namespace(const Namespace&) = delete;
    Namespace& operator=(const Namespace&) = delete;

    bool isValid() const { return m_valid; }
    QString error() const { return m_error; }
    const QString& name() const { return m_name; }
    const QString& role() const { return m_role; }

    // `ip netns exec <name> command...`
    CommandResult run(const QStringList& command, const QByteArray& stdinData = {}, int timeoutMs = 30000) const;
    // A shell script run inside the namespace (sh -ec).
    CommandResult sh(const QString& script) const;

    // Loads an iptables-save text with the backend's restore program (flushing the tables it names,
    // unless noflush).
    CommandResult restore(const QByteArray& rulesText, Backend backend, Family family = Family::V4,
        bool noflush = false) const;
    // iptables-save [-c]; -S and -L -n -v -x of one table.
    CommandResult save(Backend backend, Family family = Family::V4, bool counters = true) const;
    CommandResult listRules(Backend backend, Family family, const QString& table) const;
    CommandResult listVerbose(Backend backend, Family family, const QString& table) const;

    // Writes a sysctl inside the namespace ("net.ipv4.ip_forward", "1").
    bool setSysctl(const QString& key, const QString& value) const;

    // A socket created inside this namespace (it stays bound to it); -1 and errno on failure.
    int openSocket(int domain, int type, int protocol) const;
    // Runs fn on a thread that has entered this namespace; false if entering failed.
    bool runInside(const std::function<void()>& fn) const;

    // Deletes <prefix>-<pid>-* namespaces left by test processes that no longer run (crashed earlier runs).
    static void removeOrphans();
    // The first part of every namespace name this process creates from now on ("csk" unless set), so the
    // tests of one subject can use their own. Letters and digits only.
    static void setPrefix(const QString& prefix);

private:
    QString m_role;
    QString m_name;
    QString m_error;
    bool m_valid = false;
};

} // namespace ktest
