// Snapshots against a real OpenSSH server started by the test in its own network namespace, loaded with the
// Docker 28 + Tailscale fixture so that iptables-save over SSH returns it for real. No Docker engine runs
// here: the server's PATH holds a `docker` script that prints the fixture's JSON (see support/testsshd.cpp).
#include "support/testsshd.h"

#include "model/snapshotbuilder.h"
#include "model/snapshotfile.h"
#include "remote/snapshotcollector.h"
#include "remote/sshhostsession.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSysInfo>
#include <QTest>

#include <nlohmann/json.hpp>

#include <future>

using namespace sshtest;
namespace sk = model::SourceKind;

namespace {

remote::ConnectOptions optionsFor(const TestSshd& server, const QString& user = QStringLiteral("root"))
{
    remote::ConnectOptions options;
    options.host = server.address().toStdString();
    options.port = server.port();
    options.user = user.toStdString();
    options.identityFile = server.clientKey().toStdString();
    options.sshConfigFile = server.emptySshConfig().toStdString();
    options.knownHostsFile = server.path(QStringLiteral("known_hosts")).toStdString();
    options.connectTimeoutSeconds = 10;
    options.commandTimeoutSeconds = 60;
    return options;
}

void trust(const TestSshd& server, const QByteArray& line)
{
    QFile file(server.path(QStringLiteral("known_hosts")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(line);
}

QByteArray knownHosts(const TestSshd& server)
{
    QFile file(server.path(QStringLiteral("known_hosts")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Runs a whole snapshot on its own thread, as the GUI does; the session lives and dies there.
std::future<remote::Outcome<remote::RemoteCapture>> collectAsync(remote::ConnectOptions options,
    remote::SessionCallbacks callbacks, remote::CancelTokenPtr cancel = std::make_shared<remote::CancelToken>())
{
    return std::async(
        std::launch::async, [options = std::move(options), callbacks = std::move(callbacks), cancel]() mutable {
            remote::SshHostSession session(options, cancel);
            remote::SnapshotCollector collector(session, callbacks, cancel);
            return collector.collect();
        });
}

remote::Outcome<remote::RemoteCapture> collect(
    const remote::ConnectOptions& options, remote::SessionCallbacks callbacks = {})
{
    return collectAsync(options, std::move(callbacks)).get();
}

remote::Outcome<remote::Done> openSession(const remote::ConnectOptions& options, remote::SessionCallbacks& callbacks)
{
    remote::SshHostSession session(options, nullptr);
    auto opened = session.open(callbacks);
    session.close();
    return opened;
}

const model::SourceRecord* find(const remote::RemoteCapture& capture, const char* kind)
{
    for (const auto& source : capture.sources)
        if (source.kind == kind && source.variant.empty())
            return &source;
    return nullptr;
}

QString describe(const remote::SessionError& error)
{
    return QStringLiteral("%1: %2 (%3)")
        .arg(QString::fromLatin1(remote::errorCodeName(error.code)), QString::fromStdString(error.message),
            QString::fromStdString(error.detail));
}

template <typename T> QString why(const remote::Outcome<T>& outcome)
{
    return outcome.ok() ? QString() : describe(outcome.error());
}

} // namespace

#define REQUIRE_SERVER(server) QVERIFY2((server).isValid(), qPrintable((server).error()))

class TestSshSnapshot : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the ssh tests need root: they create network namespaces");
        QVERIFY2(QFile::exists(QStringLiteral("/usr/sbin/sshd")), "openssh-server is not installed");
        QVERIFY2(QFile::exists(QStringLiteral("/usr/bin/sudo")), "sudo is not installed");
        // only the agent a test starts itself may take part
        qunsetenv("SSH_AUTH_SOCK");
        TestSshd::removeOrphans();
    }

    void fullSnapshotEqualsTheFixture();
    void unknownHostKeyRejected();
    void unknownHostKeyAcceptedOnce();
    void unknownHostKeyAcceptedAndSaved();
    void hashedKnownHostsEntry();
    void changedHostKeyIsRefused();
    void authenticationFailure();
    void keyWithPassphrase();
    void agentAuthentication();
    void connectionRefused();
    void silentServerTimesOut();
    void missingCommandIsRecordedAbsent();
    void sudoRefusingWithoutPassword();
    void fiftyMegabytesOfOutput();
    void cancelInTheMiddle();
    void commandTimeout();
    void serverDropsTheConnection();
    void cliSnapshot();
    void nothingLeftBehind();

    void cleanupTestCase()
    {
        const auto list = runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("list") });
        const QString ours = QStringLiteral("css-%1-").arg(QCoreApplication::applicationPid());
        QVERIFY2(!QString::fromUtf8(list.out).contains(ours), "a namespace of this test is still there");
    }
};

void TestSshSnapshot::fullSnapshotEqualsTheFixture()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    std::vector<std::string> steps;
    remote::SessionCallbacks callbacks;
    callbacks.progressed = [&](int step, int total, const std::string& label) {
        QVERIFY(step >= 1 && step <= total);
        steps.push_back(label);
    };
    const auto result = collect(optionsFor(server), callbacks);
    QVERIFY2(result.ok(), qPrintable(why(result)));
    const auto& capture = result.value();

