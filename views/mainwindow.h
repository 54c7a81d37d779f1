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
    const model::SnapshotPtr& snapshot() const { return m_snapshot; }
    RulesView* rulesView() const { return m_rulesView; }
    bool isLoading() const;

    // Writes the open snapshot; on failure returns false and says why in *error.
    bool saveSnapshotTo(const QString& path, QString* error);

public Q_SLOTS:
    void showAbout();
    // A snapshot file, a raw dump or a folder of dumps; loads off the GUI thread.
    void openPath(const QString& path);
    void openSnapshotDialog();
    void saveSnapshotAsDialog();

Q_SIGNALS:
    void snapshotOpened(const QString& path);
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
    void showLoading(const QString& path);
    void hideLoading();
    void showSnapshot(const model::SnapshotPtr& snapshot, const QString& path);
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
    SnapshotLoader* m_loader = nullptr;
    model::SnapshotPtr m_snapshot;
    QString m_snapshotPath;

    QAction* m_openSnapshot = nullptr;
    QAction* m_saveSnapshotAs = nullptr;
    QAction* m_connectToHost = nullptr;
    QAction* m_exportScript = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_viewRules = nullptr;
    QAction* m_fullScreen = nullptr;
    QAction* m_about = nullptr;
    QAction* m_aboutQt = nullptr;
};

} // namespace views
