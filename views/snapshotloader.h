#pragma once

#include "model/snapshot.h"

#include <QObject>
#include <QString>

namespace views {

// Opens a snapshot file, a raw dump or a folder of dumps off the GUI thread. One load at a time: starting
// another, or cancel(), abandons the running one, whose result is then dropped when it arrives (the
// reader itself cannot be interrupted, but the window never waits for it).
class SnapshotLoader final : public QObject {
    Q_OBJECT
public:
    explicit SnapshotLoader(QObject* parent = nullptr);

    void load(const QString& path);
    void cancel();
    bool busy() const { return m_busy; }

Q_SIGNALS:
    void started(const QString& path);
    void loaded(const model::SnapshotPtr& snapshot, const QString& path);
    void failed(const QString& path, const QString& message);
    void cancelled(const QString& path);

private:
    QObject* m_watcher = nullptr; // the running load's watcher
    bool m_busy = false;
    QString m_path;
};

} // namespace views
