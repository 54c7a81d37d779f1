#include "support/netns.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ktest {

namespace {

    const char kNetnsDir[] = "/run/netns/";

    QString& namespacePrefix()
    {
        static QString prefix = QStringLiteral("csk");
        return prefix;
    }

    // Names of live namespaces, kept in plain arrays so that a fatal-signal handler can delete them
    // with async-signal-safe calls only (umount2 + unlink is what `ip netns del` does).
    constexpr int kSlots = 128;
    constexpr int kNameMax = 96;
    char g_paths[kSlots][kNameMax];
    std::atomic<bool> g_used[kSlots];
    std::atomic<bool> g_handlersInstalled { false };
    struct sigaction g_previous[32];
    const int kFatalSignals[] = { SIGINT, SIGTERM, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGHUP };

    void removeAllRegistered() noexcept
    {
        for (int i = 0; i < kSlots; ++i) {
            bool expected = true;
            if (g_used[i].compare_exchange_strong(expected, false)) {
                ::umount2(g_paths[i], MNT_DETACH);
                ::unlink(g_paths[i]);
            }
        }
    }

    void onFatalSignal(int sig)
    {
        removeAllRegistered();
        ::sigaction(sig, &g_previous[sig], nullptr);
        ::raise(sig);
    }

    void installHandlers()
    {
        bool expected = false;
        if (!g_handlersInstalled.compare_exchange_strong(expected, true))
            return;
        std::atexit(removeAllRegistered);
        for (int sig : kFatalSignals) {
            struct sigaction action {};
            action.sa_handler = onFatalSignal;
            sigemptyset(&action.sa_mask);
            action.sa_flags = SA_RESETHAND;
            ::sigaction(sig, &action, &g_previous[sig]);
        }
    }

    int registerPath(const QByteArray& path)
    {
        for (int i = 0; i < kSlots; ++i) {
            if (g_used[i].load())
                continue;
            std::strncpy(g_paths[i], path.constData(), kNameMax - 1);
            g_paths[i][kNameMax - 1] = '\0';
            g_used[i].store(true);
            return i;
        }
        return -1;
    }

    void unregisterPath(const QByteArray& path)
    {
        for (int i = 0; i < kSlots; ++i) {
            if (g_used[i].load() && path == g_paths[i])
                g_used[i].store(false);
        }
    }

    QString tail(const QByteArray& text)
    {
        return QString::fromUtf8(text.right(600)).trimmed();
    }

} // namespace

QString CommandResult::describe() const
{
    return QStringLiteral("exit %1: %2").arg(exitCode).arg(tail(err.isEmpty() ? out : err));
}

QString backendName(Backend backend)
{
    return backend == Backend::Nft ? QStringLiteral("nft") : QStringLiteral("legacy");
}

QString iptablesProgram(Backend backend, Family family, const QString& suffix)
{
    const QString base = family == Family::V4 ? QStringLiteral("iptables") : QStringLiteral("ip6tables");
    return base + QLatin1Char('-') + backendName(backend) + suffix;
}

CommandResult runProgram(const QStringList& command, const QByteArray& stdinData, int timeoutMs)
{
    CommandResult result;
    if (command.isEmpty())
        return result;
    QProcess process;
    // A helper must never outlive the test process (it would keep a namespace alive).
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    process.start(command.first(), command.mid(1));
    if (!process.waitForStarted(5000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    if (!stdinData.isEmpty())
        process.write(stdinData);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        result.err = "timed out: " + command.join(QLatin1Char(' ')).toUtf8();
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return result;
}

Namespace::Namespace(const QString& role)
    : m_role(role)
{
    installHandlers();
    const quint32 random = QRandomGenerator::global()->bounded(0x10000u);
    m_name = QStringLiteral("%1-%2-%3-%4").arg(namespacePrefix()).arg(::getpid()).arg(role).arg(random, 4, 16, QLatin1Char('0'));
    const QByteArray path = kNetnsDir + m_name.toUtf8();
    // Registered before creation: a crash between the two steps must still clean up.
    if (registerPath(path) < 0) {
        m_error = QStringLiteral("too many namespaces alive");
        return;
    }
    const CommandResult added = runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("add"), m_name });
    if (!added.ok()) {
        unregisterPath(path);
        m_error = QStringLiteral("ip netns add %1: %2").arg(m_name, added.describe());
        return;
    }
    m_valid = run({ QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                      QStringLiteral("up") })
                  .ok();
    if (!m_valid)
        m_error = QStringLiteral("cannot bring lo up in %1").arg(m_name);
}

