#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace views {

// The "Open Recent" list, kept in QSettings and shown in a menu. Opening is the window's job: this class
// only remembers paths and reports which one the user picked.
class RecentFiles final : public QObject {
    Q_OBJECT
public:
    static constexpr int MaxEntries = 10;

    explicit RecentFiles(QObject* parent = nullptr);

    QStringList files() const;
    void add(const QString& path);
    void clear();

    // Keeps menu in sync with the list; an empty list shows a disabled "No recent files" entry.
    void attachMenu(QMenu* menu);

Q_SIGNALS:
    void fileChosen(const QString& path);

private:
    void save(const QStringList& files);
    void rebuildMenu();

    QMenu* m_menu = nullptr;
};

} // namespace views
