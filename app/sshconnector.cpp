#include "app/sshconnector.h"

#include <QThread>

namespace app {

SshConnector::SshConnector(remote::ConnectOptions base, QObject* parent)
    : views::HostConnector(parent)
    , m_base(std::move(base))
{
    qRegisterMetaType<views::HostKeyQuestion>("views::HostKeyQuestion");
    qRegisterMetaType<views::SecretKind>("views::SecretKind");
}

SshConnector::~SshConnector()
{
    if (m_thread) {
        cancel();
        m_thread->quit();
        m_thread->wait();
    }
}

remote::SessionCallbacks SshConnector::callbacks()
{
    remote::SessionCallbacks prompts;
    const std::shared_ptr<Pending> pending = m_pending;
    prompts.unknownHostKey = [this, pending](const remote::HostKeyInfo& info) {
        QMutexLocker lock(&pending->mutex);
        if (pending->cancelled)
            return remote::HostKeyDecision::Reject;
        pending->hostKey.reset();
        pending->waiting = true;
        Q_EMIT hostKeyAsked({ QString::fromStdString(info.host), info.port, QString::fromStdString(info.keyType),
            QString::fromStdString(info.fingerprint), info.knownHostsFileMissing });
        while (!pending->hostKey && !pending->cancelled)
            pending->answered.wait(&pending->mutex);
        pending->waiting = false;
        return pending->hostKey.value_or(remote::HostKeyDecision::Reject);
    };
    prompts.keyPassphrase = [this](const std::string& prompt, remote::Secret& answer) {
        return askSecret(views::SecretKind::KeyPassphrase, prompt, false, answer);
    };
    prompts.password = [this](const std::string& prompt, bool echo, remote::Secret& answer) {
        return askSecret(views::SecretKind::Password, prompt, echo, answer);
    };
    prompts.sudoPassword = [this](const std::string& prompt, remote::Secret& answer) {
        return askSecret(views::SecretKind::SudoPassword, prompt, false, answer);
    };
    return prompts;
}

// Runs on the worker thread. Captures m_pending by value through the caller: the object outlives the thread.
bool SshConnector::askSecret(views::SecretKind kind, const std::string& prompt, bool echo, remote::Secret& answer)
{
    const std::shared_ptr<Pending> pending = m_pending;
    QMutexLocker lock(&pending->mutex);
    if (pending->cancelled)
        return false;
    pending->secretGiven.reset();
    pending->waiting = true;
    Q_EMIT secretAsked(kind, QString::fromStdString(prompt), echo);
    while (!pending->secretGiven && !pending->cancelled)
        pending->answered.wait(&pending->mutex);
    pending->waiting = false;
    const bool given = pending->secretGiven.value_or(false) && !pending->cancelled;
    if (given)
        answer = std::move(pending->secret);
    pending->secret.clear();
    return given;
}

void SshConnector::start(const views::ConnectRequest& request)
{
    if (m_thread)
        return;
    remote::ConnectOptions options = m_base;
    options.host = request.host.toStdString();
    if (!request.user.isEmpty())
        options.user = request.user.toStdString();
    if (request.port > 0)
        options.port = request.port;
    if (!request.identityFile.isEmpty())
        options.identityFile = request.identityFile.toStdString();
    m_pending = std::make_shared<Pending>();

    m_thread = new QThread(this);
    auto* worker = new remote::SnapshotWorker(remote::SnapshotWorker::sshSessions(options), callbacks());
    m_worker = worker;
    worker->moveToThread(m_thread);
    connect(m_thread, &QThread::started, worker, &remote::SnapshotWorker::run);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(worker, &remote::SnapshotWorker::progressed, this, &HostConnector::progressed);
    connect(worker, &remote::SnapshotWorker::captured, this,
        [this](const model::SnapshotPtr& snapshot, const QStringList& notes) {
            finish();
            Q_EMIT finished(snapshot, notes);
        });
    connect(worker, &remote::SnapshotWorker::failed, this,
        [this](remote::ErrorCode code, const QString& message, const QString& detail) {
            const bool cancelled = code == remote::ErrorCode::Cancelled || (m_pending && m_pending->cancelled);
            finish();
            Q_EMIT failed(message, detail, cancelled);
        });
    m_thread->start();
}

void SshConnector::finish()
{
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    m_thread->deleteLater();
    m_thread = nullptr;
}

void SshConnector::cancel()
{
    if (m_worker)
        m_worker->cancel();
    if (!m_pending)
        return;
    QMutexLocker lock(&m_pending->mutex);
    m_pending->cancelled = true;
    m_pending->answered.wakeAll();
}

void SshConnector::answerHostKey(views::HostKeyAnswer answer)
{
    if (!m_pending)
        return;
    QMutexLocker lock(&m_pending->mutex);
    switch (answer) {
    case views::HostKeyAnswer::Reject:
        m_pending->hostKey = remote::HostKeyDecision::Reject;
        break;
    case views::HostKeyAnswer::AcceptOnce:
        m_pending->hostKey = remote::HostKeyDecision::AcceptOnce;
        break;
    case views::HostKeyAnswer::AcceptAndSave:
        m_pending->hostKey = remote::HostKeyDecision::AcceptAndSave;
        break;
    }
    m_pending->answered.wakeAll();
}

void SshConnector::answerSecret(QByteArray* secret, bool accepted)
{
    if (!m_pending)
        return;
    QMutexLocker lock(&m_pending->mutex);
    m_pending->secret.clear();
    if (accepted && secret && !secret->isEmpty())
        m_pending->secret.assign(secret->data(), std::size_t(secret->size())); // zeroes *secret
    m_pending->secretGiven = accepted;
    m_pending->answered.wakeAll();
}

} // namespace app
