#include "views/analysispages.h"
#include "views/appicon.h"
#include "views/diagramcanvas.h"
#include "views/diagramview.h"
#include "views/findingsview.h"
#include "views/fixscriptview.h"
#include "views/flowsview.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"
#include "views/rulesdiffview.h"
#include "views/rulesview.h"
#include "views/connectdialog.h"
#include "views/hostconnector.h"
#include "views/traceform.h"
#include "views/traceview.h"

#include "model/engine/engine.h"
#include "model/rulesetmodel.h"
#include "model/snapshotfile.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QStackedWidget>
#include <QScopeGuard>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeView>

#include <memory>
#include <set>

#ifdef CHAINSIGHT_HAVE_KSH
#include <KSyntaxHighlighting/Repository>
#endif

namespace {

// Enough of a HostConnector to put the dialog's states on screen.
class IdleConnector final : public views::HostConnector {
public:
    using views::HostConnector::HostConnector;
    void start(const views::ConnectRequest&) override { m_busy = true; }
    void cancel() override { m_busy = false; }
    bool busy() const override { return m_busy; }
    void answerHostKey(views::HostKeyAnswer) override { }
    void answerSecret(QByteArray* secret, bool) override { secret->fill('\0'); }

private:
    bool m_busy = false;
};

QPalette darkPalette()
{
    QPalette dark = QApplication::palette();
    dark.setColor(QPalette::Window, QColor(0x2a, 0x2e, 0x32));
    dark.setColor(QPalette::WindowText, QColor(0xfc, 0xfc, 0xfc));
    dark.setColor(QPalette::Base, QColor(0x1b, 0x1e, 0x20));
    dark.setColor(QPalette::AlternateBase, QColor(0x23, 0x26, 0x29));
    dark.setColor(QPalette::Text, QColor(0xfc, 0xfc, 0xfc));
    dark.setColor(QPalette::Button, QColor(0x31, 0x36, 0x3b));
    dark.setColor(QPalette::ButtonText, QColor(0xfc, 0xfc, 0xfc));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0xae, 0xe9));
    dark.setColor(QPalette::PlaceholderText, QColor(0xa0, 0xa0, 0xa0));
    // As a desktop's dark scheme does: bevels for the style, and dimmed text for what is disabled.
    dark.setColor(QPalette::Light, QColor(0x40, 0x46, 0x4c));
    dark.setColor(QPalette::Midlight, QColor(0x36, 0x3b, 0x40));
    dark.setColor(QPalette::Mid, QColor(0x22, 0x25, 0x28));
    dark.setColor(QPalette::Dark, QColor(0x14, 0x16, 0x18));
    dark.setColor(QPalette::Shadow, QColor(0x0a, 0x0b, 0x0c));
    for (const auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
        dark.setColor(QPalette::Disabled, role, QColor(0x6e, 0x74, 0x7a));
    return dark;
}

} // namespace

// Runs under Xvfb with the real xcb platform: the window must map, paint, and respond to menus and shortcuts.
class TestSmoke final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void windowAppearsAndMenusWork();
    void openedDumpShowsItsRules();
    void darkPaletteRecoloursTheRules();
    void sideBySideRulesAndTrace_data();
    void sideBySideRulesAndTrace();
    void connectDialog_data();
    void connectDialog();
    void findingsDriveTheOtherViews_data();
    void findingsDriveTheOtherViews();
    void diagramShowsTheDemoFlow_data();
    void diagramShowsTheDemoFlow();
    void applicationStartsAndStaysUp();

private:
    static QString screenshotPath(const QString& name);
    static void saveScreen(const QString& name);
    // Highlighting as the application has it: a real repository where KF6 is part of the build.
#ifdef CHAINSIGHT_HAVE_KSH
    KSyntaxHighlighting::Repository m_repository;
    views::SyntaxSupport m_syntax { &m_repository };
#else
    views::SyntaxSupport m_syntax { nullptr };
#endif
};

QString TestSmoke::screenshotPath(const QString& name)
{
    const QString dir = QStringLiteral(CHAINSIGHT_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name + QStringLiteral(".png");
}

// The whole screen, so popup menus and dialogs (separate windows) are in the picture too.
void TestSmoke::saveScreen(const QString& name)
{
    const QPixmap shot = QGuiApplication::primaryScreen()->grabWindow(0);
    QVERIFY(!shot.isNull());
    QVERIFY(shot.save(screenshotPath(name)));
}

void TestSmoke::initTestCase()
{
    QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("ChainsightTests"));
    QApplication::setApplicationName(QStringLiteral("tst_smoke"));
    QApplication::setWindowIcon(views::applicationIcon());
    QSettings().clear();
}

