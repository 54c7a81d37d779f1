#include "support/testsshd.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QThread>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <crypt.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

namespace sshtest {

namespace {

const QString kFixtureBase = QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/docker-28.x-c-tailscale");
const QString kContainerId = QStringLiteral("0f969b05b74222b757474fb34ff76fdce57ffabe3842a4cb9b171479bbc6e8f5");

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data, QFile::Permissions permissions = {})
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(data) != data.size())
        return false;
    file.close();
    return permissions == QFile::Permissions() || file.setPermissions(permissions);
}

// A shell that outlives a crashed test process and then removes what it registered: it reads
// "ns NAME" / "pid PID" / "dir PATH" lines (and "un..." to forget them) until its stdin closes.
class Guardian {
public:
    static Guardian& instance()
    {
        static Guardian* guardian = new Guardian; // never destroyed: its stdin closes when this process ends
        return *guardian;
    }
    void tell(const QString& line)
    {
        m_process.write((line + QLatin1Char('\n')).toUtf8());
        m_process.waitForBytesWritten(1000);
    }

private:
    Guardian()
    {
        static const char* script = R"(trap '' INT TERM HUP
ns=" "; pids=" "; dirs=" "
# builtins only, so that no helper process carries a registered path on its command line
drop() { eval "list=\$$1"; out=" "; for x in $list; do [ "$x" = "$2" ] || out="$out$x "; done; eval "$1=\$out"; }
while read -r what arg; do
  case "$what" in
    ns) ns="$ns$arg ";; unns) drop ns "$arg";;
    pid) pids="$pids$arg ";; unpid) drop pids "$arg";;
    dir) dirs="$dirs$arg ";; undir) drop dirs "$arg";;
  esac
done
for p in $pids; do kill -9 "$p" 2>/dev/null; done
for n in $ns; do for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p"; done; ip netns del "$n" 2>/dev/null; done
for d in $dirs; do rm -rf "$d"; done
)";
        m_process.setProcessChannelMode(QProcess::ForwardedChannels);
        m_process.start(QStringLiteral("/bin/sh"), { QStringLiteral("-c"), QString::fromLatin1(script) });
        m_process.waitForStarted(5000);
    }
    QProcess m_process;
};

void killNamespaceProcesses(const QString& ns)
{
    for (int round = 0; round < 5; ++round) {
        const auto pids = runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("pids"), ns });
        const auto list = QString::fromUtf8(pids.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        if (list.isEmpty())
            return;
        for (const auto& pid : list)
            ::kill(pid.trimmed().toInt(), SIGKILL);
        QThread::msleep(50);
    }
}

// The non-root user's password, hashed as /etc/shadow holds it (sshd and sudo check it there).
QByteArray shadowLine()
{
    auto data = std::make_unique<crypt_data>();
    const char* hash = crypt_r(TestSshd::nonRootPassword().toUtf8().constData(), "$6$chainsighttest$", data.get());
    return TestSshd::nonRootUser().toUtf8() + ":" + QByteArray(hash) + ":19000:0:99999:7:::\n";
}

QString dockerScript(const QString& dir, const QStringList& networkIds)
{
    return QStringLiteral(R"(#!/bin/sh
# Stands in for the Docker CLI: no Docker engine runs in the test environment. Prints the fixture's JSON.
d='%1/docker'
case "$*" in
"version --format {{json .}}")
    # a warning on stderr, as the real CLI prints now and then: it must not leak into the output
    echo "WARNING: this is the test stand-in for docker" >&2
    exec cat "$d/version.json" ;;
"info --format {{json .}}")
    if [ -e "$d/big" ]; then head -c 52428800 /dev/zero | tr '\000' x; exit 0; fi
    exec cat "$d/info.json" ;;
