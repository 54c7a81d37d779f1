#include "views/diffpreparation.h"

#include "views/backgroundpool.h"

#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

namespace views {

namespace {

    using Latest = std::shared_ptr<std::atomic_int>;

    // Runs on the background pool; returns null as soon as a newer job has started.
    std::shared_ptr<PreparedDiff> prepare(std::shared_ptr<const model::diff::RuleDiff> diff,
        const model::RulesDiffOptions& options, const QFont& font, const Latest& latest, int job)
    {
        const auto stale = [&latest, job] { return latest->load() != job; };
        if (stale())
            return nullptr;
        auto result = std::make_shared<PreparedDiff>();
        result->madeOn = QThread::currentThread();
        result->rows = model::buildRulesDiffRows(std::move(diff), options, stale);
        if (!result->rows || stale())
            return nullptr;
        const std::array<QString, 2> texts { result->rows->sideText(0), result->rows->sideText(1) };
        if (stale())
            return nullptr;
        result->documents = makePlainDocuments(texts, font, stale);
        return !result->documents || stale() ? nullptr : result;
    }

} // namespace

QFuture<std::shared_ptr<PreparedDiff>> DiffPreparation::compare(
    model::RulesetPtr before, model::RulesetPtr after, const model::RulesDiffOptions& options, const QFont& font)
{
    const int job = ++*m_latest;
    return QtConcurrent::run(backgroundPool(), [before, after, options, font, latest = m_latest, job] {
        std::optional<model::diff::RuleDiff> compared
            = model::diff::diffRulesets(before, after, [&latest, job] { return latest->load() != job; });
        if (!compared)
            return std::shared_ptr<PreparedDiff>();
        auto diff = std::make_shared<const model::diff::RuleDiff>(std::move(*compared));
        return prepare(std::move(diff), options, font, latest, job);
    });
}

QFuture<std::shared_ptr<PreparedDiff>> DiffPreparation::rebuild(
    std::shared_ptr<const model::diff::RuleDiff> diff, const model::RulesDiffOptions& options, const QFont& font)
{
    const int job = ++*m_latest;
    return QtConcurrent::run(backgroundPool(), [diff, options, font, latest = m_latest, job] {
        return prepare(diff, options, font, latest, job);
    });
}

bool DiffPreparation::isCurrent(const std::shared_ptr<PreparedDiff>& result, int job) const
{
    return result && job == *m_latest;
}

} // namespace views