void TestSmoke::windowAppearsAndMenusWork()
{
    IdleConnector connector; // as the application has one: the pictures show Connect to Host enabled
    views::MainWindow window(&m_syntax);
    window.setHostConnector(&connector);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // The icon is drawn, not an empty placeholder (it must not depend on the SVG icon engine plugin).
    const QImage icon = window.windowIcon().pixmap(32, 32).toImage();
    QVERIFY(!icon.isNull());
    QVERIFY(icon.pixelColor(16, 16).alpha() == 255);

    // Painted, not a blank rectangle: the empty state has an icon, text and buttons.
    const QImage image = window.grab().toImage();
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    QVERIFY(image.save(screenshotPath(QStringLiteral("mainwindow"))));
    saveScreen(QStringLiteral("screen-mainwindow"));

    // File menu pops up; hovering an entry tells what it does in the status bar.
    auto* file = window.findChild<QMenu*>(QStringLiteral("menuFile"));
    QVERIFY(file);
    auto* connectToHost = window.findChild<QAction*>(QStringLiteral("actionConnectToHost"));
    QVERIFY(connectToHost->isEnabled());
    window.menuBar()->setActiveAction(file->menuAction());
    QTRY_VERIFY(file->isVisible());
    // Highlighted as the arrow keys or the pointer do (a menu ignores the pointer until it has moved from where the
    // menu opened, which differs between Qt versions).
    file->setActiveAction(connectToHost);
    QTRY_COMPARE(window.statusBar()->currentMessage(), QStringLiteral("Take a snapshot of a host over SSH"));
    QTest::qWait(200); // let the status bar repaint before the picture is taken
    saveScreen(QStringLiteral("screen-file-menu"));
    QTest::keyClick(file, Qt::Key_Escape);
    QTRY_VERIFY(!file->isVisible());

    // Without a way to reach hosts the entry is greyed out, and hovering it tells why.
    window.setHostConnector(nullptr);
    QVERIFY(!connectToHost->isEnabled());
    window.menuBar()->setActiveAction(file->menuAction());
    QTRY_VERIFY(file->isVisible());
    QTest::mouseMove(file, file->actionGeometry(connectToHost).center()); // a disabled entry is not highlighted
    QTRY_VERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Not available yet: ")));
    QTest::keyClick(file, Qt::Key_Escape);
    QTRY_VERIFY(!file->isVisible());

    // Help ▸ About through the menu, with the keyboard.
    auto* help = window.findChild<QMenu*>(QStringLiteral("menuHelp"));
    window.menuBar()->setActiveAction(help->menuAction());
    QTRY_VERIFY(help->isVisible());
    help->setActiveAction(window.findChild<QAction*>(QStringLiteral("actionAbout")));
    QTest::keyClick(help, Qt::Key_Return);
    QMessageBox* about = nullptr;
    QTRY_VERIFY((about = window.findChild<QMessageBox*>(QStringLiteral("AboutDialog"))) && about->isVisible());
    QVERIFY(QTest::qWaitForWindowExposed(about));
    QVERIFY(about->text().contains(QStringLiteral(CHAINSIGHT_VERSION)));
    saveScreen(QStringLiteral("screen-about"));
    about->close();
    QTRY_VERIFY(!window.findChild<QMessageBox*>(QStringLiteral("AboutDialog")));

    // The standard Quit shortcut closes the window.
    window.activateWindow();
    QTRY_VERIFY(window.isActiveWindow());
    QTest::keySequence(&window, QKeySequence::keyBindings(QKeySequence::Quit).value(0));
    QTRY_VERIFY(!window.isVisible());
}

void TestSmoke::openedDumpShowsItsRules()
{
    views::MainWindow window(&m_syntax);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &views::MainWindow::snapshotsOpened);
    window.openPath(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/docker-28.x-b-usernet-portmap.rules"));
    QVERIFY(opened.wait(10000));
    views::RulesView* rules = window.rulesView();
    QTRY_VERIFY(rules->isVisible());
    QVERIFY(rules->tree()->model()->rowCount() >= 2);

    // Keyboard: down through the tree moves the source pane along.
    rules->tree()->setFocus();
    rules->tree()->setCurrentIndex(rules->tree()->model()->index(0, 0));
    for (int i = 0; i < 2; ++i)
        QTest::keyClick(rules->tree(), Qt::Key_Down);
    const int line = rules->tree()->currentIndex().data(model::RulesetModel::LineRole).toInt();
    QVERIFY(line > 0);
    QCOMPARE(rules->source()->textCursor().blockNumber() + 1, line);
    QTest::qWait(200); // let the views repaint before the picture is taken
    saveScreen(QStringLiteral("screen-rules"));
}

