#include "model/snapshotfile.h"
#include "views/connectdialog.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"
#include "views/rulesdiffview.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using views::ConnectDialog;

// A HostConnector that does nothing by itself: the test plays the host by emitting its signals and reads what
// the dialog answered.
class FakeConnector final : public views::HostConnector {
    Q_OBJECT
public:
    using views::HostConnector::HostConnector;

    void start(const views::ConnectRequest& request) override
    {
        started = request;
        running = true;
    }
    void cancel() override { cancelled = true; }
    bool busy() const override { return running; }
    void answerHostKey(views::HostKeyAnswer answer) override { hostKey = answer; }
    void answerSecret(QByteArray* secret, bool accepted) override
    {
        secretAccepted = accepted;
        secretText = accepted ? QString::fromUtf8(*secret) : QString();
        secret->fill('\0');
    }

    // What the host does next.
    void finish(const model::SnapshotPtr& snapshot)
    {
        running = false;
        Q_EMIT finished(snapshot, {});
    }
    void fail(const QString& message, bool wasCancelled)
    {
        running = false;
        Q_EMIT failed(message, QString(), wasCancelled);
    }

    std::optional<views::ConnectRequest> started;
    bool running = false;
    bool cancelled = false;
    std::optional<views::HostKeyAnswer> hostKey;
    std::optional<bool> secretAccepted;
    QString secretText;
};

namespace {

model::SnapshotPtr demo(const char* name)
{
    auto loaded
        = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromUtf8(name));
    return loaded ? loaded.value() : nullptr;
}

template <typename T> T* child(const QWidget& parent, const char* name)
{
    return parent.findChild<T*>(QString::fromUtf8(name));
}

} // namespace

class TestConnectDialog final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void hostsComeFromTheSshConfigAndRecentHosts();
    void hostKeyPromptShowsTheFingerprint_data();
    void hostKeyPromptShowsTheFingerprint();
    void passwordsAreHiddenAndCleared();
    void progressAndSuccess();
    void cancelStopsTheConnection();
    void aFailureIsExplained();
    void remoteSnapshotOpensAsBeforeOrAfter();

private:
    QTemporaryDir m_dir;
    QString m_config;
};

void TestConnectDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("ChainsightTests"));
    QApplication::setApplicationName(QStringLiteral("tst_connectdialog"));
    m_config = m_dir.filePath(QStringLiteral("ssh_config"));
    QFile config(m_config);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("# a comment\nHost web1 web2\n  HostName 10.0.0.1\nhost=db\nHost *.internal !bastion\n"
                 "Match all\nHost *\n  User root\n");
}

void TestConnectDialog::init() { QSettings().clear(); }

void TestConnectDialog::hostsComeFromTheSshConfigAndRecentHosts()
{
    QCOMPARE(views::sshConfigHosts(m_config), (QStringList { QStringLiteral("web1"), QStringLiteral("web2"),
                                                   QStringLiteral("db") }));
    QVERIFY(views::sshConfigHosts(m_dir.filePath(QStringLiteral("missing"))).isEmpty());
    QSettings().setValue(QStringLiteral("Connect/recentHosts"), QStringList { QStringLiteral("db"), QStringLiteral("gw") });
    FakeConnector connector;
    ConnectDialog dialog(&connector, nullptr, m_config);
    // Recent hosts first, then the config's aliases, each once.
    QCOMPARE(dialog.offeredHosts(), (QStringList { QStringLiteral("db"), QStringLiteral("gw"), QStringLiteral("web1"),
                                        QStringLiteral("web2") }));
    QCOMPARE(dialog.request().host, QStringLiteral("db"));
}

void TestConnectDialog::hostKeyPromptShowsTheFingerprint_data()
{
    QTest::addColumn<QString>("button");
    QTest::addColumn<int>("answer");
    QTest::newRow("reject") << QStringLiteral("HostKeyReject") << int(views::HostKeyAnswer::Reject);
    QTest::newRow("accept once") << QStringLiteral("HostKeyAcceptOnce") << int(views::HostKeyAnswer::AcceptOnce);
    QTest::newRow("accept and save") << QStringLiteral("HostKeyAcceptSave") << int(views::HostKeyAnswer::AcceptAndSave);
}

void TestConnectDialog::hostKeyPromptShowsTheFingerprint()
{
    QFETCH(QString, button);
    QFETCH(int, answer);
    FakeConnector connector;
    ConnectDialog dialog(&connector, nullptr, m_config);
    dialog.show();
    dialog.setRequest({ QStringLiteral("web1"), QStringLiteral("admin"), 2222, QString() });
    QTest::mouseClick(child<QPushButton>(dialog, "ConnectButton"), Qt::LeftButton);
    QVERIFY(connector.started);
    QCOMPARE(connector.started->host, QStringLiteral("web1"));
    QCOMPARE(connector.started->user, QStringLiteral("admin"));
    QCOMPARE(connector.started->port, 2222);

    const QString fingerprint = QStringLiteral("SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8");
    Q_EMIT connector.hostKeyAsked({ QStringLiteral("web1"), 2222, QStringLiteral("ssh-ed25519"), fingerprint, false });
    QWidget* prompt = child<QWidget>(dialog, "HostKeyPrompt");
    QVERIFY(prompt->isVisible());
    QCOMPARE(child<QLabel>(dialog, "HostKeyFingerprint")->text(), fingerprint);
    QTest::mouseClick(dialog.findChild<QPushButton*>(button), Qt::LeftButton);
    QVERIFY(connector.hostKey);
    QCOMPARE(int(*connector.hostKey), answer);
    QVERIFY(!prompt->isVisible());
}