"network ls -q --no-trunc") exec cat "$d/network-ids" ;;
"network inspect %2")
    if [ -e "$d/hang" ]; then
        touch "$d/started"
        while :; do echo '[{"Name": "slow"}]' || exit 1; sleep 0.1; done
    fi
    cat "$d/networks.json"
    echo "WARNING: network inspect of the test stand-in" >&2 ;;
"ps -aq --no-trunc") exec cat "$d/container-ids" ;;
"inspect %3") exec cat "$d/containers.json" ;;
*) echo "docker (test stand-in): unexpected arguments: $*" >&2; exit 1 ;;
esac
)")
        .arg(dir, networkIds.join(QLatin1Char(' ')), kContainerId);
}

} // namespace

QString RunResult::describe() const
{
    return QStringLiteral("exit %1: %2").arg(exitCode).arg(QString::fromUtf8(err.trimmed()));
}

RunResult runProgram(const QStringList& command, const QByteArray& stdinData, int timeoutMs)
{
    RunResult result;
    QProcess process;
    process.start(command.first(), command.mid(1));
    if (!process.waitForStarted(5000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    process.write(stdinData);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        result.err = "timed out";
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return result;
}

TestSshd::TestSshd(ServerOptions options)
    : m_options(options)
{
    auto* random = QRandomGenerator::global();
    const QString tag = QString::number(random->bounded(0x100000, 0xffffff), 16);
    m_namespace = QStringLiteral("css-%1-%2").arg(QCoreApplication::applicationPid()).arg(tag);
    m_hostVeth = QStringLiteral("css%1h").arg(tag);
    m_nsVeth = QStringLiteral("css%1n").arg(tag);
    const int a = 200 + random->bounded(50);
    const int b = random->bounded(256);
    const int c = random->bounded(64) * 4;
    m_hostAddress = QStringLiteral("10.%1.%2.%3").arg(a).arg(b).arg(c + 1);
    m_nsAddress = QStringLiteral("10.%1.%2.%3").arg(a).arg(b).arg(c + 2);
    m_port = 20000 + random->bounded(40000);
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return;
    }
    Guardian::instance().tell(QStringLiteral("dir ") + m_dir.path());
    m_valid = setUpNamespace() && makeKeys() && writeFiles() && startServer();
}

TestSshd::~TestSshd()
{
    if (m_agent) {
        Guardian::instance().tell(QStringLiteral("unpid %1").arg(m_agent->processId()));
        m_agent->kill();
        m_agent->waitForFinished(3000);
    }
    killServer();
    runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), m_namespace });
    Guardian::instance().tell(QStringLiteral("unns ") + m_namespace);
    Guardian::instance().tell(QStringLiteral("undir ") + m_dir.path());
}

