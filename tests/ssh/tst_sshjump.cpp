// ProxyJump against two real sshds: a jump host, and a target whose only link goes to the jump host's
// namespace, so that the target can be reached through the jump host and no other way. Only the target holds
// the fixture ruleset, so a snapshot that shows it came from the target. Both host keys are checked by
// Chainsight itself, through the same callback, on libssh 0.10 and 0.11 alike.
#include "support/testsshd.h"

#include "remote/snapshotcollector.h"
#include "remote/sshhostsession.h"

#include <QFile>
#include <QProcess>
#include <QTest>

#include <future>
#include <vector>

using namespace sshtest;
namespace sk = model::SourceKind;

namespace {

ServerOptions jumpHostOptions()
{
    ServerOptions options;
    options.withDocker = false;
    options.loadFixture = false; // an empty firewall: a snapshot of the jump host would not match the fixture
    return options;
}

ServerOptions behind(const TestSshd& jump)
{
    ServerOptions options;
    options.linkedTo = jump.namespaceName();
    return options;
}

void writeText(const QString& path, const QByteArray& text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
}

QByteArray readText(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// "csstarget" goes through "cssjump"; each has its own client key. On the target, the user that is not root
// (its commands go through sudo): root's shell startup files on a developer machine can make each command slow.
QString writeConfig(const TestSshd& jump, const TestSshd& target)
{
    const QString config = jump.path(QStringLiteral("jump_config"));
    writeText(config,
        QStringLiteral("Host csstarget\n  HostName %1\n  Port %2\n  User csstest\n  IdentityFile %3\n  ProxyJump cssjump\n"
                       "Host cssjump\n  HostName %4\n  Port %5\n  User root\n  IdentityFile %6\n")
            .arg(target.address())
            .arg(target.port())
            .arg(target.clientKey(), jump.address())
            .arg(jump.port())
            .arg(jump.clientKey())
            .toUtf8());
    return config;
}

remote::ConnectOptions throughConfig(const TestSshd& jump, const TestSshd& target)
{
    remote::ConnectOptions options;
    options.host = "csstarget";
    options.sshConfigFile = writeConfig(jump, target).toStdString();
    options.knownHostsFile = jump.path(QStringLiteral("known_hosts")).toStdString();
    options.connectTimeoutSeconds = 10;
    options.commandTimeoutSeconds = 60;
    return options;
}

QString why(const remote::SessionError& error)
{
    return QStringLiteral("%1: %2 (%3)")
        .arg(QString::fromLatin1(remote::errorCodeName(error.code)), QString::fromStdString(error.message),
            QString::fromStdString(error.detail));
}

remote::Outcome<remote::Done> openAndClose(const remote::ConnectOptions& options, remote::SessionCallbacks& callbacks)
{
    remote::SshHostSession session(options, nullptr);
    auto opened = session.open(callbacks);
    session.close();
    return opened;
}

} // namespace

#define REQUIRE_SERVER(server) QVERIFY2((server).isValid(), qPrintable((server).error()))

class TestSshJump : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the ssh tests need root: they create network namespaces");
        qunsetenv("SSH_AUTH_SOCK");
        TestSshd::removeOrphans();
    }

    void snapshotThroughTheConfiguredJumpHost()
    {
        TestSshd jump(jumpHostOptions());
        REQUIRE_SERVER(jump);
        TestSshd target(behind(jump));
        REQUIRE_SERVER(target);
        const auto options = throughConfig(jump, target);
        writeText(QString::fromStdString(options.knownHostsFile), jump.knownHostsLine() + target.knownHostsLine());
        auto cancel = std::make_shared<remote::CancelToken>();
        auto running = std::async(std::launch::async, [&] {
            remote::SessionCallbacks callbacks; // any unknown key would be rejected
            callbacks.sudoPassword = [](const std::string&, remote::Secret& secret) {
                QByteArray password = TestSshd::nonRootPassword().toUtf8();
                secret.assign(password.data(), static_cast<std::size_t>(password.size()));
                return true;
            };
            remote::SshHostSession session(options, cancel);
            remote::SnapshotCollector collector(session, callbacks, cancel);
            return collector.collect();
        });
        const auto result = running.get();
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(why(result.error())));
        const model::SourceRecord* rules = nullptr;
        for (const auto& source : result.value().sources)
            if (source.kind == sk::IptablesV4 && source.variant.empty())
                rules = &source;
        QVERIFY(rules);
        QCOMPARE(normalizedRules(QByteArray::fromStdString(rules->text)), normalizedRules(target.fixtureRules()));
        QCOMPARE(result.value().meta.takenFrom,
            "ssh csstest@" + target.address().toStdString() + ":" + std::to_string(target.port()));
    }

    void unknownKeysOfBothHostsGoToTheCallback()
    {
        TestSshd jump(jumpHostOptions());
        REQUIRE_SERVER(jump);
        TestSshd target(behind(jump));
        REQUIRE_SERVER(target);
        const auto options = throughConfig(jump, target);
        writeText(QString::fromStdString(options.knownHostsFile), {});
        std::vector<remote::HostKeyInfo> asked;
        remote::HostKeyDecision decision = remote::HostKeyDecision::Reject;
        remote::SessionCallbacks callbacks;
        callbacks.unknownHostKey = [&](const remote::HostKeyInfo& info) {
            asked.push_back(info);
            return decision;
        };
        // the jump host is asked about first; rejecting it ends the connection there
        const auto rejected = openAndClose(options, callbacks);
        QVERIFY(!rejected.ok());
        QCOMPARE(rejected.error().code, remote::ErrorCode::HostKeyUnknown);
        QVERIFY2(rejected.error().message.find("Jump host cssjump") != std::string::npos,
            rejected.error().message.c_str());
        QCOMPARE(asked.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(asked[0].host), jump.address());
        QCOMPARE(asked[0].port, jump.port());
        QCOMPARE(QString::fromStdString(asked[0].fingerprint), jump.hostKeyFingerprint());

        asked.clear();
        decision = remote::HostKeyDecision::AcceptAndSave;
        const auto saved = openAndClose(options, callbacks);
        QVERIFY2(saved.ok(), saved.ok() ? "" : qPrintable(why(saved.error())));
        QCOMPARE(asked.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(asked[0].fingerprint), jump.hostKeyFingerprint());
        QCOMPARE(QString::fromStdString(asked[1].host), target.address());
        QCOMPARE(QString::fromStdString(asked[1].fingerprint), target.hostKeyFingerprint());
        const QByteArray known = readText(QString::fromStdString(options.knownHostsFile));
        QVERIFY(known.contains(QByteArray("[" + jump.address().toLatin1() + "]:" + QByteArray::number(jump.port()))));
        QVERIFY(known.contains(QByteArray("[" + target.address().toLatin1() + "]:" + QByteArray::number(target.port()))));

        asked.clear(); // both keys saved: nobody is asked again
        const auto again = openAndClose(options, callbacks);
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(why(again.error())));
        QVERIFY(asked.empty());
    }

    void changedJumpHostKeyIsRefused()
    {
        TestSshd jump(jumpHostOptions());
        REQUIRE_SERVER(jump);
        TestSshd target(behind(jump));
        REQUIRE_SERVER(target);
        const auto options = throughConfig(jump, target);
        writeText(
            QString::fromStdString(options.knownHostsFile), jump.wrongKnownHostsLine() + target.knownHostsLine());
        int asked = 0;
        remote::SessionCallbacks callbacks;
        callbacks.unknownHostKey = [&](const remote::HostKeyInfo&) {
            ++asked;
            return remote::HostKeyDecision::AcceptAndSave;
        };
        const auto opened = openAndClose(options, callbacks);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().code, remote::ErrorCode::HostKeyChanged);
        QVERIFY(opened.error().message.find("CHANGED") != std::string::npos);
        QVERIFY(opened.error().message.find(jump.address().toStdString()) != std::string::npos);
        QCOMPARE(asked, 0);
    }

    void jumpHostGivenLikeDashJ()
    {
        TestSshd jump(jumpHostOptions());
        REQUIRE_SERVER(jump);
        TestSshd target(behind(jump));
        REQUIRE_SERVER(target);
        // no alias: the target by address, the jump host as `-J root@address:port`; its key comes from the config
        const QString config = jump.path(QStringLiteral("dash_j_config"));
        writeText(config, QStringLiteral("Host %1\n  IdentityFile %2\n").arg(jump.address(), jump.clientKey()).toUtf8());
        remote::ConnectOptions options;
        options.host = target.address().toStdString();
        options.port = target.port();
        options.user = "root";
        options.identityFile = target.clientKey().toStdString();
        options.proxyJump = QStringLiteral("root@%1:%2").arg(jump.address()).arg(jump.port()).toStdString();
        options.sshConfigFile = config.toStdString();
        options.knownHostsFile = jump.path(QStringLiteral("known_hosts")).toStdString();
        options.connectTimeoutSeconds = 10;
        writeText(QString::fromStdString(options.knownHostsFile), jump.knownHostsLine() + target.knownHostsLine());
        remote::SessionCallbacks callbacks;
        remote::SshHostSession session(options, nullptr);
        const auto opened = session.open(callbacks);
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(why(opened.error())));
        std::string output;
        const auto ran = session.run("ip -o -4 addr show", [&](std::string_view chunk) { output.append(chunk); });
        QVERIFY(ran.ok());
        QVERIFY2(output.find(target.address().toStdString() + "/30") != std::string::npos, output.c_str());
        QVERIFY2(output.find(jump.address().toStdString() + "/30") == std::string::npos, output.c_str());
    }

    void cliWithDashJ()
    {
        TestSshd jump(jumpHostOptions());
        REQUIRE_SERVER(jump);
        TestSshd target(behind(jump));
        REQUIRE_SERVER(target);
        const QString config = jump.path(QStringLiteral("cli_config"));
        writeText(config, QStringLiteral("Host %1\n  IdentityFile %2\n").arg(jump.address(), jump.clientKey()).toUtf8());
        const QString knownHosts = jump.path(QStringLiteral("cli_known_hosts"));
        writeText(knownHosts, {});
        const QString cliPath = QStringLiteral(CHAINSIGHT_BINARY_DIR "/app/chainsight-cli");
        const QStringList common { QStringLiteral("snapshot"),
            QStringLiteral("csstest@%1:%2").arg(target.address()).arg(target.port()), QStringLiteral("-o"),
            jump.path(QStringLiteral("out.chainsight.json")), QStringLiteral("--ssh-config"), config,
            QStringLiteral("-i"), target.clientKey(), QStringLiteral("--known-hosts"), knownHosts,
            QStringLiteral("--accept-new-host-key"), QStringLiteral("-J") };
        QProcess bad;
        bad.start(cliPath, common + QStringList { QStringLiteral("root@bad host") });
        QVERIFY(bad.waitForFinished(30000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAllStandardError().contains("not a jump host: root@bad host"));

        // with no terminal the sudo password cannot be asked: the run ends there, on the target, after both
        // unknown host keys were shown and saved
        QProcess cli;
        cli.start(cliPath, common + QStringList { QStringLiteral("root@%1:%2").arg(jump.address()).arg(jump.port()) });
        cli.closeWriteChannel();
        QVERIFY(cli.waitForFinished(60000));
        const QByteArray err = cli.readAllStandardError();
        QCOMPARE(cli.exitCode(), 2);
        QVERIFY2(err.contains(jump.hostKeyFingerprint().toLatin1()), err.constData());
        QVERIFY2(err.contains(target.hostKeyFingerprint().toLatin1()), err.constData());
        QVERIFY2(err.contains(QByteArray("sudo on " + target.address().toLatin1() + " wants a password for csstest")),
            err.constData());
        const QByteArray known = readText(knownHosts);
        QVERIFY(known.contains(QByteArray("[" + jump.address().toLatin1() + "]:")));
        QVERIFY(known.contains(QByteArray("[" + target.address().toLatin1() + "]:")));
    }

    void cleanupTestCase()
    {
        const auto list = runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("list") });
        const QString ours = QStringLiteral("css-%1-").arg(QCoreApplication::applicationPid());
        QVERIFY2(!QString::fromUtf8(list.out).contains(ours), "a namespace of this test is still there");
    }
};

QTEST_GUILESS_MAIN(TestSshJump)
#include "tst_sshjump.moc"
