#pragma once

#include "model/snapshot.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QToolButton;

namespace views {

class DiagramView;
class EmptyState;
class RecentFiles;
class RulesView;
class SnapshotLoader;
class SyntaxSupport;

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
