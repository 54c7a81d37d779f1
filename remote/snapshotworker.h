#pragma once

// One remote snapshot as a QObject for the GUI: move it to a worker QThread, connect its signals, invoke run().
// The session and its libssh state live and die inside run(), on that thread. Questions for the user (host
// key, key passphrase, password, sudo password) are the SessionCallbacks given here; they are called on the
// worker thread, so a GUI answers them through a BlockingQueuedConnection to an object on the GUI thread.
// cancel() may be called from any thread.

#include "model/snapshot.h"
#include "remote/hostsession.h"
#include "remote/sessionerror.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace remote {

// Makes the session for one snapshot: SshHostSession in the application, a fake in tests.
using SessionFactory = std::function<std::unique_ptr<HostSession>(CancelTokenPtr cancel)>;

class SnapshotWorker final : public QObject {
    Q_OBJECT

public:
    SnapshotWorker(SessionFactory factory, SessionCallbacks prompts, QObject* parent = nullptr);
    // The real thing: libssh with these options.
    static SessionFactory sshSessions(ConnectOptions options);

    void cancel() noexcept;

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void progressed(int step, int total, const QString& label);
    // Every source as captured, plus the notes of the capture (failed commands, ignored IDs).
    void captured(model::SnapshotPtr snapshot, const QStringList& notes);
    void failed(remote::ErrorCode code, const QString& message, const QString& detail);

private:
    SessionFactory m_factory;
    SessionCallbacks m_prompts;
    CancelTokenPtr m_cancel;
};

} // namespace remote
