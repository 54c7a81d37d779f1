#pragma once

#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace views {

// Hands a worker's result to onResult on owner's thread, unless owner is gone by then. The watcher is owner's
// child, so destroying owner drops the delivery; the job itself runs on and its result is discarded.
// (QFuture::then(context, ...) asserts when its context is destroyed before the job ends, up to Qt 6.6.)
template <typename T, typename F>
void deliverResult(QObject* owner, QFuture<T> future, F onResult)
{
    auto* watcher = new QFutureWatcher<T>(owner);
    QObject::connect(watcher, &QFutureWatcherBase::finished, owner, [watcher, onResult = std::move(onResult)]() mutable {
        watcher->deleteLater();
        if (!watcher->isCanceled() && watcher->future().resultCount() > 0)
            onResult(watcher->result());
    });
    watcher->setFuture(std::move(future));
}

} // namespace views