void TestSmoke::darkPaletteRecoloursTheRules()
{
    const QPalette light = QApplication::palette();
    const QPalette dark = darkPalette();
    const auto restore = qScopeGuard([&light] { QApplication::setPalette(light); });

    views::MainWindow window(&m_syntax);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &views::MainWindow::snapshotsOpened);
    window.openPaths({ QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json"),
        QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/after.chainsight.json") });
    QVERIFY(opened.wait(10000));
    QApplication::setPalette(dark);
    views::RulesView* rules = window.rulesView();
    QTRY_VERIFY(rules->tree()->palette().color(QPalette::Base).lightness() < 64);

    // A Docker rule's row is tinted dark, not left with a light-palette tint.
    const QRect area = rules->tree()->visualRect(rules->tree()->model()->index(0, 0));
    QVERIFY(area.isValid());
    QTest::qWait(200);
    const QImage tree = rules->tree()->viewport()->grab().toImage();
    QVERIFY(QColor(tree.pixel(tree.width() / 2, tree.height() - 4)).lightness() < 128);
#ifdef CHAINSIGHT_HAVE_KSH
    // Plain rule text in the source pane turns light on the dark background: look at the space after "-A".
    QTextBlock rule = rules->source()->document()->firstBlock();
    while (rule.isValid() && !rule.text().startsWith(QLatin1String("-A ")))
        rule = rule.next();
    QVERIFY(rule.isValid());
    const auto plainColour = [&rule] {
        for (const QTextLayout::FormatRange& range : rule.layout()->formats()) {
            if (range.start <= 2 && 2 < range.start + range.length)
                return range.format.foreground().color();
        }
        return QColor();
    };
    QTRY_VERIFY(plainColour().isValid() && plainColour().lightness() > 128);
#endif
    saveScreen(QStringLiteral("screen-rules-dark"));
}

void TestSmoke::sideBySideRulesAndTrace_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

// The demo pair: the Rules view side by side at its second change, then the direct-routing trace.
void TestSmoke::sideBySideRulesAndTrace()
{
    QFETCH(bool, dark);
    const QPalette light = QApplication::palette();
    const auto restore = qScopeGuard([&light] { QApplication::setPalette(light); });
    if (dark)
        QApplication::setPalette(darkPalette());
    const QString suffix = dark ? QStringLiteral("-dark") : QString();

    views::MainWindow window(&m_syntax);
    window.setGeometry(QGuiApplication::primaryScreen()->availableGeometry()); // as a maximised window
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &views::MainWindow::snapshotsOpened);
    window.openPaths({ QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json"),
        QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/after.chainsight.json") });
    QVERIFY(opened.wait(10000));
    views::RulesDiffView* diff = window.rulesDiffView();
    QTRY_VERIFY(diff->isVisible());
    window.activateWindow();
    QTRY_VERIFY(window.isActiveWindow());
    diff->pane(views::RulesDiffView::Before)->setFocus();
    QTest::keyClick(diff->pane(views::RulesDiffView::Before), Qt::Key_F7);
    QVERIFY(diff->changeText().startsWith(QStringLiteral("Change 2 of ")));
    QTest::qWait(200);
    saveScreen(QStringLiteral("screen-rules-diff") + suffix);

    window.findChild<QAction*>(QStringLiteral("actionViewTrace"))->trigger();
    views::TraceView* trace = window.traceView();
    QTRY_VERIFY(trace->isVisible());
    QVERIFY(trace->form()->chooseIngress(QStringLiteral("tailscale0")));
    trace->form()->setSource(QStringLiteral("100.64.10.20"));
    QVERIFY(trace->form()->pickDestination(QStringLiteral("web")));
    QTest::mouseClick(trace->findChild<QPushButton*>(QStringLiteral("TraceButton")), Qt::LeftButton);
    QTRY_VERIFY(trace->fateText(1).startsWith(QStringLiteral("<b>DROP</b>")));
    QTest::qWait(200);
    saveScreen(QStringLiteral("screen-trace") + suffix);
}

void TestSmoke::connectDialog_data() { sideBySideRulesAndTrace_data(); }

void TestSmoke::connectDialog()
{
    QFETCH(bool, dark);
    const QPalette light = QApplication::palette();
    const auto restore = qScopeGuard([&light] { QApplication::setPalette(light); });
    if (dark)
        QApplication::setPalette(darkPalette());
    const QString suffix = dark ? QStringLiteral("-dark") : QString();

    IdleConnector connector;
    views::MainWindow window(&m_syntax);
    window.setHostConnector(&connector);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.findChild<QAction*>(QStringLiteral("actionConnectToHost"))->trigger();
    views::ConnectDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<views::ConnectDialog*>()) && dialog->isVisible());
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    dialog->setRequest({ QStringLiteral("web1.example.net"), QStringLiteral("admin"), 0, QString() });
    QTest::qWait(200);
    saveScreen(QStringLiteral("screen-connect") + suffix);

    dialog->connectToHost();
    Q_EMIT connector.progressed(1, 9, QStringLiteral("connecting to web1.example.net"));
    Q_EMIT connector.hostKeyAsked({ QStringLiteral("web1.example.net"), 22, QStringLiteral("ssh-ed25519"),
        QStringLiteral("SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"), false });
    QTRY_VERIFY(dialog->findChild<QWidget*>(QStringLiteral("HostKeyPrompt"))->isVisible());
    QTest::qWait(200);
    saveScreen(QStringLiteral("screen-connect-hostkey") + suffix);

    Q_EMIT connector.progressed(4, 9, QStringLiteral("iptables-save -c"));
    Q_EMIT connector.secretAsked(views::SecretKind::SudoPassword, QStringLiteral("[sudo] password for admin:"), false);
    QTRY_VERIFY(dialog->findChild<QWidget*>(QStringLiteral("SecretPrompt"))->isVisible());
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("SecretField")), QStringLiteral("secret"));
    QTest::qWait(200);
    saveScreen(QStringLiteral("screen-connect-sudo") + suffix);
    dialog->reject();
    Q_EMIT connector.failed(QStringLiteral("Cancelled."), QString(), true);
    dialog->reject();
    QTRY_VERIFY(!window.findChild<views::ConnectDialog*>());
}

