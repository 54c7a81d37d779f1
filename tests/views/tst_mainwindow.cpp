#include "views/emptystate.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"
#include "views/recentfiles.h"
#include "views/rulesview.h"

#include "model/snapshotfile.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

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
    void opensADumpOffTheGuiThread();
    void aFileThatCannotBeReadIsExplained();
    void cancelledOpenLeavesTheWindowAsItWas();
    void saveAsWritesASnapshotThatLoadsAgain();
    void droppingAFileOpensIt();
    void opensABeforeAfterPair();
    void aLargeRulesetKeepsTheWindowResponsive();

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
        QStringList({ QStringLiteral("File"), QStringLiteral("Snapshot"), QStringLiteral("View"), QStringLiteral("Help") }));
    QMenu* snapshot = menuNamed(window, QStringLiteral("menuSnapshot"));
    QVERIFY(snapshot);
    QCOMPARE(titles(snapshot->actions()), QStringList({ QStringLiteral("Preview Docker Upgrade…") }));

    QMenu* file = menuNamed(window, QStringLiteral("menuFile"));
    QVERIFY(file);
    QCOMPARE(titles(file->actions()),
        QStringList({ QStringLiteral("Open Snapshot…"), QStringLiteral("Open Recent"),
            QStringLiteral("Save Snapshot As…"), QStringLiteral("Connect to Host…"),
            QStringLiteral("Export Remediation Script…"), QStringLiteral("Export Diagram…"), QStringLiteral("Quit") }));
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
    QTest::addColumn<QString>("tipStart"); // for disabled actions: how the reason begins

    const auto standard = [](QKeySequence::StandardKey key) { return QKeySequence::keyBindings(key).value(0); };
    const QKeySequence saveAs = QKeySequence::keyBindings(QKeySequence::SaveAs).isEmpty()
        ? QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)
        : standard(QKeySequence::SaveAs);
    const QString notYet = QStringLiteral("Not available yet: ");
    QTest::newRow("open") << QStringLiteral("actionOpenSnapshot") << true << standard(QKeySequence::Open) << QString();
    QTest::newRow("save as") << QStringLiteral("actionSaveSnapshotAs") << false << saveAs
                             << QStringLiteral("Nothing to save yet");
    QTest::newRow("connect") << QStringLiteral("actionConnectToHost") << false << QKeySequence(Qt::CTRL | Qt::Key_K)
                             << notYet;
    QTest::newRow("export") << QStringLiteral("actionExportRemediationScript") << false
                            << QKeySequence(Qt::CTRL | Qt::Key_E) << QStringLiteral("Choose a finding with a fix");
    QTest::newRow("quit") << QStringLiteral("actionQuit") << true << standard(QKeySequence::Quit) << QString();
    QTest::newRow("full screen") << QStringLiteral("actionFullScreen") << true << standard(QKeySequence::FullScreen)
                                 << QString();
    QTest::newRow("about") << QStringLiteral("actionAbout") << true << QKeySequence() << QString();
    QTest::newRow("findings view") << QStringLiteral("actionViewFindings") << false
                                   << QKeySequence(Qt::CTRL | Qt::Key_1) << QStringLiteral("Open a snapshot first");
    QTest::newRow("flows view") << QStringLiteral("actionViewFlows") << false << QKeySequence(Qt::CTRL | Qt::Key_2)
                                << QStringLiteral("Open a snapshot first");
    QTest::newRow("fix script view") << QStringLiteral("actionViewFixScript") << false
                                     << QKeySequence(Qt::CTRL | Qt::Key_6) << QStringLiteral("Open a snapshot first");
    QTest::newRow("rules view") << QStringLiteral("actionViewRules") << false << QKeySequence(Qt::CTRL | Qt::Key_3)
                                << QStringLiteral("Open a snapshot first");
    QTest::newRow("diagram view") << QStringLiteral("actionViewDiagram") << false
                                  << QKeySequence(Qt::CTRL | Qt::Key_4) << QStringLiteral("Open a snapshot first");
    QTest::newRow("export diagram") << QStringLiteral("actionExportDiagram") << false << QKeySequence()
                                    << QStringLiteral("Show the Diagram view");
}