void TestConnectDialog::passwordsAreHiddenAndCleared()
{
    FakeConnector connector;
    ConnectDialog dialog(&connector, nullptr, m_config);
    dialog.show();
    dialog.setRequest({ QStringLiteral("web1"), {}, 0, {} });
    dialog.connectToHost();
    for (const views::SecretKind kind : { views::SecretKind::KeyPassphrase, views::SecretKind::SudoPassword }) {
        Q_EMIT connector.secretAsked(kind, QStringLiteral("[sudo] password for admin:"), false);
        auto* field = child<QLineEdit>(dialog, "SecretField");
        QVERIFY(field->isVisible());
        QCOMPARE(field->echoMode(), QLineEdit::Password);
        QTest::keyClicks(field, QStringLiteral("hunter2"));
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(connector.secretAccepted, true);
        QCOMPARE(connector.secretText, QStringLiteral("hunter2"));
        QVERIFY(field->text().isEmpty()); // nothing left behind in the widget
        QVERIFY(!field->isVisible());
    }
    // Skip declines.
    Q_EMIT connector.secretAsked(views::SecretKind::Password, QString(), false);
    QTest::mouseClick(child<QPushButton>(dialog, "SecretSkip"), Qt::LeftButton);
    QCOMPARE(connector.secretAccepted, false);
}

void TestConnectDialog::progressAndSuccess()
{
    FakeConnector connector;
    ConnectDialog dialog(&connector, nullptr, m_config);
    QSignalSpy taken(&dialog, &ConnectDialog::snapshotTaken);
    dialog.show();
    dialog.setRequest({ QStringLiteral("web2"), QStringLiteral("root"), 0, {} });
    dialog.connectToHost();
    QVERIFY(!child<QPushButton>(dialog, "ConnectButton")->isEnabled());
    Q_EMIT connector.progressed(3, 9, QStringLiteral("iptables-save -c"));
    QCOMPARE(dialog.statusText(), QStringLiteral("Step 3 of 9: iptables-save -c"));
    connector.finish(demo("after.chainsight.json"));
    QCOMPARE(taken.size(), 1);
    QCOMPARE(taken.front().at(1).toString(), QStringLiteral("root@web2"));
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(ConnectDialog::recentHosts().front(), QStringLiteral("web2"));
}

void TestConnectDialog::cancelStopsTheConnection()
{
    FakeConnector connector;
    ConnectDialog dialog(&connector, nullptr, m_config);
    dialog.show();
    dialog.setRequest({ QStringLiteral("web1"), {}, 0, {} });
    dialog.connectToHost();
    QTest::mouseClick(child<QPushButton>(dialog, "CancelButton"), Qt::LeftButton);
    QVERIFY(connector.cancelled);
    QVERIFY(dialog.isVisible()); // stays until the connection has stopped
    connector.fail(QStringLiteral("Cancelled."), true);
    QVERIFY(dialog.statusText().startsWith(QStringLiteral("Cancelled")));
    QVERIFY(child<QPushButton>(dialog, "ConnectButton")->isEnabled());
    // A second Cancel, with nothing running, closes the dialog.
    QTest::mouseClick(child<QPushButton>(dialog, "CancelButton"), Qt::LeftButton);
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

void TestConnectDialog::aFailureIsExplained()
{
    FakeConnector connector;
    ConnectDialog dialog(&connector, nullptr, m_config);
    dialog.show();
    dialog.setRequest({ QString(), {}, 0, {} });
    dialog.connectToHost();
    QVERIFY(!connector.started);
    QVERIFY(dialog.statusText().contains(QStringLiteral("Name a host")));
    dialog.setRequest({ QStringLiteral("db"), {}, 0, {} });
    dialog.connectToHost();
    connector.fail(QStringLiteral("No authentication method worked."), false);
    QCOMPARE(dialog.statusText(), QStringLiteral("No authentication method worked."));
    QVERIFY(dialog.isVisible());
}

void TestConnectDialog::remoteSnapshotOpensAsBeforeOrAfter()
{
    views::SyntaxSupport plain(nullptr);
    FakeConnector connector; // outlives the window, as in the application
    views::MainWindow window(&plain);
    auto* action = window.findChild<QAction*>(QStringLiteral("actionConnectToHost"));
    QVERIFY(!action->isEnabled());
    window.setHostConnector(&connector);
    QVERIFY(action->isEnabled());

    // With nothing open, the snapshot opens alone.
    const model::SnapshotPtr before = demo("before.chainsight.json");
    window.openRemoteSnapshot(before, QStringLiteral("root@old"));
    QCOMPARE(window.snapshot(), before);
    QCOMPARE(window.windowTitle(), QStringLiteral("root@old"));

    // With one open, the user says which side the new one is.
    const model::SnapshotPtr after = demo("after.chainsight.json");
    window.openRemoteSnapshot(after, QStringLiteral("root@new"));
    QMessageBox* ask = window.findChild<QMessageBox*>(QStringLiteral("OpenRemoteAsDialog"));
    QVERIFY(ask);
    QTest::mouseClick(ask->findChild<QPushButton*>(QStringLiteral("OpenAsAfter")), Qt::LeftButton);
    QCOMPARE(window.windowTitle(), QStringLiteral("root@old → root@new"));
    auto* stack = qobject_cast<QStackedWidget*>(window.centralWidget());
    QCOMPARE(stack->currentWidget(), window.rulesDiffView());
    QVERIFY(window.findChild<QAction*>(QStringLiteral("actionSaveSnapshotAs"))->isEnabled());

    // The Connect action opens the dialog on the window.
    action->trigger();
    QTRY_VERIFY(window.findChild<ConnectDialog*>());
    QVERIFY(window.findChild<ConnectDialog*>()->isVisible() || !window.isVisible());
}

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"