void TestSmoke::findingsDriveTheOtherViews_data() { diagramShowsTheDemoFlow_data(); }

// End to end on the demo pair: the findings list shows the direct-routing finding; choosing it moves the Flows,
// Rules and Diagram views to its flow and rule; the Fix script view verifies a script for it.
void TestSmoke::findingsDriveTheOtherViews()
{
    QFETCH(bool, dark);
    const QPalette light = QApplication::palette();
    const auto restore = qScopeGuard([&light] { QApplication::setPalette(light); });
    if (dark)
        QApplication::setPalette(darkPalette());
    const QString suffix = dark ? QStringLiteral("-dark") : QString();
    views::MainWindow window(&m_syntax);
    window.setGeometry(QGuiApplication::primaryScreen()->availableGeometry()); // as a maximised window
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy analysed(window.analysisPages(), &views::AnalysisPages::finished);
    window.openPaths({ QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json"),
        QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/after.chainsight.json") });
    QVERIFY(analysed.wait(60000));
    window.activateWindow();
    QTRY_VERIFY(window.isActiveWindow());
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    views::FindingsView* findings = window.analysisPages()->findings();
    QTRY_VERIFY(findings->isVisible());
    QVERIFY(findings->selectFinding(QStringLiteral("direct-routing-raw-drop")));
    QTest::qWait(300);
    saveScreen(QStringLiteral("screen-findings") + suffix);

    QSignalSpy drawn(window.diagramView(), &views::DiagramView::diagramShown);
    findings->list()->setCurrentIndex({});
    QVERIFY(findings->selectFinding(QStringLiteral("direct-routing-raw-drop")));
    const model::diff::FlowClass* flow = window.analysisPages()->flows()->currentClass();
    QVERIFY(flow);
    QCOMPARE(flow->after.deciding.table, std::string("raw"));
    QVERIFY(window.rulesDiffView()->currentRow() >= 0);
    QVERIFY(drawn.count() > 0 || drawn.wait(15000));
    QVERIFY(window.diagramView()->layout().node("chain:PREROUTING/raw/PREROUTING")->decidedHere);

    QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
    QTRY_VERIFY(window.analysisPages()->flows()->isVisible());
    QTest::qWait(300);
    saveScreen(QStringLiteral("screen-flows") + suffix);
    QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
    QTRY_VERIFY(window.rulesDiffView()->isVisible());
    QTest::qWait(300);
    saveScreen(QStringLiteral("screen-rules-finding") + suffix);
    QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
    QTRY_VERIFY(window.diagramView()->isVisible());
    window.diagramView()->fitToWindow();
    QTest::qWait(300);
    saveScreen(QStringLiteral("screen-diagram-finding") + suffix);

    views::FixScriptView* fix = window.analysisPages()->fixScript();
    QSignalSpy verified(fix, &views::FixScriptView::verificationFinished);
    QVERIFY(fix->chooseOnly(QStringLiteral("direct-routing-raw-drop")));
    QVERIFY(verified.wait(60000));
    QVERIFY(verified.last().at(0).toBool());
    QTest::keyClick(&window, Qt::Key_6, Qt::ControlModifier);
    QTRY_VERIFY(fix->isVisible());
    QTest::qWait(300);
    saveScreen(QStringLiteral("screen-fixscript") + suffix);
}

void TestSmoke::diagramShowsTheDemoFlow_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

// View > Diagram on the demo pair: the example flow's paths drawn, exportable, in both palettes.
void TestSmoke::diagramShowsTheDemoFlow()
{
    QFETCH(bool, dark);
    const QPalette light = QApplication::palette();
    const auto restore = qScopeGuard([&light] { QApplication::setPalette(light); });
    if (dark)
        QApplication::setPalette(darkPalette());
    views::MainWindow window(&m_syntax);
    window.setGeometry(QGuiApplication::primaryScreen()->availableGeometry()); // as a maximised window
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy shown(window.diagramView(), &views::DiagramView::diagramShown);
    window.openPaths({ QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json"),
        QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/after.chainsight.json") });
    QVERIFY(shown.wait(15000));
    auto* exportDiagram = window.findChild<QAction*>(QStringLiteral("actionExportDiagram"));
    QVERIFY(!exportDiagram->isEnabled());
    window.activateWindow();
    QTRY_VERIFY(window.isActiveWindow());
    QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
    QTRY_VERIFY(window.diagramView()->isVisible());
    QVERIFY(exportDiagram->isEnabled());
    window.diagramView()->fitToWindow();
    QVERIFY(window.diagramView()->canvas()->zoom() > 0.3);
    QTest::qWait(300);
    saveScreen(dark ? QStringLiteral("screen-diagram-dark") : QStringLiteral("screen-diagram"));
    QString error;
    const QString exported = screenshotPath(dark ? QStringLiteral("diagram-dark") : QStringLiteral("diagram"));
    QVERIFY2(window.diagramView()->exportTo(exported, &error), qPrintable(error));

    // The demo's story: tailscale0 to the container directly, accepted before, dropped in raw after.
    model::engine::Packet direct;
    direct.inInterface = "tailscale0";
    direct.header.src = *model::engine::IpAddress::parse("100.64.10.20");
    direct.header.dst = *model::engine::IpAddress::parse("172.18.0.2");
    direct.header.sport = 40000;
    direct.header.dport = 80;
    const auto before = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json"));
    const auto after = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/after.chainsight.json"));
    QVERIFY(before && after);
    const QList<model::SnapshotPtr> pair = { *before, *after };
    window.diagramView()->showFlow(direct, model::engine::Engine::fromSnapshot(*pair[0])->trace(direct).primary(),
        model::engine::Engine::fromSnapshot(*pair[1])->trace(direct).primary());
    QVERIFY(shown.wait(15000));
    QVERIFY(window.diagramView()->layout().node("chain:PREROUTING/raw/PREROUTING")->decidedHere);
    QTest::qWait(300);
    saveScreen(dark ? QStringLiteral("screen-diagram-direct-dark") : QStringLiteral("screen-diagram-direct"));
    QVERIFY2(window.diagramView()->exportTo(screenshotPath(dark ? QStringLiteral("diagram-direct-dark") : QStringLiteral("diagram-direct")), &error), qPrintable(error));
}

// The real executable (composition root, resources, platform plugin) starts and keeps running.
void TestSmoke::applicationStartsAndStaysUp()
{
    QProcess app;
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(QStringLiteral(CHAINSIGHT_BINARY_DIR "/app/chainsight"),
        { QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/docker-28.x-b-usernet-portmap.rules") });
    QVERIFY2(app.waitForStarted(), qPrintable(app.errorString()));
    QVERIFY2(!app.waitForFinished(2000), qPrintable(QString::fromLocal8Bit(app.readAll())));
    app.kill();
    app.waitForFinished();
}

QTEST_MAIN(TestSmoke)
#include "tst_smoke.moc"
