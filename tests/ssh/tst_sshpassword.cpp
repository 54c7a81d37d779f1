// Passwords against the real sshd: password login as the last resort, the sudo password given once
// and sent on stdin (`sudo -S`) for a user that is not root, and sudo's refusal recognised when the server's
// sessions speak German.
#include "support/testsshd.h"

#include "remote/snapshotcollector.h"
#include "remote/sshhostsession.h"

#include <QFile>
#include <QTest>

#include <future>

using namespace sshtest;

namespace {

remote::ConnectOptions optionsFor(const TestSshd& server)
{
    remote::ConnectOptions options;
    options.host = server.address().toStdString();
    options.port = server.port();
    options.user = TestSshd::nonRootUser().toStdString();
    options.identityFile = server.clientKey().toStdString();
    options.sshConfigFile = server.emptySshConfig().toStdString();
    options.knownHostsFile = server.path(QStringLiteral("known_hosts")).toStdString();
    options.connectTimeoutSeconds = 10;
    options.commandTimeoutSeconds = 60;
    QFile file(server.path(QStringLiteral("known_hosts")));
    if (file.open(QIODevice::WriteOnly))
        file.write(server.knownHostsLine());
    return options;
}

void answer(remote::Secret& secret, const QString& text)
{
    QByteArray bytes = text.toUtf8();
    secret.assign(bytes.data(), static_cast<std::size_t>(bytes.size()));
}

} // namespace

class TestSshPassword : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the ssh tests need root: they create network namespaces");
        qunsetenv("SSH_AUTH_SOCK");
        TestSshd::removeOrphans();
    }

    void passwordIsTheLastResort()
    {
        TestSshd server;
        QVERIFY2(server.isValid(), qPrintable(server.error()));
        auto options = optionsFor(server);
        options.identityFile = server.strangerKey().toStdString();
        QString typed = QStringLiteral("wrong");
        int asked = 0;
        remote::SessionCallbacks callbacks;
        callbacks.password = [&](const std::string& prompt, bool echo, remote::Secret& secret) {
            ++asked;
            [&] {
                QVERIFY(!echo);
                QVERIFY(prompt.find("csstest@") != std::string::npos);
            }();
            answer(secret, typed);
            return true;
        };
        {
            remote::SshHostSession session(options, nullptr);
            const auto opened = session.open(callbacks);
            QVERIFY(!opened.ok());
            QCOMPARE(opened.error().code, remote::ErrorCode::AuthFailed);
            QCOMPARE(asked, 3);
        }
        typed = TestSshd::nonRootPassword();
        asked = 0;
        remote::SshHostSession session(options, nullptr);
        const auto opened = session.open(callbacks);
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        QCOMPARE(asked, 1);
    }

    void sudoPasswordGivenOnce()
    {
        TestSshd server;
        QVERIFY2(server.isValid(), qPrintable(server.error()));
        int asked = 0;
        remote::SessionCallbacks callbacks;
        callbacks.sudoPassword = [&](const std::string& prompt, remote::Secret& secret) {
            ++asked;
            [&] { QVERIFY(prompt.find("sudo") != std::string::npos); }();
            answer(secret, TestSshd::nonRootPassword());
            return true;
        };
        auto cancel = std::make_shared<remote::CancelToken>();
        auto running = std::async(std::launch::async, [&] {
            remote::SshHostSession session(optionsFor(server), cancel);
            remote::SnapshotCollector collector(session, callbacks, cancel);
            return collector.collect();
        });
        const auto result = running.get();
        QVERIFY2(result.ok(), result.ok() ? "" : (result.error().message + " " + result.error().detail).c_str());
        QCOMPARE(asked, 1);
        const model::SourceRecord* rules = nullptr;
        for (const auto& source : result.value().sources)
            if (source.kind == model::SourceKind::IptablesV4 && source.variant.empty())
                rules = &source;
        QVERIFY(rules);
        QCOMPARE(rules->origin.rfind("/usr/bin/env LC_ALL=C /usr/bin/sudo -S -p '' ", 0), std::size_t(0));
        QCOMPARE(normalizedRules(QByteArray::fromStdString(rules->text)), normalizedRules(server.fixtureRules()));
        for (const auto& source : result.value().sources)
            QVERIFY2(source.absent || source.exitStatus == 0, source.origin.c_str());
    }

    void sudoRefusalInAnotherLanguage()
    {
        ServerOptions german;
        german.language = QStringLiteral("de_DE");
        TestSshd server(german);
        QVERIFY2(server.isValid(), qPrintable(server.error()));
        {
            // the server's own sudo really answers in German here, or this test would prove nothing
            remote::SessionCallbacks none;
            remote::SshHostSession session(optionsFor(server), nullptr);
            QVERIFY(session.open(none).ok());
            const auto asked = session.run("sudo -n true", [](std::string_view) {});
            QVERIFY(asked.ok());
            const std::string why = "sudo did not answer in German (is the de_DE.UTF-8 locale compiled? scripts/deps "
                                    "makes it): " + asked.value().errorText;
            QVERIFY2(asked.value().errorText.find("Passwort") != std::string::npos, why.c_str());
        }
        auto collect = [&](remote::SessionCallbacks callbacks) {
            auto cancel = std::make_shared<remote::CancelToken>();
            return std::async(std::launch::async, [&server, callbacks, cancel]() mutable {
                remote::SshHostSession session(optionsFor(server), cancel);
                remote::SnapshotCollector collector(session, callbacks, cancel);
                return collector.collect();
            }).get();
        };
        const auto refused = collect({});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, remote::ErrorCode::SudoPasswordRequired);
        remote::SessionCallbacks withPassword;
        withPassword.sudoPassword = [](const std::string&, remote::Secret& secret) {
            answer(secret, TestSshd::nonRootPassword());
            return true;
        };
        const auto result = collect(withPassword);
        QVERIFY2(result.ok(), result.ok() ? "" : (result.error().message + " " + result.error().detail).c_str());
        for (const auto& source : result.value().sources)
            if (source.kind == model::SourceKind::IptablesV4 && source.variant.empty())
                QCOMPARE(normalizedRules(QByteArray::fromStdString(source.text)), normalizedRules(server.fixtureRules()));
    }
};

QTEST_GUILESS_MAIN(TestSshPassword)
#include "tst_sshpassword.moc"
