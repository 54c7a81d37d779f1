#pragma once

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;

namespace views {

class EmptyState;
class RecentFiles;
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

public Q_SLOTS:
    void showAbout();
    void openPath(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createFileMenu();
    void createViewMenu();
    void createHelpMenu();
    void explainDisabledActions(QMenu* menu);
    void restoreWindowState();
    void saveWindowState() const;

    const SyntaxSupport* m_syntax = nullptr;
    RecentFiles* m_recentFiles = nullptr;
    EmptyState* m_emptyState = nullptr;
    QLabel* m_statusLabel = nullptr;

    QAction* m_openSnapshot = nullptr;
    QAction* m_saveSnapshotAs = nullptr;
    QAction* m_connectToHost = nullptr;
    QAction* m_exportScript = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_fullScreen = nullptr;
    QAction* m_about = nullptr;
    QAction* m_aboutQt = nullptr;
};

} // namespace views
