#include "remote/snapshotworker.h"

#include "model/snapshotbuilder.h"
#include "remote/snapshotcollector.h"
#include "remote/sshhostsession.h"

namespace remote {

SnapshotWorker::SnapshotWorker(SessionFactory factory, SessionCallbacks prompts, QObject* parent)
    : QObject(parent)
    , m_factory(std::move(factory))
    , m_prompts(std::move(prompts))
    , m_cancel(std::make_shared<CancelToken>())
{
    qRegisterMetaType<model::SnapshotPtr>("model::SnapshotPtr");
    qRegisterMetaType<remote::ErrorCode>("remote::ErrorCode");
}

SessionFactory SnapshotWorker::sshSessions(ConnectOptions options)
{
    return [options = std::move(options)](CancelTokenPtr cancel) -> std::unique_ptr<HostSession> {
        return std::make_unique<SshHostSession>(options, std::move(cancel));
    };
}

void SnapshotWorker::cancel() noexcept { m_cancel->cancel(); }

void SnapshotWorker::run()
{
    SessionCallbacks callbacks = m_prompts;
    callbacks.progressed = [this](int step, int total, const std::string& label) {
        Q_EMIT progressed(step, total, QString::fromStdString(label));
    };
    auto session = m_factory(m_cancel);
    SnapshotCollector collector(*session, callbacks, m_cancel);
    auto capture = collector.collect();
    session.reset();
    if (!capture.ok()) {
        const auto& error = capture.error();
        Q_EMIT failed(error.code, QString::fromStdString(error.message), QString::fromStdString(error.detail));
        return;
    }
    QStringList notes;
    for (const auto& note : capture.value().notes)
        notes << QString::fromStdString(note);
    auto built = model::snapshotFromSources(std::move(capture.value().meta), std::move(capture.value().sources));
    if (!built.ok()) {
        Q_EMIT failed(ErrorCode::CommandFailed, QStringLiteral("The captured sources could not be read."),
            QString::fromStdString(built.error().toString()));
        return;
    }
    Q_EMIT captured(built.value(), notes);
}

} // namespace remote