    const auto* v4 = find(capture, sk::IptablesV4);
    QVERIFY(v4 && !v4->absent && v4->exitStatus == 0);
    QCOMPARE(normalizedRules(QByteArray::fromStdString(v4->text)), normalizedRules(server.fixtureRules()));
    // -c: counters recorded, and the SSH traffic itself went through INPUT
    const auto counted = QRegularExpression(QStringLiteral("\\n\\[([1-9]\\d*):\\d+\\] -A INPUT -j ts-input\\n"))
                             .match(QString::fromStdString(v4->text));
    QVERIFY(counted.hasMatch());
    const auto* v6 = find(capture, sk::IptablesV6);
    QVERIFY(v6 && !v6->absent);
    QCOMPARE(normalizedRules(QByteArray::fromStdString(v6->text)), normalizedRules(server.fixtureRules6()));
    // the legacy backend holds nothing in the namespace, so no per-backend dumps are kept
    for (const auto& source : capture.sources)
        QVERIFY2(source.variant.empty(), source.origin.c_str());

    QCOMPARE(QByteArray::fromStdString(find(capture, sk::DockerNetworks)->text), server.fixtureNetworks());
    QCOMPARE(QByteArray::fromStdString(find(capture, sk::DockerContainers)->text), server.containersJson());
    QCOMPARE(QByteArray::fromStdString(find(capture, sk::DockerVersion)->text), server.dockerVersionJson());
    QCOMPARE(QByteArray::fromStdString(find(capture, sk::DockerInfo)->text), server.dockerInfoJson());
    QVERIFY(find(capture, sk::DockerNetworks)->origin.find("network inspect 1671efb8c6b2") != std::string::npos);

    QCOMPARE(QString::fromStdString(find(capture, sk::Hostname)->text).trimmed(), QSysInfo::machineHostName());
    QCOMPARE(QString::fromStdString(find(capture, sk::KernelRelease)->text).trimmed(), QSysInfo::kernelVersion());
    QCOMPARE(capture.meta.hostname, QSysInfo::machineHostName().toStdString());
    const auto addresses = nlohmann::json::parse(find(capture, sk::IpAddr)->text);
    QVERIFY(find(capture, sk::IpAddr)->text.find(server.address().toStdString()) != std::string::npos);
    QVERIFY(addresses.is_array() && addresses.size() == 2); // lo and the veth: the namespace's view
    QVERIFY(nlohmann::json::parse(find(capture, sk::IpRoute)->text).is_array());
    QVERIFY(find(capture, sk::Sysctl)->text.find("net.ipv4.ip_forward = ") != std::string::npos);
    QFile resolv(QStringLiteral("/etc/resolv.conf"));
    if (resolv.open(QIODevice::ReadOnly))
        QCOMPARE(QByteArray::fromStdString(find(capture, sk::ResolvConf)->text), resolv.readAll());
    QCOMPARE(find(capture, sk::DaemonJson)->absent, !QFile::exists(QStringLiteral("/etc/docker/daemon.json")));