bool TestSshd::setUpNamespace()
{
    Guardian::instance().tell(QStringLiteral("ns ") + m_namespace);
    const QString ip = QStringLiteral("ip");
    // the near end of the link: on the host, or in the namespace this server is linked to
    const QStringList near = m_options.linkedTo.isEmpty() ? QStringList { ip }
                                                          : QStringList { ip, QStringLiteral("-n"), m_options.linkedTo };
    const QStringList moveNearEnd = m_options.linkedTo.isEmpty()
        ? QStringList { ip, QStringLiteral("link"), QStringLiteral("show"), m_hostVeth }
        : QStringList { ip, QStringLiteral("link"), QStringLiteral("set"), m_hostVeth, QStringLiteral("netns"),
              m_options.linkedTo };
    const QList<QStringList> steps {
        { ip, QStringLiteral("netns"), QStringLiteral("add"), m_namespace },
        { ip, QStringLiteral("link"), QStringLiteral("add"), m_hostVeth, QStringLiteral("type"), QStringLiteral("veth"),
            QStringLiteral("peer"), QStringLiteral("name"), m_nsVeth, QStringLiteral("netns"), m_namespace },
        moveNearEnd,
        near + QStringList { QStringLiteral("addr"), QStringLiteral("add"), m_hostAddress + QStringLiteral("/30"),
            QStringLiteral("dev"), m_hostVeth },
        near + QStringList { QStringLiteral("link"), QStringLiteral("set"), m_hostVeth, QStringLiteral("up") },
        { ip, QStringLiteral("-n"), m_namespace, QStringLiteral("addr"), QStringLiteral("add"),
            m_nsAddress + QStringLiteral("/30"), QStringLiteral("dev"), m_nsVeth },
        { ip, QStringLiteral("-n"), m_namespace, QStringLiteral("link"), QStringLiteral("set"), m_nsVeth,
            QStringLiteral("up") },
        { ip, QStringLiteral("-n"), m_namespace, QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
            QStringLiteral("up") },
    };
    for (const auto& step : steps) {
        const auto result = runProgram(step);
        if (!result.ok()) {
            m_error = step.join(QLatin1Char(' ')) + QStringLiteral(": ") + result.describe();
            return false;
        }
    }
    if (!m_options.loadFixture)
        return true;
    const QStringList exec { ip, QStringLiteral("netns"), QStringLiteral("exec"), m_namespace };
    for (const auto& [program, rules] : { std::pair { QStringLiteral("iptables-restore"), fixtureRules() },
             std::pair { QStringLiteral("ip6tables-restore"), fixtureRules6() } }) {
        const auto result = runProgram(exec + QStringList { program }, rules);
        if (!result.ok()) {
            m_error = program + QStringLiteral(" of the fixture: ") + result.describe();
            return false;
        }
    }
    return true;
}

bool TestSshd::makeKeys()
{
    QDir(m_dir.path()).mkpath(QStringLiteral("keys"));
    const QList<std::pair<QString, QString>> keys { { QStringLiteral("host"), {} }, { QStringLiteral("client"), {} },
        { QStringLiteral("client_pp"), passphrase() }, { QStringLiteral("agent"), {} },
        { QStringLiteral("stranger"), {} } };
    for (const auto& [name, secret] : keys) {
        const auto result = runProgram({ QStringLiteral("ssh-keygen"), QStringLiteral("-q"), QStringLiteral("-t"),
            QStringLiteral("ed25519"), QStringLiteral("-N"), secret, QStringLiteral("-C"),
            QStringLiteral("css-") + name, QStringLiteral("-f"), path(QStringLiteral("keys/") + name) });
        if (!result.ok()) {
            m_error = QStringLiteral("ssh-keygen: ") + result.describe();
            return false;
        }
    }
    const auto listed = runProgram({ QStringLiteral("ssh-keygen"), QStringLiteral("-l"), QStringLiteral("-E"),
        QStringLiteral("sha256"), QStringLiteral("-f"), path(QStringLiteral("keys/host.pub")) });
    m_fingerprint = QString::fromUtf8(listed.out).section(QLatin1Char(' '), 1, 1);
    return m_fingerprint.startsWith(QLatin1String("SHA256:"));
}