void TestMainWindow::actionState()
{
    QFETCH(QString, objectName);
    QFETCH(bool, enabled);
    QFETCH(QKeySequence, shortcut);
    QFETCH(QString, tipStart);

    const MainWindow window(&m_plain);
    const auto* action = window.findChild<QAction*>(objectName);
    QVERIFY(action);
    QCOMPARE(action->isEnabled(), enabled);
    QCOMPARE(action->shortcut(), shortcut);
    if (!enabled)
        QVERIFY2(action->statusTip().startsWith(tipStart), qPrintable(action->statusTip()));
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
    auto* empty = window.findChild<views::EmptyState*>();
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

namespace {

const QString PortmapDump
    = QFileInfo(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/docker-28.x-b-usernet-portmap.rules")).absoluteFilePath();

bool showsRules(const MainWindow& window)
{
    return qobject_cast<QStackedWidget*>(window.centralWidget())->currentWidget() == window.rulesView();
}

} // namespace

void TestMainWindow::opensADumpOffTheGuiThread()
{
    MainWindow window(&m_plain);
    QSignalSpy opened(&window, &MainWindow::snapshotsOpened);
    window.openPath(PortmapDump);
    QVERIFY(window.isLoading()); // returned at once; the reading happens elsewhere
    QVERIFY(opened.wait(10000));
    QVERIFY(!window.isLoading());
    QVERIFY(window.snapshot() && window.snapshot()->ipv4);
    QVERIFY(showsRules(window));
    QVERIFY(window.rulesView()->summary().contains(QStringLiteral("rules")));
    QVERIFY(window.findChild<QAction*>(QStringLiteral("actionSaveSnapshotAs"))->isEnabled());
    QVERIFY(window.findChild<QAction*>(QStringLiteral("actionViewRules"))->isEnabled());
    QCOMPARE(window.windowFilePath(), PortmapDump);
    QCOMPARE(views::RecentFiles().files().value(0), PortmapDump);
}

void TestMainWindow::aFileThatCannotBeReadIsExplained()
{
    MainWindow window(&m_plain);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy failed(&window, &MainWindow::openFailed);
    window.openPath(QStringLiteral("/nonexistent/rules.v4"));
    QVERIFY(failed.wait(10000));
    QVERIFY(!failed.front().at(1).toString().isEmpty());
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("OpenErrorDialog"))) && box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral("/nonexistent/rules.v4")));
    QCOMPARE(box->informativeText(), failed.front().at(1).toString());
    box->close();
    QVERIFY(!window.snapshot());
    QVERIFY(!showsRules(window));
    QVERIFY(!window.findChild<QAction*>(QStringLiteral("actionSaveSnapshotAs"))->isEnabled());
    QVERIFY(views::RecentFiles().files().isEmpty());
}

void TestMainWindow::cancelledOpenLeavesTheWindowAsItWas()
{
    MainWindow window(&m_plain);
    QSignalSpy opened(&window, &MainWindow::snapshotsOpened);
    window.openPath(PortmapDump);
    window.findChild<QToolButton*>(QStringLiteral("CancelLoad"))->click();
    QVERIFY(!window.isLoading());
    QVERIFY(!opened.wait(1000));
    QVERIFY(!window.snapshot());
    QVERIFY(!showsRules(window));
}

void TestMainWindow::saveAsWritesASnapshotThatLoadsAgain()
{
    MainWindow window(&m_plain);
    QSignalSpy opened(&window, &MainWindow::snapshotsOpened);
    window.openPath(PortmapDump);
    QVERIFY(opened.wait(10000));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("host.chainsight.json"));
    QString error;
    QVERIFY2(window.saveSnapshotTo(path, &error), qPrintable(error));
    const auto loaded = model::loadSnapshotFile(path);
    QVERIFY(loaded);
    QCOMPARE(loaded.value()->ipv4->ruleCount(), window.snapshot()->ipv4->ruleCount());
    QCOMPARE(views::RecentFiles().files().value(0), path);

    QVERIFY(!window.saveSnapshotTo(dir.filePath(QStringLiteral("missing/folder/x.chainsight.json")), &error));
    QVERIFY(!error.isEmpty());
}

void TestMainWindow::droppingAFileOpensIt()
{
    MainWindow window(&m_plain);
    QSignalSpy opened(&window, &MainWindow::snapshotsOpened);
    QMimeData data;
    data.setUrls({ QUrl::fromLocalFile(PortmapDump) });
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QVERIFY(opened.wait(10000));
    QCOMPARE(opened.front().front().toStringList(), QStringList { PortmapDump });
}

