#include "views/recentfiles.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace views {

namespace {
    const auto RecentFilesKey = QStringLiteral("recentFiles");
}

RecentFiles::RecentFiles(QObject* parent)
    : QObject(parent)
{
}

QStringList RecentFiles::files() const { return QSettings().value(RecentFilesKey).toStringList(); }

void RecentFiles::add(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > MaxEntries)
        list.removeLast();
    save(list);
}

void RecentFiles::clear() { save({}); }

void RecentFiles::attachMenu(QMenu* menu)
{
    m_menu = menu;
    rebuildMenu();
}

void RecentFiles::save(const QStringList& list)
{
    QSettings().setValue(RecentFilesKey, list);
    rebuildMenu();
}

void RecentFiles::rebuildMenu()
{
    if (!m_menu)
        return;
    // Deferred deletion: this runs from inside "Clear Menu"'s own triggered() signal.
    const QList<QAction*> old = m_menu->actions();
    for (QAction* action : old) {
        m_menu->removeAction(action);
        if (action->parent() == m_menu)
            action->deleteLater();
    }
    const QStringList list = files();
    if (list.isEmpty()) {
        QAction* none = m_menu->addAction(QStringLiteral("No recent files"));
        none->setEnabled(false);
        none->setStatusTip(QStringLiteral("Files you open are listed here"));
        return;
    }
    int number = 1;
    for (const QString& path : list) {
        const QString label = number < 10 ? QStringLiteral("&%1  %2").arg(number).arg(QDir::toNativeSeparators(path))
                                          : QDir::toNativeSeparators(path);
        QAction* action = m_menu->addAction(label);
        action->setData(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT fileChosen(path); });
        ++number;
    }
    m_menu->addSeparator();
    QAction* clearAction = m_menu->addAction(QStringLiteral("&Clear Menu"));
    connect(clearAction, &QAction::triggered, this, &RecentFiles::clear);
}

} // namespace views