    for (const auto& source : capture.sources) {
        QCOMPARE(source.sha256, model::sha256Hex(source.text));
        QVERIFY2(source.absent || source.exitStatus == 0, source.origin.c_str());
        QVERIFY2(source.origin.rfind("sudo", 0) != 0, "root needs no sudo");
    }
    QCOMPARE(
        capture.meta.takenFrom, "ssh root@" + server.address().toStdString() + ":" + std::to_string(server.port()));
    QVERIFY(steps.size() > 10);
    QCOMPARE(steps.front(), std::string("connecting"));

    // every captured source reads back strictly: what the rest of Chainsight works from
    const auto built
        = model::snapshotFromSources(capture.meta, capture.sources, model::BuildOptions { .strict = true });
    QVERIFY2(built.ok(), built.ok() ? "" : built.error().toString().c_str());
    QVERIFY(built.value()->ipv4 && built.value()->ipv6 && built.value()->docker && built.value()->interfaces);
    QVERIFY(built.value()->docker->networks && built.value()->docker->networks->size() == 2);
    QCOMPARE(built.value()->docker->version.value_or(""), std::string("28.5.2"));
}

void TestSshSnapshot::unknownHostKeyRejected()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, {});
    std::vector<remote::HostKeyInfo> asked;
    remote::SessionCallbacks callbacks;
    callbacks.unknownHostKey = [&](const remote::HostKeyInfo& info) {
        asked.push_back(info);
        return remote::HostKeyDecision::Reject;
    };
    const auto opened = openSession(optionsFor(server), callbacks);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, remote::ErrorCode::HostKeyUnknown);
    QCOMPARE(asked.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(asked.front().fingerprint), server.hostKeyFingerprint());
    QCOMPARE(asked.front().keyType, std::string("ssh-ed25519"));
    QCOMPARE(asked.front().port, server.port());
    QVERIFY(knownHosts(server).isEmpty());
    // no callback at all means no
    remote::SessionCallbacks none;
    QCOMPARE(openSession(optionsFor(server), none).error().code, remote::ErrorCode::HostKeyUnknown);
}

void TestSshSnapshot::unknownHostKeyAcceptedOnce()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, {});
    int asked = 0;
    remote::SessionCallbacks callbacks;
    callbacks.unknownHostKey = [&](const remote::HostKeyInfo&) {
        ++asked;
        return remote::HostKeyDecision::AcceptOnce;
    };
    const auto first = openSession(optionsFor(server), callbacks);
    QVERIFY2(first.ok(), qPrintable(why(first)));
    QVERIFY(knownHosts(server).isEmpty());
    QVERIFY(openSession(optionsFor(server), callbacks).ok());
    QCOMPARE(asked, 2); // once means once: asked again next time
}

void TestSshSnapshot::unknownHostKeyAcceptedAndSaved()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    QFile::remove(server.path(QStringLiteral("known_hosts"))); // not even the file exists yet
    int asked = 0;
    remote::SessionCallbacks callbacks;
    callbacks.unknownHostKey = [&](const remote::HostKeyInfo& info) {
        ++asked;
        [&] { QVERIFY(info.knownHostsFileMissing); }();
        return remote::HostKeyDecision::AcceptAndSave;
    };
    const auto first = openSession(optionsFor(server), callbacks);
    QVERIFY2(first.ok(), qPrintable(why(first)));
    QVERIFY(knownHosts(server).contains(server.address().toLatin1()));
    const auto second = openSession(optionsFor(server), callbacks);
    QVERIFY2(second.ok(), qPrintable(why(second)));
    QCOMPARE(asked, 1);
    // what was saved is what OpenSSH itself accepts
    const auto check = runProgram({ QStringLiteral("ssh-keygen"), QStringLiteral("-F"),
        QStringLiteral("[%1]:%2").arg(server.address()).arg(server.port()), QStringLiteral("-f"),
        server.path(QStringLiteral("known_hosts")) });
    QVERIFY2(check.ok(), qPrintable(check.describe()));
}

