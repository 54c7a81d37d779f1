#pragma once

#include "model/snapshot.h"

#include <QList>
#include <QObject>
#include <QStringList>

namespace views {

// Opens snapshot files, raw dumps or folders of dumps off the GUI thread: one path, or a before/after pair
// that succeeds or fails as a whole. One load at a time: starting another, or cancel(), abandons the
// running one, whose result is dropped when it arrives (the readers cannot be interrupted, but the
// window never waits for them).
class SnapshotLoader final : public QObject {
    Q_OBJECT
public:
    explicit SnapshotLoader(QObject* parent = nullptr);

    void load(const QStringList& paths);
    void cancel();
    bool busy() const { return m_watcher != nullptr; }

Q_SIGNALS:
    void started(const QStringList& paths);
    void loaded(const QList<model::SnapshotPtr>& snapshots, const QStringList& paths);
    void failed(const QString& path, const QString& message);
    void cancelled(const QStringList& paths);

private:
    QObject* m_watcher = nullptr; // the running load's watcher
    QStringList m_paths;
};

} // namespace views
