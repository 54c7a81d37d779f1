#include "views/emptystate.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"
#include "views/recentfiles.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#ifdef CHAINSIGHT_HAVE_KSH
#include <KSyntaxHighlighting/Repository>
#endif

using views::MainWindow;

namespace {

QString plain(QString text) { return text.remove(QLatin1Char('&')); }

QStringList titles(const QList<QAction*>& actions)
{
    QStringList result;
    for (const QAction* action : actions) {
        if (!action->isSeparator())
            result << plain(action->text());
    }
    return result;
}

QMenu* menuNamed(const MainWindow& window, const QString& objectName) { return window.findChild<QMenu*>(objectName); }

} // namespace

class TestMainWindow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void menusHaveTheProductsEntries();
    void actionState_data();
    void actionState();
    void noActionIsDisabledWithoutSayingWhy();
    void aboutNamesVersionsAndHighlighting();
    void aboutDialogOpensAndCloses();
    void emptyStateTellsWhereToStart();
    void geometryIsRemembered();
    void recentFilesAreKeptNewestFirst();
    void recentMenuOffersTheFiles();

private:
    views::SyntaxSupport m_plain { nullptr };
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("ChainsightTests"));
    QApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
}

void TestMainWindow::init() { QSettings().clear(); }

void TestMainWindow::menusHaveTheProductsEntries()
{
    const MainWindow window(&m_plain);
    QCOMPARE(titles(window.menuBar()->actions()),
        QStringList({ QStringLiteral("File"), QStringLiteral("View"), QStringLiteral("Help") }));

    QMenu* file = menuNamed(window, QStringLiteral("menuFile"));
    QVERIFY(file);
    QCOMPARE(titles(file->actions()),
        QStringList({ QStringLiteral("Open Snapshot…"), QStringLiteral("Open Recent"),
            QStringLiteral("Save Snapshot As…"), QStringLiteral("Connect to Host…"),
            QStringLiteral("Export Remediation Script…"), QStringLiteral("Quit") }));
    QMenu* recent = menuNamed(window, QStringLiteral("menuOpenRecent"));
    QVERIFY(recent);
    QCOMPARE(recent->menuAction()->parent() != nullptr, true);
    QVERIFY(file->actions().contains(recent->menuAction()));

    QMenu* view = menuNamed(window, QStringLiteral("menuView"));
    QVERIFY(view);
    for (const char* name : { "Findings", "Flows", "Rules", "Diagram", "Trace", "Fix Script", "Full Screen" })
        QVERIFY2(titles(view->actions()).contains(QString::fromUtf8(name)), name);

    QMenu* help = menuNamed(window, QStringLiteral("menuHelp"));
    QVERIFY(help);
    QVERIFY(titles(help->actions()).contains(QStringLiteral("About Chainsight")));
}

void TestMainWindow::actionState_data()
{
    QTest::addColumn<QString>("objectName");
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<QKeySequence>("shortcut");

    const auto standard = [](QKeySequence::StandardKey key) { return QKeySequence::keyBindings(key).value(0); };
    QTest::newRow("open") << QStringLiteral("actionOpenSnapshot") << false << standard(QKeySequence::Open);
    const QKeySequence saveAs = QKeySequence::keyBindings(QKeySequence::SaveAs).isEmpty()
        ? QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)
        : standard(QKeySequence::SaveAs);
    QTest::newRow("save as") << QStringLiteral("actionSaveSnapshotAs") << false << saveAs;
    QTest::newRow("connect") << QStringLiteral("actionConnectToHost") << false << QKeySequence(Qt::CTRL | Qt::Key_K);
    QTest::newRow("export") << QStringLiteral("actionExportRemediationScript") << false
                            << QKeySequence(Qt::CTRL | Qt::Key_E);
    QTest::newRow("quit") << QStringLiteral("actionQuit") << true << standard(QKeySequence::Quit);
    QTest::newRow("full screen") << QStringLiteral("actionFullScreen") << true << standard(QKeySequence::FullScreen);
    QTest::newRow("about") << QStringLiteral("actionAbout") << true << QKeySequence();
    QTest::newRow("findings view") << QStringLiteral("actionViewFindings") << false
                                   << QKeySequence(Qt::CTRL | Qt::Key_1);
}

void TestMainWindow::actionState()
{
    QFETCH(QString, objectName);
    QFETCH(bool, enabled);
    QFETCH(QKeySequence, shortcut);

    const MainWindow window(&m_plain);
    const auto* action = window.findChild<QAction*>(objectName);
    QVERIFY(action);
    QCOMPARE(action->isEnabled(), enabled);
    QCOMPARE(action->shortcut(), shortcut);
    if (!enabled)
        QVERIFY2(action->statusTip().startsWith(QLatin1String("Not available yet: ")), qPrintable(action->statusTip()));
}