void TestMainWindow::opensABeforeAfterPair()
{
    const QString before = QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json");
    const QString after = QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/after.chainsight.json");
    MainWindow window(&m_plain);
    QSignalSpy opened(&window, &MainWindow::snapshotsOpened);
    window.openPaths({ before, after });
    QVERIFY(opened.wait(10000));
    views::RulesView* rules = window.rulesView();
    auto* which = rules->findChild<QComboBox*>(QStringLiteral("RulesSnapshot"));
    QCOMPARE(which->count(), 2);
    QVERIFY(which->itemText(0).startsWith(QStringLiteral("Before: ")));
    QVERIFY(which->itemText(1).startsWith(QStringLiteral("After: ")));
    QCOMPARE(rules->currentSnapshotIndex(), 1); // the host as it is now
    QVERIFY(window.windowTitle().contains(QStringLiteral("before.chainsight.json → after.chainsight.json")));
    QCOMPARE(window.windowFilePath(), after);

    const model::SnapshotPtr afterSnapshot = window.snapshot();
    QVERIFY(rules->showSnapshot(0));
    QVERIFY(window.snapshot() != afterSnapshot);
    QCOMPARE(window.windowFilePath(), before);

    // Save As writes the snapshot being looked at.
    QTemporaryDir dir;
    QString error;
    QVERIFY2(window.saveSnapshotTo(dir.filePath(QStringLiteral("b.chainsight.json")), &error), qPrintable(error));
    const auto reloaded = model::loadSnapshotFile(dir.filePath(QStringLiteral("b.chainsight.json")));
    QVERIFY(reloaded);
    QCOMPARE(reloaded.value()->meta.takenAt, window.snapshot()->meta.takenAt);
    QCOMPARE(reloaded.value()->ipv4->ruleCount(), window.snapshot()->ipv4->ruleCount());
}

// A heartbeat on the GUI thread: the longest gap between its ticks is how long the window was frozen.
class Heartbeat final : public QObject {
public:
    Heartbeat()
    {
        m_clock.start();
        m_timer.callOnTimeout([this] { m_longest = std::max(m_longest, m_clock.restart()); });
        m_timer.start(10);
    }
    qint64 longestGapMs() const { return m_longest; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_longest = 0;
};

void TestMainWindow::aLargeRulesetKeepsTheWindowResponsive()
{
    // 70 Docker-style chains of 1000 rules each, as a generated worst case.
    QTemporaryDir dir;
    QFile dump(dir.filePath(QStringLiteral("large.rules")));
    QVERIFY(dump.open(QIODevice::WriteOnly));
    QByteArray text = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    for (int c = 0; c < 70; ++c)
        text += QByteArrayLiteral(":DOCKER-C") + QByteArray::number(c) + " - [0:0]\n";
    for (int c = 0; c < 70; ++c) {
        for (int i = 0; i < 1000; ++i) {
            text += QByteArrayLiteral("-A DOCKER-C") + QByteArray::number(c) + " -d 172.18."
                + QByteArray::number(i / 250) + '.' + QByteArray::number(i % 250 + 1) + "/32 ! -i br-"
                + QByteArray::number(c) + " -p tcp -m tcp --dport " + QByteArray::number(1024 + i) + " -j ACCEPT\n";
        }
    }
    text += "COMMIT\n";
    dump.write(text);
    dump.close();

    MainWindow window(&m_plain);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &MainWindow::snapshotsOpened);
    QElapsedTimer total;
    total.start();
    Heartbeat heartbeat;
    window.openPath(dump.fileName());
    QVERIFY(opened.wait(120000));
    QCOMPARE(window.snapshot()->ipv4->ruleCount(), std::size_t(70000));
    auto* filter = window.rulesView()->findChild<QLineEdit*>(QStringLiteral("RulesTextFilter"));
    filter->setText(QStringLiteral("--dport 1999"));
    // One matching rule left in each Docker chain (the filter waits for a pause in typing).
    const QAbstractItemModel* shown = window.rulesView()->tree()->model();
    QTRY_COMPARE(shown->rowCount(shown->index(0, 0)), 70);
    QCOMPARE(shown->rowCount(shown->index(0, 0, shown->index(0, 0))), 1);
    // The unreachable rules were found and the source text laid out on a worker.
    const QThread* prepared = window.rulesView()->preparedOn();
    QVERIFY(prepared && prepared != QThread::currentThread());
    QVERIFY(window.rulesView()->source()->blockCount() > 70000);
    qInfo("70000 rules: opened and filtered in %lld ms; the window was unresponsive for at most %lld ms at a time",
        total.elapsed(), heartbeat.longestGapMs());
    // Reading the dump takes far longer than this on the worker; showing and filtering it may not.
    QVERIFY2(heartbeat.longestGapMs() < 3000, qPrintable(QString::number(heartbeat.longestGapMs())));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
