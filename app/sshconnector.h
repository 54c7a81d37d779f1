#pragma once

// The Connect to Host dialog's HostConnector, made of a remote::SnapshotWorker on its own QThread. The
// worker's questions (host key, passphrase, password, sudo password) are asked on the worker thread: each one
// is handed to the GUI thread as a signal, and the worker thread waits until the dialog answers or the user
// cancels.

#include "views/hostconnector.h"

#include "remote/hostsession.h"
#include "remote/snapshotworker.h"

#include <QMutex>
#include <QPointer>
#include <QWaitCondition>

#include <optional>

namespace app {

class SshConnector final : public views::HostConnector {
    Q_OBJECT
public:
    // base: options every connection starts from (tests point it at their own ssh config and known_hosts).
    explicit SshConnector(remote::ConnectOptions base = {}, QObject* parent = nullptr);
    ~SshConnector() override;

    void start(const views::ConnectRequest& request) override;
    void cancel() override;
    bool busy() const override { return m_thread != nullptr; }
    void answerHostKey(views::HostKeyAnswer answer) override;
    void answerSecret(QByteArray* secret, bool accepted) override;

private:
    // One question at a time crosses from the worker thread to the GUI thread and back.
    struct Pending {
        QMutex mutex;
        QWaitCondition answered;
        bool waiting = false;
        bool cancelled = false;
        std::optional<remote::HostKeyDecision> hostKey;
        std::optional<bool> secretGiven;
        remote::Secret secret;
    };
    remote::SessionCallbacks callbacks();
    bool askSecret(views::SecretKind kind, const std::string& prompt, bool echo, remote::Secret& answer);
    void finish();

    remote::ConnectOptions m_base;
    std::shared_ptr<Pending> m_pending;
    QThread* m_thread = nullptr;
    QPointer<remote::SnapshotWorker> m_worker;
};

} // namespace app