void TestSshSnapshot::hashedKnownHostsEntry()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    const auto hashed = runProgram({ QStringLiteral("ssh-keygen"), QStringLiteral("-H"), QStringLiteral("-f"),
        server.path(QStringLiteral("known_hosts")) });
    QVERIFY2(hashed.ok(), qPrintable(hashed.describe()));
    QVERIFY(knownHosts(server).startsWith("|1|"));
    bool asked = false;
    remote::SessionCallbacks callbacks;
    callbacks.unknownHostKey = [&](const remote::HostKeyInfo&) {
        asked = true;
        return remote::HostKeyDecision::Reject;
    };
    const auto opened = openSession(optionsFor(server), callbacks);
    QVERIFY2(opened.ok(), qPrintable(why(opened)));
    QVERIFY(!asked);
}

void TestSshSnapshot::changedHostKeyIsRefused()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.wrongKnownHostsLine());
    bool asked = false;
    remote::SessionCallbacks callbacks;
    callbacks.unknownHostKey = [&](const remote::HostKeyInfo&) {
        asked = true;
        return remote::HostKeyDecision::AcceptAndSave; // even a user who would accept anything is not asked
    };
    const auto opened = openSession(optionsFor(server), callbacks);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, remote::ErrorCode::HostKeyChanged);
    QVERIFY(!asked);
    const QString message = QString::fromStdString(opened.error().message);
    QVERIFY2(message.contains(QLatin1String("CHANGED")) && message.contains(server.hostKeyFingerprint()),
        qPrintable(message));
    QCOMPARE(knownHosts(server), server.wrongKnownHostsLine());
}

void TestSshSnapshot::authenticationFailure()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    auto options = optionsFor(server);
    options.identityFile = server.strangerKey().toStdString();
    remote::SessionCallbacks callbacks;
    const auto opened = openSession(options, callbacks);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, remote::ErrorCode::AuthFailed);
    QVERIFY(opened.error().message.find("Permission denied") != std::string::npos);
}

void TestSshSnapshot::keyWithPassphrase()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    auto options = optionsFor(server);
    options.identityFile = server.passphraseKey().toStdString();
    int asked = 0;
    QString answer = QStringLiteral("wrong");
    remote::SessionCallbacks callbacks;
    callbacks.keyPassphrase = [&](const std::string&, remote::Secret& secret) {
        ++asked;
        QByteArray bytes = answer.toUtf8();
        secret.assign(bytes.data(), static_cast<std::size_t>(bytes.size()));
        return true;
    };
    const auto wrong = openSession(options, callbacks);
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().code, remote::ErrorCode::AuthFailed);
    QVERIFY(asked >= 1);
    answer = TestSshd::passphrase();
    asked = 0;
    const auto right = openSession(options, callbacks);
    QVERIFY2(right.ok(), qPrintable(why(right)));
    QVERIFY(asked >= 1);
}

void TestSshSnapshot::agentAuthentication()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    const QString socket = server.startAgent();
    QVERIFY(!socket.isEmpty());
    auto options = optionsFor(server);
    options.identityFile = server.strangerKey().toStdString(); // on disk only a key the server refuses
    remote::SessionCallbacks callbacks;
    QCOMPARE(openSession(options, callbacks).error().code, remote::ErrorCode::AuthFailed);
    options.agentSocket = socket.toStdString();
    const auto opened = openSession(options, callbacks);
    QVERIFY2(opened.ok(), qPrintable(why(opened)));
}

void TestSshSnapshot::connectionRefused()
{
    remote::ConnectOptions options;
    options.host = "127.0.0.1";
    options.port = closedPort();
    options.user = "root";
    remote::SessionCallbacks callbacks;
    const auto opened = openSession(options, callbacks);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, remote::ErrorCode::ConnectFailed);
    QVERIFY(opened.error().message.find("refused") != std::string::npos);
}

