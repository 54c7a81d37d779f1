#include "views/mainwindow.h"

#include "views/about.h"
#include "views/analysispages.h"
#include "views/connectdialog.h"
#include "views/diagramview.h"
#include "views/emptystate.h"
#include "views/recentfiles.h"
#include "views/rulesdiffview.h"
#include "views/rulesview.h"
#include "views/snapshotloader.h"
#include "views/traceview.h"

#include "model/snapshotfile.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>

#include <map>

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

} // namespace

MainWindow::MainWindow(const SyntaxSupport* syntax, QWidget* parent)
    : QMainWindow(parent)
    , m_syntax(syntax)
{
    Q_ASSERT(m_syntax);
    setWindowTitle(QStringLiteral("Chainsight"));
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    m_recentFiles = new RecentFiles(this);
    connect(m_recentFiles, &RecentFiles::fileChosen, this, &MainWindow::openPath);
    m_loader = new SnapshotLoader(this);
    connect(m_loader, &SnapshotLoader::started, this, &MainWindow::showLoading);
    connect(m_loader, &SnapshotLoader::loaded, this, &MainWindow::showSnapshots);
    connect(m_loader, &SnapshotLoader::failed, this, &MainWindow::showOpenError);
    connect(m_loader, &SnapshotLoader::cancelled, this, [this](const QStringList& paths) {
        hideLoading();
        statusBar()->showMessage(
            QStringLiteral("Stopped opening %1").arg(QDir::toNativeSeparators(paths.join(QStringLiteral(", ")))), 5000);
    });
    m_diagramView = new DiagramView(this);
    createActions();
    createMenus();
    m_emptyState = new EmptyState(m_openSnapshot, m_connectToHost, this);
    m_rulesView = new RulesView(m_syntax, this);
    connect(m_rulesView, &RulesView::currentSnapshotChanged, this, &MainWindow::updateTitle);
    m_rulesDiff = new RulesDiffView(m_syntax, this);
    m_traceView = new TraceView(this);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_emptyState);
    m_stack->addWidget(m_rulesView);
    m_stack->addWidget(m_rulesDiff);
    m_stack->addWidget(m_traceView);
    m_stack->addWidget(m_diagramView);
    connect(m_stack, &QStackedWidget::currentChanged, this, &MainWindow::updateDocumentActions);
    connect(m_traceView, &TraceView::flowTraced, this, [this](const QList<TracedFlow>& flows) {
        if (flows.isEmpty())
            return;
        const auto& first = flows.front().flow.original;
        std::optional<model::engine::TraceResult> before, after;
        if (flows.size() == 2)
            before = first;
        after = flows.back().flow.original;
        m_diagramView->showTraces(first.packet, before, after);
    });
    setCentralWidget(m_stack);
    createStatusBar();
    createAnalysisPages();
    updateDocumentActions();
    restoreWindowState();
}

void MainWindow::createStatusBar()
{
    m_statusLabel = new QLabel(QStringLiteral("No snapshot open"), this);
    m_statusLabel->setObjectName(QStringLiteral("SnapshotStatus"));
    statusBar()->addWidget(m_statusLabel, 1);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0); // the readers report no steps; show that work is going on
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    statusBar()->addPermanentWidget(m_progress);
    m_cancelLoad = new QToolButton(this);
    m_cancelLoad->setObjectName(QStringLiteral("CancelLoad"));
    m_cancelLoad->setText(QStringLiteral("Cancel"));
    m_cancelLoad->setToolTip(QStringLiteral("Stop opening and keep what is shown now"));
    m_cancelLoad->setVisible(false);
    connect(m_cancelLoad, &QToolButton::clicked, m_loader, &SnapshotLoader::cancel);
    statusBar()->addPermanentWidget(m_cancelLoad);
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

bool MainWindow::isLoading() const { return m_loader->busy(); }

void MainWindow::openPath(const QString& path) { openPaths({ path }); }

void MainWindow::openPaths(const QStringList& paths)
{
    if (paths.isEmpty())
        return;
    m_loader->load(paths.mid(0, 2));
    if (paths.size() > 2)
        statusBar()->showMessage(
            QStringLiteral("Opening the first two of %1 files: a before and an after snapshot").arg(paths.size()));
}

model::SnapshotPtr MainWindow::snapshot() const { return m_rulesView->currentSnapshot(); }

void MainWindow::updateTitle()
{
    QStringList names;
    for (const QString& path : m_paths)
        names << QFileInfo(path).fileName();
    setWindowTitle(names.isEmpty() ? QStringLiteral("Chainsight") : names.join(QStringLiteral(" → ")));
    const int current = m_rulesView->currentSnapshotIndex();
    setWindowFilePath(current >= 0 ? m_paths.value(current) : QString());
}

