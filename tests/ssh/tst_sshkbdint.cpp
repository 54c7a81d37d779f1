// Keyboard-interactive login against a real sshd that authenticates through PAM. The PAM configuration
// (pam_unix against the server's own shadow file) is bind-mounted over /etc/pam.d/sshd inside sshd's private
// mount namespace only, so nothing outside the test changes. The password method is off on this server, so a
// login by password can only have gone through keyboard-interactive prompts.
#include "support/testsshd.h"

#include "remote/sshhostsession.h"

#include <QFile>
#include <QTest>

#include <mutex>
#include <vector>

using namespace sshtest;

namespace {

std::mutex g_logMutex;
QStringList g_log;

void keepMessage(QtMsgType, const QMessageLogContext&, const QString& message)
{
    std::lock_guard lock(g_logMutex);
    g_log << message;
}

struct Prompt {
    std::string text;
    bool echo = true;
};

} // namespace

class TestSshKbdInt : public QObject {
    Q_OBJECT

private:
    QtMessageHandler m_previous = nullptr;

    static remote::ConnectOptions optionsFor(const TestSshd& server)
    {
        remote::ConnectOptions options;
        options.host = server.address().toStdString();
        options.port = server.port();
        options.user = TestSshd::nonRootUser().toStdString();
        options.identityFile = server.strangerKey().toStdString(); // refused: the prompts are what is left
        options.sshConfigFile = server.emptySshConfig().toStdString();
        options.knownHostsFile = server.path(QStringLiteral("known_hosts")).toStdString();
        options.connectTimeoutSeconds = 10;
        QFile file(server.path(QStringLiteral("known_hosts")));
        if (file.open(QIODevice::WriteOnly))
            file.write(server.knownHostsLine());
        return options;
    }

    static remote::Outcome<remote::Done> logIn(
        const TestSshd& server, const QString& typed, std::vector<Prompt>& prompts)
    {
        remote::SessionCallbacks callbacks;
        callbacks.password = [&](const std::string& prompt, bool echo, remote::Secret& secret) {
            prompts.push_back({ prompt, echo });
            QByteArray bytes = typed.toUtf8();
            secret.assign(bytes.data(), static_cast<std::size_t>(bytes.size()));
            return true;
        };
        remote::SshHostSession session(optionsFor(server), nullptr);
        auto opened = session.open(callbacks);
        if (opened.ok()) {
            std::string output;
            const auto ran = session.run("id -un", [&](std::string_view chunk) { output.append(chunk); });
            if (!ran.ok() || output != TestSshd::nonRootUser().toStdString() + "\n")
                return remote::sessionError(remote::ErrorCode::CommandFailed, "logged in as " + output);
        }
        return opened;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the ssh tests need root: they create network namespaces");
        QVERIFY2(QFile::exists(QStringLiteral("/etc/pam.d/sshd")), "openssh-server's PAM file is missing");
        qunsetenv("SSH_AUTH_SOCK");
        TestSshd::removeOrphans();
        m_previous = qInstallMessageHandler(&keepMessage);
    }

    void rightAnswerLogsIn()
    {
        ServerOptions options;
        options.keyboardInteractive = true;
        TestSshd server(options);
        QVERIFY2(server.isValid(), qPrintable(server.error()));
        std::vector<Prompt> prompts;
        const auto opened = logIn(server, TestSshd::nonRootPassword(), prompts);
        QVERIFY2(opened.ok(), opened.ok() ? "" : (opened.error().message + " " + opened.error().detail).c_str());
        QCOMPARE(prompts.size(), std::size_t(1));
        // the server's PAM prompt, not Chainsight's own password prompt, and marked as not to be echoed
        QVERIFY2(prompts[0].text.find("assword") != std::string::npos, prompts[0].text.c_str());
        QVERIFY2(prompts[0].text.find("csstest@") == std::string::npos, prompts[0].text.c_str());
        QVERIFY(!prompts[0].echo);
    }

    void wrongAnswerIsAnAuthError()
    {
        ServerOptions options;
        options.keyboardInteractive = true;
        TestSshd server(options);
        QVERIFY2(server.isValid(), qPrintable(server.error()));
        std::vector<Prompt> prompts;
        const QString wrong = QStringLiteral("not the css words");
        const auto opened = logIn(server, wrong, prompts);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().code, remote::ErrorCode::AuthFailed);
        QVERIFY(!prompts.empty());
        QVERIFY(!prompts[0].echo);
        // the answer appears in no message Chainsight gives or logs, and in no file it wrote
        QVERIFY(opened.error().message.find(wrong.toStdString()) == std::string::npos);
        QVERIFY(opened.error().detail.find(wrong.toStdString()) == std::string::npos);
        QFile known(server.path(QStringLiteral("known_hosts")));
        QVERIFY(known.open(QIODevice::ReadOnly));
        QVERIFY(!known.readAll().contains(wrong.toUtf8()));
    }

    void cleanupTestCase()
    {
        qInstallMessageHandler(m_previous);
        for (const QString& message : std::as_const(g_log)) {
            QVERIFY2(!message.contains(TestSshd::nonRootPassword()), qPrintable(message));
            QVERIFY2(!message.contains(QStringLiteral("not the css words")), qPrintable(message));
        }
        const auto list = runProgram({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("list") });
        const QString ours = QStringLiteral("css-%1-").arg(QCoreApplication::applicationPid());
        QVERIFY2(!QString::fromUtf8(list.out).contains(ours), "a namespace of this test is still there");
    }
};

QTEST_GUILESS_MAIN(TestSshKbdInt)
#include "tst_sshkbdint.moc"
