#include "model/fix/semanticverify.h"

#include "model/diff/flowdiff.h"

namespace model::fix {

FlowDiffFunction semanticFlowDiff()
{
    return [](const Snapshot& from, const Snapshot& to) {
        FlowDiff out;
        const auto a = engine::Engine::fromSnapshot(from);
        const auto b = engine::Engine::fromSnapshot(to);
        const std::optional<diff::FlowDiff> d = diff::computeFlowDiff(*a, *b);
        if (!d)
            return out;
        out.compared = static_cast<int>(d->boxes);
        for (const auto* list : { &d->classes, &d->depends }) {
            for (const diff::FlowClass& c : *list) {
                FlowChange change;
                change.label = c.witness.describe();
                change.packet = c.witness;
                change.from = verdictOf(c.witnessBefore);
                change.to = verdictOf(c.witnessAfter);
                out.changes.push_back(std::move(change));
            }
        }
        return out;
    };
}

} // namespace model::fix