bool TestSshd::writeFiles()
{
    QDir dir(m_dir.path());
    for (const auto& sub : { "bin", "docker", "etc", "authorized", "home" })
        dir.mkpath(QString::fromLatin1(sub));
    // the non-root user must be able to reach its authorized keys and home
    for (const auto& sub : { "", "/authorized", "/home", "/keys" })
        QFile::setPermissions(m_dir.path() + QString::fromLatin1(sub),
            QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                | QFile::ReadOther | QFile::ExeOther);
    ::chown(QFile::encodeName(path(QStringLiteral("home"))).constData(), 4242, 4242);
    const QByteArray client = readAll(clientKey() + QStringLiteral(".pub"));
    const QByteArray rootKeys
        = client + readAll(passphraseKey() + QStringLiteral(".pub")) + readAll(agentKey() + QStringLiteral(".pub"));
    const QFile::Permissions readable = QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    bool ok = writeFile(path(QStringLiteral("authorized/root")), rootKeys, readable)
        && writeFile(path(QStringLiteral("authorized/")) + nonRootUser(), client, readable)
        && writeFile(emptySshConfig(), {});

    // a user that exists only for this server: passwd and group are bind-mounted in sshd's own mount namespace
    ok = ok
        && writeFile(path(QStringLiteral("etc/passwd")),
            readAll(QStringLiteral("/etc/passwd")) + nonRootUser().toUtf8()
                + ":x:4242:4242:Chainsight test:" + path(QStringLiteral("home")).toUtf8() + ":/bin/sh\n",
            readable)
        && writeFile(path(QStringLiteral("etc/group")),
            readAll(QStringLiteral("/etc/group")) + nonRootUser().toUtf8() + ":x:4242:\n", readable)
        && writeFile(path(QStringLiteral("etc/shadow")), readAll(QStringLiteral("/etc/shadow")) + shadowLine(),
            QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup)
        && writeFile(path(QStringLiteral("etc/sudoers")), nonRootUser().toUtf8() + " ALL=(root) ALL\n",
            QFile::ReadOwner | QFile::ReadGroup);

    m_networksJson = readAll(kFixtureBase + QStringLiteral(".networks.json"));
    QStringList networkIds;
    for (const auto& network : nlohmann::json::parse(m_networksJson.toStdString()))
        networkIds << QString::fromStdString(network.at("Id").get<std::string>());
    const QString docker = path(QStringLiteral("docker/"));
    ok = ok && writeFile(docker + QStringLiteral("version.json"), dockerVersionJson())
        && writeFile(docker + QStringLiteral("info.json"), dockerInfoJson())
        && writeFile(docker + QStringLiteral("networks.json"), m_networksJson)
        && writeFile(docker + QStringLiteral("network-ids"), networkIds.join(QLatin1Char('\n')).toUtf8() + '\n')
        && writeFile(docker + QStringLiteral("container-ids"), kContainerId.toUtf8() + '\n')
        && writeFile(docker + QStringLiteral("containers.json"), containersJson());
    if (ok && m_options.withDocker)
        ok = writeFile(path(QStringLiteral("bin/docker")), dockerScript(m_dir.path(), networkIds).toUtf8(),
            readable | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther);
    if (!ok)
        m_error = QStringLiteral("cannot write the server's files");
    return ok;
}