void TestSshSnapshot::silentServerTimesOut()
{
    SilentServer silent;
    remote::ConnectOptions options;
    options.host = "127.0.0.1";
    options.port = silent.port();
    options.user = "root";
    options.connectTimeoutSeconds = 2;
    remote::SessionCallbacks callbacks;
    QElapsedTimer timer;
    timer.start();
    const auto opened = openSession(options, callbacks);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, remote::ErrorCode::Timeout);
    QVERIFY2(timer.elapsed() >= 1900 && timer.elapsed() < 8000, qPrintable(QString::number(timer.elapsed())));
}

void TestSshSnapshot::missingCommandIsRecordedAbsent()
{
    TestSshd server(ServerOptions { .withDocker = false });
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    const auto result = collect(optionsFor(server));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    for (const char* kind : { sk::DockerVersion, sk::DockerInfo, sk::DockerNetworks, sk::DockerContainers }) {
        const auto* source = find(result.value(), kind);
        QVERIFY2(source && source->absent && source->text.empty() && !source->exitStatus, kind);
    }
    QVERIFY(!find(result.value(), sk::IptablesV4)->absent);
}

void TestSshSnapshot::sudoRefusingWithoutPassword()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    const auto result = collect(optionsFor(server, TestSshd::nonRootUser()));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, remote::ErrorCode::SudoPasswordRequired);
    const std::string& message = result.error().message;
    QVERIFY2(
        message.find("sudo") != std::string::npos && message.find("password") != std::string::npos, message.c_str());
    QVERIFY2(
        message.find("csstest ALL=(root) NOPASSWD: /usr/sbin/iptables-save -c") != std::string::npos, message.c_str());

    // a sudo password offered through the callback is tried, and the refusal is reported as such
    int asked = 0;
    remote::SessionCallbacks callbacks;
    callbacks.sudoPassword = [&](const std::string&, remote::Secret& secret) {
        ++asked;
        char typed[] = "not the password";
        secret.assign(typed, sizeof typed - 1);
        return true;
    };
    const auto withPassword = collect(optionsFor(server, TestSshd::nonRootUser()), callbacks);
    QVERIFY(!withPassword.ok());
    QCOMPARE(withPassword.error().code, remote::ErrorCode::SudoRefused);
    QCOMPARE(asked, 1);
}

void TestSshSnapshot::fiftyMegabytesOfOutput()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    server.setDockerMode(QStringLiteral("big"), true);
    const auto result = collect(optionsFor(server));
    QVERIFY2(result.ok(), qPrintable(why(result)));
    const auto* info = find(result.value(), sk::DockerInfo);
    QCOMPARE(info->text.size(), std::size_t(52428800));
    QCOMPARE(info->sha256, model::sha256Hex(std::string(52428800, 'x')));
    QVERIFY(info->text.find_first_not_of('x') == std::string::npos);
}

void TestSshSnapshot::cancelInTheMiddle()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    server.setDockerMode(QStringLiteral("hang"), true);
    auto cancel = std::make_shared<remote::CancelToken>();
    auto running = collectAsync(optionsFor(server), {}, cancel);
    QVERIFY(server.waitForFile(QStringLiteral("docker/started"), 30000));
    QElapsedTimer timer;
    timer.start();
    cancel->cancel();
    QVERIFY(running.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    const auto result = running.get();
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, remote::ErrorCode::Cancelled);
    QVERIFY(timer.elapsed() < 2000);
}

void TestSshSnapshot::commandTimeout()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    server.setDockerMode(QStringLiteral("hang"), true);
    auto options = optionsFor(server);
    options.commandTimeoutSeconds = 2;
    const auto result = collect(options);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, remote::ErrorCode::Timeout);
    QVERIFY(result.error().message.find("network inspect") != std::string::npos);
}

