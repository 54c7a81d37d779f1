// Connecting the way `ssh` would: an ssh config alias supplies HostName, Port, User, IdentityFile and
// UserKnownHostsFile; what is given explicitly wins over the config, as on the ssh command line.
#include "support/testsshd.h"

#include "remote/sshhostsession.h"

#include <QFile>
#include <QTest>

using namespace sshtest;

namespace {

void writeText(const QString& path, const QByteArray& text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
}

} // namespace

class TestSshConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the ssh tests need root: they create network namespaces");
        qunsetenv("SSH_AUTH_SOCK");
        TestSshd::removeOrphans();
    }

    void aliasFromTheConfigFile()
    {
        TestSshd server;
        QVERIFY2(server.isValid(), qPrintable(server.error()));
        writeText(server.path(QStringLiteral("alias_known_hosts")), server.knownHostsLine());
        const QString config = server.path(QStringLiteral("alias_config"));
        writeText(config,
            QStringLiteral("Host cssfirewall\n  HostName %1\n  Port %2\n  User root\n  IdentityFile %3\n"
                           "  UserKnownHostsFile %4\n")
                .arg(server.address())
                .arg(server.port())
                .arg(server.clientKey(), server.path(QStringLiteral("alias_known_hosts")))
                .toUtf8());
        remote::ConnectOptions options;
        options.host = "cssfirewall";
        options.sshConfigFile = config.toStdString();
        options.connectTimeoutSeconds = 10;
        remote::SessionCallbacks callbacks; // an unknown key would be rejected: the config's known_hosts is used
        remote::SshHostSession session(options, nullptr);
        const auto opened = session.open(callbacks);
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        QCOMPARE(QString::fromStdString(session.host()), server.address());
        QCOMPARE(session.port(), server.port());
        QCOMPARE(session.user(), std::string("root"));
        std::string output;
        const auto ran = session.run("id -u", [&](std::string_view chunk) { output.append(chunk); });
        QVERIFY(ran.ok());
        QCOMPARE(output, std::string("0\n"));
        QCOMPARE(ran.value().exitStatus.value_or(-1), 0);
    }

    void explicitOptionsWinOverTheConfig()
    {
        TestSshd server;
        QVERIFY2(server.isValid(), qPrintable(server.error()));
        writeText(server.path(QStringLiteral("known_hosts")), server.knownHostsLine());
        const QString config = server.path(QStringLiteral("alias_config"));
        writeText(config,
            QStringLiteral("Host cssfirewall\n  HostName %1\n  Port 1\n  User nobody\n  IdentityFile %2\n")
                .arg(server.address(), server.strangerKey())
                .toUtf8());
        remote::ConnectOptions options;
        options.host = "cssfirewall";
        options.sshConfigFile = config.toStdString();
        options.port = server.port();
        options.user = "root";
        options.identityFile = server.clientKey().toStdString();
        options.knownHostsFile = server.path(QStringLiteral("known_hosts")).toStdString();
        remote::SessionCallbacks callbacks;
        remote::SshHostSession session(options, nullptr);
        const auto opened = session.open(callbacks);
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        QCOMPARE(session.port(), server.port());
        QCOMPARE(session.user(), std::string("root"));
    }

    void missingConfigFileIsAnError()
    {
        remote::ConnectOptions options;
        options.host = "cssfirewall";
        options.sshConfigFile = "/nonexistent/css-ssh-config";
        remote::SessionCallbacks callbacks;
        remote::SshHostSession session(options, nullptr);
        const auto opened = session.open(callbacks);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().code, remote::ErrorCode::Io);
    }
};

QTEST_GUILESS_MAIN(TestSshConfig)
#include "tst_sshconfig.moc"