void MainWindow::openSnapshotDialog()
{
    const QString start = windowFilePath().isEmpty() ? QDir::homePath() : QFileInfo(windowFilePath()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open Snapshot"), start,
        QStringLiteral("Snapshots and dumps (*.chainsight.json *.json *.rules *.v4 *.v6 *.txt *.save);;"
                       "All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::saveSnapshotAsDialog()
{
    const model::SnapshotPtr shown = snapshot();
    if (!shown)
        return;
    const QString host = QString::fromStdString(shown->meta.hostname);
    const QString suggested
        = QDir(QFileInfo(windowFilePath()).absolutePath())
              .filePath((host.isEmpty() ? QStringLiteral("snapshot") : host) + QStringLiteral(".chainsight.json"));
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save Snapshot As"), suggested,
        QStringLiteral("Chainsight snapshots (*.chainsight.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveSnapshotTo(path, &error))
        QMessageBox::warning(this, QStringLiteral("Save Snapshot As"), error);
}

bool MainWindow::saveSnapshotTo(const QString& path, QString* error)
{
    const model::SnapshotPtr shown = snapshot();
    if (!shown) {
        *error = QStringLiteral("There is no snapshot to save.");
        return false;
    }
    const auto saved = model::saveSnapshotFile(*shown, path);
    if (!saved) {
        *error = QString::fromStdString(saved.error().toString());
        return false;
    }
    m_paths[m_rulesView->currentSnapshotIndex()] = path;
    updateTitle();
    m_recentFiles->add(path);
    statusBar()->showMessage(QStringLiteral("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

void MainWindow::showLoading(const QStringList& paths)
{
    statusBar()->showMessage(
        QStringLiteral("Opening %1…").arg(QDir::toNativeSeparators(paths.join(QStringLiteral(" and ")))));
    m_progress->setVisible(true);
    m_cancelLoad->setVisible(true);
    m_openSnapshot->setEnabled(false);
}

void MainWindow::hideLoading()
{
    m_progress->setVisible(false);
    m_cancelLoad->setVisible(false);
    m_openSnapshot->setEnabled(true);
}

void MainWindow::showSnapshots(const QList<model::SnapshotPtr>& snapshots, const QStringList& paths)
{
    hideLoading();
    statusBar()->clearMessage();
    m_snapshots = snapshots;
    m_paths = paths;
    for (const QString& path : paths) {
        if (QFileInfo::exists(path)) // not a snapshot taken over SSH and not saved yet
            m_recentFiles->add(path);
    }
    QStringList labels;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QString role
            = paths.size() == 2 ? (i == 0 ? QStringLiteral("Before: ") : QStringLiteral("After: ")) : QString();
        labels << role + QFileInfo(paths[i]).fileName();
    }
    m_rulesView->setSnapshots(snapshots, labels);
    if (snapshots.size() == 2)
        m_rulesDiff->setSnapshots(snapshots.front(), snapshots.back(), labels.front(), labels.back());
    m_traceView->setSnapshots(snapshots, labels);
    showRulesPage();
    m_analysisPages->analyse(
        snapshots.size() == 2 ? snapshots.front() : nullptr, snapshots.back(), QFileInfo(paths.back()).fileName());
    m_diagramView->setSnapshots(snapshots);
    updateTitle();

    const model::SnapshotPtr& last = snapshots.back();
    const QString host = QString::fromStdString(last->meta.hostname);
    const QString taken = QString::fromStdString(last->meta.takenAt);
    QStringList status { paths.size() == 2 ? QStringLiteral("Before and after") : QFileInfo(paths.front()).fileName() };
    if (!host.isEmpty())
        status << host;
    if (!taken.isEmpty() && paths.size() == 1)
        status << QStringLiteral("taken %1").arg(taken);
    m_statusLabel->setText(status.join(QStringLiteral(" · ")));
    updateDocumentActions();
    Q_EMIT snapshotsOpened(paths);
}

void MainWindow::showOpenError(const QString& path, const QString& message)
{
    hideLoading();
    statusBar()->showMessage(QStringLiteral("Could not open %1").arg(QDir::toNativeSeparators(path)), 5000);
    auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("Open Snapshot"),
        QStringLiteral("Could not open %1").arg(QDir::toNativeSeparators(path)), QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("OpenErrorDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(message);
    box->open();
    Q_EMIT openFailed(path, message);
}

void MainWindow::updateDocumentActions()
{
    const bool open = !m_snapshots.isEmpty();
    m_saveSnapshotAs->setEnabled(open);
    m_saveSnapshotAs->setStatusTip(open ? QStringLiteral("Save the open snapshot as a Chainsight snapshot file")
                                        : QStringLiteral("Nothing to save yet: open a snapshot first"));
    m_viewRules->setEnabled(open);
    m_viewRules->setStatusTip(open ? QStringLiteral("Show the snapshot's firewall rules")
                                   : QStringLiteral("Open a snapshot first: the Rules view shows its rules"));
    m_viewTrace->setEnabled(open);
    m_viewTrace->setStatusTip(open ? QStringLiteral("Follow a packet through the firewall of each open snapshot")
                                   : QStringLiteral("Open a snapshot first: the Trace view follows packets through it"));
    const bool pair = m_snapshots.size() == 2;
    m_sideBySide->setEnabled(pair);
    m_sideBySide->setStatusTip(pair ? QStringLiteral("Rules view: before and after side by side, or one at a time")
                                    : QStringLiteral("Open a before/after pair first: side by side compares two"));
    m_viewDiagram->setEnabled(open);
    m_viewDiagram->setStatusTip(open ? QStringLiteral("Show the netfilter pipeline and a flow's path through it")
                                     : QStringLiteral("Open a snapshot first: the Diagram view draws its pipeline"));
    const bool diagramShown = open && m_stack && m_stack->currentWidget() == m_diagramView;
    m_diagramView->exportAction()->setEnabled(diagramShown);
    m_diagramView->exportAction()->setStatusTip(diagramShown
            ? QStringLiteral("Save the diagram as an SVG or PNG image")
            : QStringLiteral("Show the Diagram view (View ▸ Diagram) to export it"));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.front().isLocalFile())
        return;
    event->acceptProposedAction();
    QStringList paths;
    for (const QUrl& url : urls) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
    }
    openPaths(paths);
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
    m_openSnapshot->setStatusTip(
        QStringLiteral("Open a Chainsight snapshot, a raw iptables-save / iptables -S dump, or a folder of dumps"));
    connect(m_openSnapshot, &QAction::triggered, this, &MainWindow::openSnapshotDialog);

    m_saveSnapshotAs
        = new QAction(QIcon::fromTheme(QStringLiteral("document-save-as")), QStringLiteral("Save Snapshot &As…"), this);
    m_saveSnapshotAs->setObjectName(QStringLiteral("actionSaveSnapshotAs"));
    m_saveSnapshotAs->setShortcuts(QKeySequence::SaveAs);
    if (m_saveSnapshotAs->shortcuts().isEmpty()) // platforms without a desktop environment define none
        m_saveSnapshotAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    connect(m_saveSnapshotAs, &QAction::triggered, this, &MainWindow::saveSnapshotAsDialog);

    createViewActions();
    createAnalysisActions();

    m_viewDiagram = new QAction(QStringLiteral("&Diagram"), this);
    m_viewDiagram->setObjectName(QStringLiteral("actionViewDiagram"));
    m_viewDiagram->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    connect(m_viewDiagram, &QAction::triggered, this, [this] {
        if (!m_snapshots.isEmpty())
            m_stack->setCurrentWidget(m_diagramView);
    });

    m_connectToHost
        = new QAction(QIcon::fromTheme(QStringLiteral("network-connect")), QStringLiteral("&Connect to Host…"), this);
    m_connectToHost->setObjectName(QStringLiteral("actionConnectToHost"));
    m_connectToHost->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    markNotYetAvailable(m_connectToHost, QStringLiteral("this build cannot take snapshots over SSH"));
    connect(m_connectToHost, &QAction::triggered, this, &MainWindow::openConnectDialog);

    m_exportScript = new QAction(
        QIcon::fromTheme(QStringLiteral("document-export")), QStringLiteral("&Export Remediation Script…"), this);
    m_exportScript->setObjectName(QStringLiteral("actionExportRemediationScript"));
    m_exportScript->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_exportScript, &QAction::triggered, this, &MainWindow::exportScriptDialog);

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

void MainWindow::createViewActions()
{
    m_viewRules = new QAction(QStringLiteral("&Rules"), this);
    m_viewRules->setObjectName(QStringLiteral("actionViewRules"));
    m_viewRules->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    connect(m_viewRules, &QAction::triggered, this, &MainWindow::showRulesPage);

    m_sideBySide = new QAction(QStringLiteral("Rules &Side by Side"), this);
    m_sideBySide->setObjectName(QStringLiteral("actionRulesSideBySide"));
    m_sideBySide->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_3));
    m_sideBySide->setCheckable(true);
    m_sideBySide->setChecked(true);
    connect(m_sideBySide, &QAction::toggled, this, &MainWindow::showRulesPage);

    m_viewTrace = new QAction(QStringLiteral("&Trace"), this);
    m_viewTrace->setObjectName(QStringLiteral("actionViewTrace"));
    m_viewTrace->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
    connect(m_viewTrace, &QAction::triggered, this, [this] {
        if (!m_snapshots.isEmpty())
            m_stack->setCurrentWidget(m_traceView);
    });
}

void MainWindow::createMenus()
{
    createFileMenu();
    QMenu* snapshotMenu = menuBar()->addMenu(QStringLiteral("&Snapshot"));
    snapshotMenu->setObjectName(QStringLiteral("menuSnapshot"));
    snapshotMenu->setToolTipsVisible(true);
    explainDisabledActions(snapshotMenu);
    snapshotMenu->addAction(m_previewUpgrade);
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
    file->addAction(m_diagramView->exportAction());
    file->addSeparator();
    file->addAction(m_quit);
}

void MainWindow::createViewMenu()
{
    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    view->setObjectName(QStringLiteral("menuView"));
    view->setToolTipsVisible(true);
    explainDisabledActions(view);
    view->addAction(m_viewFindings);
    view->addAction(m_viewFlows);
    view->addAction(m_viewRules);
    view->addAction(m_viewDiagram);
    view->addAction(m_viewTrace);
    view->addAction(m_viewFixScript);
    view->addSeparator();
    view->addAction(m_sideBySide);
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

namespace views {

void MainWindow::showRulesPage()
{
    if (m_snapshots.isEmpty())
        return;
    const bool sideBySide = m_snapshots.size() == 2 && m_sideBySide->isChecked();
    m_stack->setCurrentWidget(sideBySide ? static_cast<QWidget*>(m_rulesDiff) : m_rulesView);
}

void MainWindow::setHostConnector(HostConnector* connector)
{
    m_connector = connector;
    if (!connector) {
        markNotYetAvailable(m_connectToHost, QStringLiteral("this build cannot take snapshots over SSH"));
        return;
    }
    m_connectToHost->setEnabled(true);
    const QString tip = QStringLiteral("Take a snapshot of a host over SSH");
    m_connectToHost->setStatusTip(tip);
    m_connectToHost->setToolTip(tip);
}

void MainWindow::openConnectDialog()
{
    if (!m_connector)
        return;
    auto* dialog = new ConnectDialog(m_connector, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectDialog::snapshotTaken, this,
        [this](const model::SnapshotPtr& snapshot, const QString& label) { openRemoteSnapshot(snapshot, label); });
    dialog->open();
}

void MainWindow::openRemoteSnapshot(const model::SnapshotPtr& snapshot, const QString& label)
{
    if (!snapshot)
        return;
    if (m_snapshots.isEmpty()) {
        showSnapshots({ snapshot }, { label });
        return;
    }
    const model::SnapshotPtr other = m_snapshots.back();
    const QString otherPath = m_paths.back();
    auto* box = new QMessageBox(QMessageBox::Question, QStringLiteral("Open Snapshot"),
        QStringLiteral("Compare the snapshot of %1 with %2?").arg(label, QFileInfo(otherPath).fileName()),
        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("OpenRemoteAsDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(QStringLiteral("It can be the after (the host as it is now) or the before of the "
                                           "comparison, or replace what is open."));
    QPushButton* asAfter = box->addButton(QStringLiteral("As &After"), QMessageBox::AcceptRole);
    asAfter->setObjectName(QStringLiteral("OpenAsAfter"));
    QPushButton* asBefore = box->addButton(QStringLiteral("As &Before"), QMessageBox::AcceptRole);
    asBefore->setObjectName(QStringLiteral("OpenAsBefore"));
    QPushButton* alone = box->addButton(QStringLiteral("&Replace"), QMessageBox::DestructiveRole);
    alone->setObjectName(QStringLiteral("OpenAlone"));
    box->setDefaultButton(asAfter);
    connect(box, &QMessageBox::buttonClicked, this, [=, this](QAbstractButton* clicked) {
        if (clicked == asAfter)
            showSnapshots({ other, snapshot }, { otherPath, label });
        else if (clicked == asBefore)
            showSnapshots({ snapshot, other }, { label, otherPath });
        else if (clicked == alone)
            showSnapshots({ snapshot }, { label });
    });
    box->open();
}

} // namespace views
