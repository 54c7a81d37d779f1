#pragma once

// A large pair's side-by-side lines made off the GUI thread: the rule diff (when not already known), the aligned
// rows for the current options and both panes' documents, in one job on the background pool. A newer job makes
// an older one stale; a stale job stops at its next step (between chains while comparing, every few thousand
// lines while laying out) and its result is dropped.

#include "model/rulesdiffrows.h"
#include "views/plaindocument.h"

#include <QFont>
#include <QFuture>

#include <atomic>
#include <memory>

class QThread;

namespace views {

struct PreparedDiff {
    model::RulesDiffRowsPtr rows;
    std::shared_ptr<PlainDocuments> documents;
    QThread* madeOn = nullptr; // the thread that did the work
};

class DiffPreparation {
public:
    // Starts a job comparing two rulesets; any earlier job becomes stale.
    QFuture<std::shared_ptr<PreparedDiff>> compare(
        model::RulesetPtr before, model::RulesetPtr after, const model::RulesDiffOptions& options, const QFont& font);
    // Starts a job building the rows of an existing diff, for new options.
    QFuture<std::shared_ptr<PreparedDiff>> rebuild(
        std::shared_ptr<const model::diff::RuleDiff> diff, const model::RulesDiffOptions& options, const QFont& font);
    // Makes every started job stale.
    void cancel() { ++*m_latest; }
    // Whether a result belongs to the latest job (and is not null, which a stale job returns).
    bool isCurrent(const std::shared_ptr<PreparedDiff>& result, int job) const;
    int latestJob() const { return *m_latest; }

private:
    std::shared_ptr<std::atomic_int> m_latest = std::make_shared<std::atomic_int>(0);
};

} // namespace views