void TestSshSnapshot::serverDropsTheConnection()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, server.knownHostsLine());
    server.setDockerMode(QStringLiteral("hang"), true);
    auto running = collectAsync(optionsFor(server), {});
    QVERIFY(server.waitForFile(QStringLiteral("docker/started"), 30000));
    server.killServer();
    QVERIFY(running.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    const auto result = running.get();
    QVERIFY(!result.ok());
    QVERIFY2(result.error().code == remote::ErrorCode::ConnectionLost, qPrintable(why(result)));
}

void TestSshSnapshot::cliSnapshot()
{
    TestSshd server;
    REQUIRE_SERVER(server);
    trust(server, {});
    const QString output = server.path(QStringLiteral("host.chainsight.json"));
    QProcess cli;
    cli.start(QStringLiteral(CHAINSIGHT_BINARY_DIR "/app/chainsight-cli"),
        { QStringLiteral("snapshot"), QStringLiteral("root@%1:%2").arg(server.address()).arg(server.port()),
            QStringLiteral("-o"), output, QStringLiteral("--ssh-config"), server.emptySshConfig(), QStringLiteral("-i"),
            server.clientKey(), QStringLiteral("--known-hosts"), server.path(QStringLiteral("known_hosts")),
            QStringLiteral("--accept-new-host-key"), QStringLiteral("--timeout"), QStringLiteral("30") });
    QVERIFY(cli.waitForFinished(120000));
    const QByteArray err = cli.readAllStandardError();
    QVERIFY2(cli.exitCode() == 0, err.constData());
    QVERIFY(err.contains(server.hostKeyFingerprint().toLatin1()));
    QVERIFY(knownHosts(server).contains(server.address().toLatin1()));
    const auto loaded = model::loadSnapshotFile(output);
    QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
    const auto& snapshot = *loaded.value();
    QVERIFY(snapshot.ipv4 && snapshot.ipv6);
    QCOMPARE(normalizedRules(QByteArray::fromStdString(snapshot.source(sk::IptablesV4)->text)),
        normalizedRules(server.fixtureRules()));
    QCOMPARE(
        snapshot.meta.takenFrom, "ssh root@" + server.address().toStdString() + ":" + std::to_string(server.port()));
    QVERIFY(snapshot.docker.has_value());

    // without the flag and without a terminal, an unknown key is refused
    trust(server, {});
    QProcess refused;
    refused.start(QStringLiteral(CHAINSIGHT_BINARY_DIR "/app/chainsight-cli"),
        { QStringLiteral("snapshot"), QStringLiteral("root@%1:%2").arg(server.address()).arg(server.port()),
            QStringLiteral("-o"), output + QStringLiteral(".2"), QStringLiteral("--ssh-config"),
            server.emptySshConfig(), QStringLiteral("-i"), server.clientKey(), QStringLiteral("--known-hosts"),
            server.path(QStringLiteral("known_hosts")) });
    refused.closeWriteChannel();
    QVERIFY(refused.waitForFinished(60000));
    QCOMPARE(refused.exitCode(), 2);
    QVERIFY(!QFile::exists(output + QStringLiteral(".2")));
}

void TestSshSnapshot::nothingLeftBehind()
{
    QString ns;
    QString dir;
    {
        TestSshd server;
        REQUIRE_SERVER(server);
        QVERIFY(!server.startAgent().isEmpty());
        ns = server.namespaceName();
        dir = server.dir();
        QVERIFY(
            !runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("pids"), ns }).out.isEmpty());
    }
    QVERIFY(!runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("list") })
                 .out.contains(ns.toLatin1()));
    QVERIFY(!QFile::exists(dir));
    // no process still refers to the server's directory (sshd, its sessions, the agent)
    for (const auto& pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        QFile cmdline(QStringLiteral("/proc/") + pid + QStringLiteral("/cmdline"));
        if (cmdline.open(QIODevice::ReadOnly))
            QVERIFY2(!cmdline.readAll().contains(dir.toUtf8()), qPrintable(pid));
    }
}

QTEST_GUILESS_MAIN(TestSshSnapshot)
#include "tst_sshsnapshot.moc"
