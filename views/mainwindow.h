#pragma once

#include "model/analysis/analysis.h"
#include "model/snapshot.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QToolButton;

namespace views {

class AnalysisPages;
class DiagramView;
class EmptyState;
class HostConnector;
class RecentFiles;
class RulesDiffView;
class RulesView;
class SnapshotLoader;
class SyntaxSupport;
class TraceView;

// The application's one window. Actions whose feature is not built yet stay visible but disabled, with a
// status tip that says why; nothing in the menus is a silent no-op.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    // syntax: owned by the caller and outliving the window.
    explicit MainWindow(const SyntaxSupport* syntax, QWidget* parent = nullptr);
    ~MainWindow() override;

    QString aboutText() const;
    // The snapshot the views show (of a pair: the one chosen in the Rules view).
    model::SnapshotPtr snapshot() const;
    RulesView* rulesView() const { return m_rulesView; }
    RulesDiffView* rulesDiffView() const { return m_rulesDiff; }
    TraceView* traceView() const { return m_traceView; }
    AnalysisPages* analysisPages() const { return m_analysisPages; }
    // Enables Connect to Host…; connector: outlives the window.
    void setHostConnector(HostConnector* connector);
    DiagramView* diagramView() const { return m_diagramView; }
    bool isLoading() const;

    // Writes the open snapshot; on failure returns false and says why in *error.
    bool saveSnapshotTo(const QString& path, QString* error);

public Q_SLOTS:
    void showAbout();
    // A snapshot file, a raw dump or a folder of dumps; loads off the GUI thread.
    void openPath(const QString& path);
    // One path, or a before/after pair.
    void openPaths(const QStringList& paths);
    void openSnapshotDialog();
    void saveSnapshotAsDialog();
    void exportScriptDialog();
    // Snapshot ▸ Preview Docker Upgrade…: the open snapshot (the after of a pair) against what a Docker release
    // would write on that host.
    void previewUpgradeDialog();
    // Writes the Fix script view's script (mode 0755); on failure returns false and says why in *error.
    bool exportScriptTo(const QString& path, QString* error);
    void openConnectDialog();
    // A snapshot taken over SSH: opens alone, or asks whether it is the before or the after of a comparison.
    void openRemoteSnapshot(const model::SnapshotPtr& snapshot, const QString& label);

Q_SIGNALS:
    void snapshotsOpened(const QStringList& paths);
    void openFailed(const QString& path, const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createViewActions();
    void createMenus();
    void createFileMenu();
    void createViewMenu();
    void createHelpMenu();
    void explainDisabledActions(QMenu* menu);
    void createStatusBar();
    void showLoading(const QStringList& paths);
    void hideLoading();
    void showSnapshots(const QList<model::SnapshotPtr>& snapshots, const QStringList& paths);
    void updateTitle();
    void showOpenError(const QString& path, const QString& message);
    void updateDocumentActions();
    void restoreWindowState();
    void saveWindowState() const;
    void showRulesPage();
    // mainwindowanalysis.cpp: the Findings, Flows and Fix script pages and the analysis behind them.
    void createAnalysisPages();
    void createAnalysisActions();
    void analysisStarted();
    void analysisFinished(const model::AnalysisPtr& analysis);
    void selectRule(model::Family family, const QString& table, const QString& chain, int index);
    void updateAnalysisActions();

    AnalysisPages* m_analysisPages = nullptr;
    QAction* m_viewFindings = nullptr;
    QAction* m_viewFlows = nullptr;
    QAction* m_viewFixScript = nullptr;
    QAction* m_previewUpgrade = nullptr;


    HostConnector* m_connector = nullptr;
    RulesDiffView* m_rulesDiff = nullptr;
    TraceView* m_traceView = nullptr;
    QAction* m_viewTrace = nullptr;
    QAction* m_sideBySide = nullptr;

    const SyntaxSupport* m_syntax = nullptr;
    RecentFiles* m_recentFiles = nullptr;
    EmptyState* m_emptyState = nullptr;
    QLabel* m_statusLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancelLoad = nullptr;
    QStackedWidget* m_stack = nullptr;
    RulesView* m_rulesView = nullptr;
    DiagramView* m_diagramView = nullptr;
    SnapshotLoader* m_loader = nullptr;
    QList<model::SnapshotPtr> m_snapshots;
    QStringList m_paths; // where each of m_snapshots was read from or last saved to

    QAction* m_openSnapshot = nullptr;
    QAction* m_saveSnapshotAs = nullptr;
    QAction* m_connectToHost = nullptr;
    QAction* m_exportScript = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_viewRules = nullptr;
    QAction* m_viewDiagram = nullptr;
    QAction* m_fullScreen = nullptr;
    QAction* m_about = nullptr;
    QAction* m_aboutQt = nullptr;
};

} // namespace views