bool TestSshd::startServer()
{
    const bool pam = m_options.keyboardInteractive;
    const QString language = m_options.language.isEmpty()
        ? QString()
        : QStringLiteral(" LANG=") + m_options.language + QStringLiteral(".UTF-8 LANGUAGE=") + m_options.language.left(2);
    QString config = QStringLiteral(
        "Port %1\nListenAddress %2\nHostKey %3\nPidFile %4\nAuthorizedKeysFile %5/%u\nStrictModes no\nUsePAM %7\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication %8\nPermitEmptyPasswords "
        "no\nKbdInteractiveAuthentication %7\n"
        "UseDNS no\nMaxStartups 100\nLogLevel VERBOSE\nSetEnv PATH=%6:/usr/sbin:/usr/bin:/sbin:/bin%9\n")
                         .arg(m_port)
                         .arg(m_nsAddress, path(QStringLiteral("keys/host")), path(QStringLiteral("sshd.pid")),
                             path(QStringLiteral("authorized")), path(QStringLiteral("bin")),
                             pam ? QStringLiteral("yes") : QStringLiteral("no"),
                             pam ? QStringLiteral("no") : QStringLiteral("yes"), language);
    // pam_unix checks the password against the shadow file bind-mounted below; nodelay keeps failures quick
    writeFile(path(QStringLiteral("etc/pam-sshd")),
        "auth required pam_unix.so nodelay\naccount required pam_permit.so\nsession required pam_permit.so\n"
        "password required pam_deny.so\n");
    // newer servers slow down clients that fail or drop; these tests do both on purpose
    const QString penalties = QStringLiteral("PerSourcePenalties no\n");
    writeFile(path(QStringLiteral("sshd_config")), (config + penalties).toUtf8());
    if (!runProgram({ QStringLiteral("/usr/sbin/sshd"), QStringLiteral("-t"), QStringLiteral("-f"),
                        path(QStringLiteral("sshd_config")) })
             .ok())
        writeFile(path(QStringLiteral("sshd_config")), config.toUtf8());

    // a private mount namespace: /run/sshd and the test user exist only for this sshd and its children
    const QString start
        = QStringLiteral("set -e\nmount -t tmpfs -o mode=0755 css-run /run\nmkdir -p /run/sshd\n"
                         "mount --bind %1/etc/passwd /etc/passwd\nmount --bind %1/etc/group /etc/group\n"
                         "mount --bind %1/etc/shadow /etc/shadow\nmount --bind %1/etc/sudoers /etc/sudoers\n"
                         "%2exec /usr/sbin/sshd -D -e -f %1/sshd_config\n")
              .arg(m_dir.path(),
                  pam ? QStringLiteral("mount --bind %1/etc/pam-sshd /etc/pam.d/sshd\n").arg(m_dir.path()) : QString());
    writeFile(path(QStringLiteral("start-sshd.sh")), start.toUtf8());
    m_sshd = std::make_unique<QProcess>();
    m_sshd->setProcessChannelMode(QProcess::MergedChannels);
    m_sshd->setStandardOutputFile(path(QStringLiteral("sshd.log")));
    m_sshd->start(QStringLiteral("ip"),
        { QStringLiteral("netns"), QStringLiteral("exec"), m_namespace, QStringLiteral("unshare"), QStringLiteral("-m"),
            QStringLiteral("--propagation"), QStringLiteral("private"), QStringLiteral("/bin/sh"),
            path(QStringLiteral("start-sshd.sh")) });
    if (!m_sshd->waitForStarted(5000)) {
        m_error = QStringLiteral("cannot start sshd: ") + m_sshd->errorString();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        if (m_sshd->state() != QProcess::Running)
            break;
        if (!m_options.linkedTo.isEmpty()) {
            // not reachable from here: sshd writes its pid file once it listens
            if (QFile::exists(path(QStringLiteral("sshd.pid"))))
                return true;
            QThread::msleep(50);
            continue;
        }
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(m_port));
        inet_pton(AF_INET, m_nsAddress.toLatin1().constData(), &address.sin_addr);
        const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        ::close(fd);
        if (up)
            return true;
        QThread::msleep(50);
    }
    m_error = QStringLiteral("sshd did not come up: ") + QString::fromUtf8(readAll(path(QStringLiteral("sshd.log"))));
    return false;
}

QByteArray TestSshd::knownHostsLine() const
{
    const QByteArray key = readAll(path(QStringLiteral("keys/host.pub"))).trimmed();
    return "[" + m_nsAddress.toLatin1() + "]:" + QByteArray::number(m_port) + " " + key.left(key.lastIndexOf(' '))
        + "\n";
}

QByteArray TestSshd::wrongKnownHostsLine() const
{
    const QByteArray key = readAll(strangerKey() + QStringLiteral(".pub")).trimmed();
    return "[" + m_nsAddress.toLatin1() + "]:" + QByteArray::number(m_port) + " " + key.left(key.lastIndexOf(' '))
        + "\n";
}

void TestSshd::setDockerMode(const QString& mode, bool on) const
{
    const QString flag = path(QStringLiteral("docker/")) + mode;
    if (on)
        writeFile(flag, "on\n");
    else
        QFile::remove(flag);
}

bool TestSshd::waitForFile(const QString& name, int timeoutMs) const
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (QFile::exists(path(name)))
            return true;
        QThread::msleep(20);
    }
    return false;
}