void TestMainWindow::noActionIsDisabledWithoutSayingWhy()
{
    const MainWindow window(&m_plain);
    int disabled = 0;
    for (const QMenu* menu : window.findChildren<QMenu*>()) {
        for (const QAction* action : menu->actions()) {
            if (action->isSeparator() || action->menu() || action->isEnabled())
                continue;
            ++disabled;
            QVERIFY2(!action->statusTip().isEmpty(), qPrintable(plain(action->text())));
        }
    }
    QVERIFY(disabled >= 4);
}

void TestMainWindow::aboutNamesVersionsAndHighlighting()
{
    const MainWindow window(&m_plain);
    const QString text = window.aboutText();
    QVERIFY2(text.contains(QStringLiteral("Chainsight " CHAINSIGHT_VERSION)), qPrintable(text));
    QVERIFY(text.contains(QString::fromLatin1(qVersion())));
    QVERIFY(text.contains(QStringLiteral(QT_VERSION_STR)));
    QVERIFY(text.contains(QStringLiteral("Syntax highlighting")));
    QVERIFY(text.contains(QStringLiteral("not available")));

#ifdef CHAINSIGHT_HAVE_KSH
    KSyntaxHighlighting::Repository repository;
    const views::SyntaxSupport syntax(&repository);
    const MainWindow highlighted(&syntax);
    QVERIFY(!highlighted.aboutText().contains(QStringLiteral("not available")));
    QVERIFY(highlighted.aboutText().contains(QStringLiteral("KSyntaxHighlighting")));
#endif
}

void TestMainWindow::aboutDialogOpensAndCloses()
{
    MainWindow window(&m_plain);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.findChild<QAction*>(QStringLiteral("actionAbout"))->trigger();
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("AboutDialog"))) && box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral(CHAINSIGHT_VERSION)));
    box->close();
    QTRY_VERIFY(!window.findChild<QMessageBox*>(QStringLiteral("AboutDialog")));
}

void TestMainWindow::emptyStateTellsWhereToStart()
{
    MainWindow window(&m_plain);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* empty = qobject_cast<views::EmptyState*>(window.centralWidget());
    QVERIFY(empty);
    QVERIFY(empty->isVisible());
    const QString open = QKeySequence::keyBindings(QKeySequence::Open).value(0).toString(QKeySequence::NativeText);
    QVERIFY2(empty->message().startsWith(QStringLiteral("Open a snapshot (%1) or connect to a host").arg(open)),
        qPrintable(empty->message()));
    const auto* label = empty->findChild<QLabel*>(QStringLiteral("EmptyStateMessage"));
    QVERIFY(label && label->isVisible());
    QCOMPARE(label->text(), empty->message());
}

void TestMainWindow::geometryIsRemembered()
{
    {
        MainWindow window(&m_plain);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resize(713, 511);
        QTRY_COMPARE(window.size(), QSize(713, 511));
        window.close();
    }
    MainWindow again(&m_plain);
    QCOMPARE(again.size(), QSize(713, 511));
}

void TestMainWindow::recentFilesAreKeptNewestFirst()
{
    views::RecentFiles recent;
    QVERIFY(recent.files().isEmpty());
    for (int i = 0; i < views::RecentFiles::MaxEntries + 3; ++i)
        recent.add(QStringLiteral("/tmp/snapshot-%1.json").arg(i));
    recent.add(QStringLiteral("/tmp/snapshot-5.json"));
    const QStringList files = recent.files();
    QCOMPARE(files.size(), views::RecentFiles::MaxEntries);
    QCOMPARE(files.front(), QStringLiteral("/tmp/snapshot-5.json"));
    QCOMPARE(files.count(QStringLiteral("/tmp/snapshot-5.json")), 1);
    QVERIFY(!files.contains(QStringLiteral("/tmp/snapshot-0.json")));
    recent.clear();
    QVERIFY(recent.files().isEmpty());
}

void TestMainWindow::recentMenuOffersTheFiles()
{
    views::RecentFiles recent;
    QMenu menu;
    recent.attachMenu(&menu);
    QCOMPARE(titles(menu.actions()), QStringList { QStringLiteral("No recent files") });
    QVERIFY(!menu.actions().front()->isEnabled());

    recent.add(QStringLiteral("/tmp/before.json"));
    recent.add(QStringLiteral("/tmp/after.json"));
    QCOMPARE(menu.actions().front()->data().toString(), QStringLiteral("/tmp/after.json"));
    QSignalSpy chosen(&recent, &views::RecentFiles::fileChosen);
    menu.actions().at(1)->trigger();
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(chosen.front().front().toString(), QStringLiteral("/tmp/before.json"));

    menu.actions().back()->trigger(); // "Clear Menu"
    QVERIFY(recent.files().isEmpty());
    QCOMPARE(titles(menu.actions()), QStringList { QStringLiteral("No recent files") });
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
