#include "views/snapshotloader.h"
#include "views/backgroundpool.h"

#include "model/importer.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace views {

namespace {

    struct Outcome {
        QList<model::SnapshotPtr> snapshots;
        QString failedPath;
        QString error;
    };

    Outcome importOffThread(const QStringList& paths)
    {
        Outcome outcome;
        for (const QString& path : paths) {
            auto result = model::importPath(path);
            if (!result)
                return { {}, path, QString::fromStdString(result.error().toString()) };
            outcome.snapshots.append(result.value());
        }
        return outcome;
    }

} // namespace

SnapshotLoader::SnapshotLoader(QObject* parent)
    : QObject(parent)
{
}

// A watcher per load, owned by the loader: when the loader goes away, so does any pending delivery.
// (QFuture::then with a context object is not safe against the context's destruction before Qt 6.6.)
void SnapshotLoader::load(const QStringList& paths)
{
    cancel();
    m_paths = paths;
    auto* watcher = new QFutureWatcher<Outcome>(this);
    m_watcher = watcher;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, paths] {
        watcher->deleteLater();
        if (watcher != m_watcher)
            return; // abandoned by cancel() or a newer load()
        m_watcher = nullptr;
        const Outcome outcome = watcher->result();
        if (outcome.error.isEmpty())
            Q_EMIT loaded(outcome.snapshots, paths);
        else
            Q_EMIT failed(outcome.failedPath, outcome.error);
    });
    Q_EMIT started(paths);
    watcher->setFuture(QtConcurrent::run(backgroundPool(), importOffThread, paths));
}

void SnapshotLoader::cancel()
{
    if (!m_watcher)
        return;
    m_watcher = nullptr; // its finished() now only cleans up
    Q_EMIT cancelled(m_paths);
}

} // namespace views
