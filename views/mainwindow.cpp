#include "views/mainwindow.h"

#include "views/about.h"
#include "views/emptystate.h"
#include "views/recentfiles.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMouseEvent>
#include <QSettings>
#include <QStatusBar>

namespace views {

namespace {

    const auto GeometryKey = QStringLiteral("MainWindow/geometry");
    const auto StateKey = QStringLiteral("MainWindow/state");

    // An action for a feature that is not part of this build yet: visible, greyed out, and saying why.
    void markNotYetAvailable(QAction* action, const QString& why)
    {
        const QString tip = QStringLiteral("Not available yet: %1").arg(why);
        action->setEnabled(false);
        action->setStatusTip(tip);
        action->setToolTip(tip);
    }

    struct PlannedView {
        const char* objectName;
        const char* text;
        const char* why;
    };

    constexpr PlannedView PlannedViews[] = {
        { "actionViewFindings", "&Findings", "the Findings view needs the findings engine" },
        { "actionViewFlows", "F&lows", "the Flows view needs the semantic diff" },
        { "actionViewRules", "&Rules", "the Rules view is still being built" },
        { "actionViewDiagram", "&Diagram", "the Diagram view needs the netfilter traversal engine" },
        { "actionViewTrace", "&Trace", "the Trace view needs the netfilter traversal engine" },
        { "actionViewFixScript", "Fix &Script", "the Fix script view needs the remediation generator" },
    };

} // namespace

MainWindow::MainWindow(const SyntaxSupport* syntax, QWidget* parent)
    : QMainWindow(parent)
    , m_syntax(syntax)
{
    Q_ASSERT(m_syntax);
    setWindowTitle(QStringLiteral("Chainsight"));
    setObjectName(QStringLiteral("MainWindow"));
    m_recentFiles = new RecentFiles(this);
    connect(m_recentFiles, &RecentFiles::fileChosen, this, &MainWindow::openPath);
    createActions();
    createMenus();
    m_emptyState = new EmptyState(m_openSnapshot, m_connectToHost, this);
    setCentralWidget(m_emptyState);
    m_statusLabel = new QLabel(QStringLiteral("No snapshot open"), this);
    statusBar()->addWidget(m_statusLabel);
    restoreWindowState();
}

MainWindow::~MainWindow() = default;

QString MainWindow::aboutText() const { return views::aboutText(*m_syntax); }

void MainWindow::showAbout()
{
    // Window-modal and non-blocking, so the event loop keeps running (and tests can find and close it).
    auto* box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("AboutDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(QStringLiteral("About Chainsight"));
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setTextFormat(Qt::RichText);
    box->setText(aboutText());
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

void MainWindow::openPath(const QString& path)
{
    statusBar()->showMessage(QStringLiteral("Cannot open %1: reading snapshot files is still being built").arg(path));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveWindowState();
    event->accept();
}

// Menus never make a disabled entry "current", so Qt would not show its status tip; the reason why an entry
// is unavailable is the one thing the user needs to read there.
void MainWindow::explainDisabledActions(QMenu* menu) { menu->installEventFilter(this); }

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::MouseMove) {
        auto* menu = qobject_cast<QMenu*>(watched);
        const QAction* action = menu ? menu->actionAt(static_cast<QMouseEvent*>(event)->position().toPoint()) : nullptr;
        if (action && !action->isEnabled() && !action->statusTip().isEmpty())
            statusBar()->showMessage(action->statusTip());
    } else if (event->type() == QEvent::Hide && qobject_cast<QMenu*>(watched)) {
        statusBar()->clearMessage();
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::createActions()
{
    m_openSnapshot
        = new QAction(QIcon::fromTheme(QStringLiteral("document-open")), QStringLiteral("&Open Snapshot…"), this);
    m_openSnapshot->setObjectName(QStringLiteral("actionOpenSnapshot"));
    m_openSnapshot->setShortcut(QKeySequence::Open);
    markNotYetAvailable(m_openSnapshot, QStringLiteral("reading snapshot files is still being built"));

    m_saveSnapshotAs
        = new QAction(QIcon::fromTheme(QStringLiteral("document-save-as")), QStringLiteral("Save Snapshot &As…"), this);
    m_saveSnapshotAs->setObjectName(QStringLiteral("actionSaveSnapshotAs"));
    m_saveSnapshotAs->setShortcuts(QKeySequence::SaveAs);
    if (m_saveSnapshotAs->shortcuts().isEmpty()) // platforms without a desktop environment define none
        m_saveSnapshotAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    markNotYetAvailable(m_saveSnapshotAs, QStringLiteral("saving snapshot files is still being built"));

    m_connectToHost
        = new QAction(QIcon::fromTheme(QStringLiteral("network-connect")), QStringLiteral("&Connect to Host…"), this);
    m_connectToHost->setObjectName(QStringLiteral("actionConnectToHost"));
    m_connectToHost->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    markNotYetAvailable(m_connectToHost, QStringLiteral("taking snapshots over SSH is still being built"));

    m_exportScript = new QAction(
        QIcon::fromTheme(QStringLiteral("document-export")), QStringLiteral("&Export Remediation Script…"), this);
    m_exportScript->setObjectName(QStringLiteral("actionExportRemediationScript"));
    m_exportScript->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    markNotYetAvailable(m_exportScript, QStringLiteral("remediation scripts are still being built"));

    m_quit = new QAction(QIcon::fromTheme(QStringLiteral("application-exit")), QStringLiteral("&Quit"), this);
    m_quit->setObjectName(QStringLiteral("actionQuit"));
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setStatusTip(QStringLiteral("Close the window and quit Chainsight"));
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    m_fullScreen = new QAction(QStringLiteral("&Full Screen"), this);
    m_fullScreen->setObjectName(QStringLiteral("actionFullScreen"));
    m_fullScreen->setShortcut(QKeySequence::FullScreen);
    m_fullScreen->setCheckable(true);
    m_fullScreen->setStatusTip(QStringLiteral("Use the whole screen for the window"));
    connect(m_fullScreen, &QAction::toggled, this, [this](bool on) {
        setWindowState(on ? (windowState() | Qt::WindowFullScreen) : (windowState() & ~Qt::WindowFullScreen));
    });

    m_about = new QAction(QIcon::fromTheme(QStringLiteral("help-about")), QStringLiteral("&About Chainsight"), this);
    m_about->setObjectName(QStringLiteral("actionAbout"));
    m_about->setStatusTip(QStringLiteral("Show the version of Chainsight, Qt and syntax highlighting"));
    connect(m_about, &QAction::triggered, this, &MainWindow::showAbout);

    m_aboutQt = new QAction(QStringLiteral("About &Qt"), this);
    m_aboutQt->setObjectName(QStringLiteral("actionAboutQt"));
    m_aboutQt->setStatusTip(QStringLiteral("Show the Qt version and licence"));
    connect(m_aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::createMenus()
{
    createFileMenu();
    createViewMenu();
    createHelpMenu();
}

void MainWindow::createFileMenu()
{
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    file->setObjectName(QStringLiteral("menuFile"));
    file->setToolTipsVisible(true);
    explainDisabledActions(file);
    file->addAction(m_openSnapshot);
    QMenu* recent = file->addMenu(QStringLiteral("Open &Recent"));
    recent->setObjectName(QStringLiteral("menuOpenRecent"));
    recent->setToolTipsVisible(true);
    explainDisabledActions(recent);
    m_recentFiles->attachMenu(recent);
    file->addSeparator();
    file->addAction(m_saveSnapshotAs);
    file->addSeparator();
    file->addAction(m_connectToHost);
    file->addSeparator();
    file->addAction(m_exportScript);
    file->addSeparator();
    file->addAction(m_quit);
}

void MainWindow::createViewMenu()
{
    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    view->setObjectName(QStringLiteral("menuView"));
    view->setToolTipsVisible(true);
    explainDisabledActions(view);
    int number = 1;
    for (const PlannedView& planned : PlannedViews) {
        QAction* action = view->addAction(QString::fromUtf8(planned.text));
        action->setObjectName(QString::fromUtf8(planned.objectName));
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_0 + number++)));
        markNotYetAvailable(action, QString::fromUtf8(planned.why));
    }
    view->addSeparator();
    view->addAction(m_fullScreen);
}

void MainWindow::createHelpMenu()
{
    QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->setObjectName(QStringLiteral("menuHelp"));
    help->addAction(m_about);
    help->addAction(m_aboutQt);
}

void MainWindow::restoreWindowState()
{
    const QSettings settings;
    if (!restoreGeometry(settings.value(GeometryKey).toByteArray()))
        resize(1200, 800);
    restoreState(settings.value(StateKey).toByteArray());
}

void MainWindow::saveWindowState() const
{
    QSettings settings;
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState());
}

} // namespace views