QByteArray TestSshd::fixtureRules() const { return readAll(kFixtureBase + QStringLiteral(".rules")); }
QByteArray TestSshd::fixtureRules6() const { return readAll(kFixtureBase + QStringLiteral(".ip6.rules")); }

QByteArray TestSshd::dockerVersionJson() const
{
    return R"({"Client":{"Version":"28.5.2","ApiVersion":"1.51","Os":"linux","Arch":"amd64"},"Server":{"Components":[{"Name":"Engine","Version":"28.5.2"}],"Version":"28.5.2","ApiVersion":"1.51"}})"
           "\n";
}

QByteArray TestSshd::dockerInfoJson() const
{
    return R"({"ServerVersion":"28.5.2","Driver":"overlay2","Containers":1,"ContainersRunning":1,"SecurityOptions":["name=seccomp,profile=builtin"]})"
           "\n";
}

QByteArray TestSshd::containersJson() const
{
    return "[{\"Id\":\"" + kContainerId.toLatin1()
        + R"(","Name":"/web","State":{"Running":true},"NetworkSettings":{"Networks":{"mynet":{"IPAddress":"172.18.0.2"}},"Ports":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}}}])"
          "\n";
}

QString TestSshd::startAgent()
{
    const QString socket = path(QStringLiteral("agent.sock"));
    m_agent = std::make_unique<QProcess>();
    m_agent->start(QStringLiteral("ssh-agent"), { QStringLiteral("-D"), QStringLiteral("-a"), socket });
    if (!m_agent->waitForStarted(5000))
        return {};
    Guardian::instance().tell(QStringLiteral("pid %1").arg(m_agent->processId()));
    QElapsedTimer timer;
    timer.start();
    while (!QFile::exists(socket) && timer.elapsed() < 5000)
        QThread::msleep(20);
    QProcess add;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SSH_AUTH_SOCK"), socket);
    add.setProcessEnvironment(env);
    add.start(QStringLiteral("ssh-add"), { QStringLiteral("-q"), agentKey() });
    if (!add.waitForFinished(10000) || add.exitCode() != 0)
        return {};
    return socket;
}

void TestSshd::killServer()
{
    killNamespaceProcesses(m_namespace);
    if (m_sshd) {
        m_sshd->kill(); // already gone with its namespace; this only makes sure
        m_sshd->waitForFinished(3000);
        m_sshd.reset();
    }
}

void TestSshd::removeOrphans()
{
    const auto list = runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("list") });
    static const QRegularExpression ours(QStringLiteral("^css-(\\d+)-[0-9a-f]+"));
    for (const auto& line : QString::fromUtf8(list.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const auto match = ours.match(line);
        if (!match.hasMatch() || QFile::exists(QStringLiteral("/proc/") + match.captured(1)))
            continue;
        killNamespaceProcesses(match.captured(0));
        runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), match.captured(0) });
    }
}

QStringList normalizedRules(const QByteArray& dump)
{
    static const QRegularExpression counters(QStringLiteral("^\\[\\d+:\\d+\\] "));
    static const QRegularExpression policyCounters(QStringLiteral(" \\[\\d+:\\d+\\]$"));
    std::map<QString, QStringList> tables;
    QString table;
    for (QString line : QString::fromUtf8(dump).split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1Char('*')))
            table = line;
        line.remove(counters);
        if (line.startsWith(QLatin1Char(':')))
            line.remove(policyCounters);
        tables[table] << line;
    }
    QStringList result;
    for (const auto& [name, lines] : tables)
        result << lines;
    return result;
}

SilentServer::SilentServer()
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(m_fd, reinterpret_cast<sockaddr*>(&address), length);
    ::listen(m_fd, 8); // the kernel completes handshakes; nobody ever reads or writes
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
}

SilentServer::~SilentServer() { ::close(m_fd); }

int closedPort()
{
    SilentServer probe;
    return probe.port(); // closed again when probe goes away
}

} // namespace sshtest