Namespace::~Namespace()
{
    const QByteArray path = kNetnsDir + m_name.toUtf8();
    runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), m_name });
    unregisterPath(path);
    // In case `ip` failed: the same two calls it makes.
    if (QFile::exists(QString::fromUtf8(path))) {
        ::umount2(path.constData(), MNT_DETACH);
        ::unlink(path.constData());
    }
}

CommandResult Namespace::run(const QStringList& command, const QByteArray& stdinData, int timeoutMs) const
{
    QStringList full { QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), m_name };
    full += command;
    return runProgram(full, stdinData, timeoutMs);
}

CommandResult Namespace::sh(const QString& script) const
{
    return run({ QStringLiteral("sh"), QStringLiteral("-ec"), script });
}

CommandResult Namespace::restore(const QByteArray& rulesText, Backend backend, Family family, bool noflush) const
{
    QStringList command { iptablesProgram(backend, family, QStringLiteral("-restore")), QStringLiteral("-w") };
    if (noflush)
        command << QStringLiteral("--noflush");
    return run(command, rulesText);
}

CommandResult Namespace::save(Backend backend, Family family, bool counters) const
{
    QStringList command { iptablesProgram(backend, family, QStringLiteral("-save")) };
    if (counters)
        command << QStringLiteral("-c");
    return run(command);
}

CommandResult Namespace::listRules(Backend backend, Family family, const QString& table) const
{
    return run({ iptablesProgram(backend, family), QStringLiteral("-w"), QStringLiteral("-t"), table,
        QStringLiteral("-S") });
}

CommandResult Namespace::listVerbose(Backend backend, Family family, const QString& table) const
{
    return run({ iptablesProgram(backend, family), QStringLiteral("-w"), QStringLiteral("-t"), table,
        QStringLiteral("-L"), QStringLiteral("-n"), QStringLiteral("-v"), QStringLiteral("-x"),
        QStringLiteral("--line-numbers") });
}

bool Namespace::setSysctl(const QString& key, const QString& value) const
{
    const QByteArray path = "/proc/sys/" + key.toUtf8().replace('.', '/');
    const QByteArray data = value.toUtf8() + '\n';
    bool written = false;
    const bool entered = runInside([&] {
        const int fd = ::open(path.constData(), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        written = ::write(fd, data.constData(), size_t(data.size())) == data.size();
        ::close(fd);
    });
    return entered && written;
}

bool Namespace::runInside(const std::function<void()>& fn) const
{
    bool entered = false;
    const QByteArray path = kNetnsDir + m_name.toUtf8();
    // setns() changes only the calling thread, so a short-lived thread keeps the test's own threads
    // in the initial namespace.
    std::thread worker([&] {
        const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        entered = ::setns(fd, CLONE_NEWNET) == 0;
        ::close(fd);
        if (entered)
            fn();
    });
    worker.join();
    return entered;
}

int Namespace::openSocket(int domain, int type, int protocol) const
{
    int fd = -1;
    int error = 0;
    if (!runInside([&] {
            fd = ::socket(domain, type | SOCK_CLOEXEC, protocol);
            error = errno;
        }))
        return -1;
    errno = error;
    return fd;
}

void Namespace::setPrefix(const QString& prefix)
{
    // CHAINSIGHT_NETNS_PREFIX (without '-') keeps concurrent runs of one test apart: each touches only its own.
    const QString own = qEnvironmentVariable("CHAINSIGHT_NETNS_PREFIX");
    namespacePrefix() = own.isEmpty() || own.contains(QLatin1Char('-')) ? prefix : own;
}

void Namespace::removeOrphans()
{
    const QStringList entries = QDir(QString::fromLatin1(kNetnsDir)).entryList(QDir::Files | QDir::System);
    for (const QString& entry : entries) {
        const QStringList parts = entry.split(QLatin1Char('-'));
        if (parts.size() < 3 || parts.first() != namespacePrefix())
            continue;
        bool isNumber = false;
        const int pid = parts.at(1).toInt(&isNumber);
        if (!isNumber || pid == ::getpid() || QFile::exists(QStringLiteral("/proc/%1").arg(pid)))
            continue;
        runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), entry });
    }
}

} // namespace ktest
