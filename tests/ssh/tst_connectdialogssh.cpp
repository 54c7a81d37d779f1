// File > Connect to Host against the real sshd from support/testsshd: the dialog, the application's SSH
// connector and the window, end to end. The user answers the host-key prompt (and, for a user that is not
// root, sudo's password) in the dialog, and the snapshot opens in the window.
#include "support/testsshd.h"

#include "app/sshconnector.h"
#include "views/connectdialog.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace sshtest;

namespace {

remote::ConnectOptions baseOptions(const TestSshd& server)
{
    remote::ConnectOptions options;
    options.sshConfigFile = server.emptySshConfig().toStdString();
    options.knownHostsFile = server.path(QStringLiteral("known_hosts")).toStdString();
    options.connectTimeoutSeconds = 10;
    options.commandTimeoutSeconds = 60;
    return options;
}

template <typename T> T* named(const QWidget* parent, const char* name)
{
    return parent->findChild<T*>(QString::fromUtf8(name));
}

} // namespace

class TestConnectDialogSsh final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void hostKeyAndSudoPasswordThenTheSnapshotOpens();

private:
    views::ConnectDialog* startDialog(views::MainWindow& window, const views::ConnectRequest& request);
    views::SyntaxSupport m_plain { nullptr };
};

void TestConnectDialogSsh::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("ChainsightTests"));
    QApplication::setApplicationName(QStringLiteral("tst_connectdialogssh"));
    QSettings().clear();
}

views::ConnectDialog* TestConnectDialogSsh::startDialog(views::MainWindow& window, const views::ConnectRequest& request)
{
    window.findChild<QAction*>(QStringLiteral("actionConnectToHost"))->trigger();
    auto* dialog = window.findChild<views::ConnectDialog*>();
    if (!dialog || !dialog->isVisible())
        return nullptr;
    dialog->setRequest(request);
    QTest::mouseClick(named<QPushButton>(dialog, "ConnectButton"), Qt::LeftButton);
    return dialog;
}

// One connection (a snapshot takes a while): a user that is not root, an unknown host key, then sudo's password.
void TestConnectDialogSsh::hostKeyAndSudoPasswordThenTheSnapshotOpens()
{
    TestSshd server;
    QVERIFY2(server.isValid(), qPrintable(server.error()));
    app::SshConnector connector(baseOptions(server));
    views::MainWindow window(&m_plain);
    window.setHostConnector(&connector);
    window.show();
    QSignalSpy opened(&window, &views::MainWindow::snapshotsOpened);

    views::ConnectDialog* dialog
        = startDialog(window, { server.address(), TestSshd::nonRootUser(), server.port(), server.clientKey() });
    QVERIFY(dialog);
    // known_hosts is empty: the dialog shows the server's real fingerprint and waits.
    QTRY_VERIFY_WITH_TIMEOUT(named<QWidget>(dialog, "HostKeyPrompt")->isVisible(), 20000);
    QCOMPARE(named<QLabel>(dialog, "HostKeyFingerprint")->text(), server.hostKeyFingerprint());
    QTest::mouseClick(named<QPushButton>(dialog, "HostKeyAcceptSave"), Qt::LeftButton);

    auto* field = named<QLineEdit>(dialog, "SecretField");
    QTRY_VERIFY_WITH_TIMEOUT(field->isVisible(), 30000);
    QCOMPARE(field->echoMode(), QLineEdit::Password);
    QVERIFY(named<QLabel>(dialog, "SecretPromptText")->text().contains(QStringLiteral("sudo")));
    QTest::keyClicks(field, TestSshd::nonRootPassword());
    QTest::mouseClick(named<QPushButton>(dialog, "SecretSend"), Qt::LeftButton);
    QVERIFY(field->text().isEmpty());

    QVERIFY(opened.wait(90000));
    QCOMPARE(window.windowTitle(), TestSshd::nonRootUser() + QLatin1Char('@') + server.address());
    const model::SnapshotPtr snapshot = window.snapshot();
    QVERIFY(snapshot && snapshot->ipv4);
    QCOMPARE(normalizedRules(QByteArray::fromStdString(snapshot->source(model::SourceKind::IptablesV4)->text)),
        normalizedRules(server.fixtureRules()));
    QTRY_VERIFY(!window.findChild<views::ConnectDialog*>());
    // Accept and Save wrote the key, and the host is offered first next time.
    QFile knownHosts(server.path(QStringLiteral("known_hosts")));
    QVERIFY(knownHosts.open(QIODevice::ReadOnly));
    QVERIFY(!knownHosts.readAll().trimmed().isEmpty());
    QCOMPARE(views::ConnectDialog::recentHosts().value(0), server.address());
}

QTEST_MAIN(TestConnectDialogSsh)
#include "tst_connectdialogssh.moc"
