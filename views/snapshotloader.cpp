#include "views/snapshotloader.h"

#include "model/importer.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace views {

namespace {

    struct Outcome {
        model::SnapshotPtr snapshot;
        QString error;
    };

    Outcome importOffThread(const QString& path)
    {
        auto result = model::importPath(path);
        if (!result)
            return { nullptr, QString::fromStdString(result.error().toString()) };
        return { result.value(), {} };
    }

} // namespace

SnapshotLoader::SnapshotLoader(QObject* parent)
    : QObject(parent)
{
}

// A watcher per load, owned by the loader: when the loader goes away, so does any pending delivery.
// (QFuture::then with a context object is not safe against the context's destruction before Qt 6.6.)
void SnapshotLoader::load(const QString& path)
{
    cancel();
    m_busy = true;
    m_path = path;
    auto* watcher = new QFutureWatcher<Outcome>(this);
    m_watcher = watcher;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        if (watcher != m_watcher)
            return; // abandoned by cancel() or a newer load()
        m_watcher = nullptr;
        m_busy = false;
        const Outcome outcome = watcher->result();
        if (outcome.snapshot)
            Q_EMIT loaded(outcome.snapshot, path);
        else
            Q_EMIT failed(path, outcome.error);
    });
    Q_EMIT started(path);
    watcher->setFuture(QtConcurrent::run(importOffThread, path));
}

void SnapshotLoader::cancel()
{
    if (!m_busy)
        return;
    m_watcher = nullptr; // its finished() now only cleans up
    m_busy = false;
    Q_EMIT cancelled(m_path);
}

} // namespace views
