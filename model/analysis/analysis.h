#pragma once

// Everything the desktop views show about one snapshot or a before/after pair, computed once off the GUI
// thread: the engines, the semantic flow diff (for a pair) and the findings. An immutable value, shared as
// AnalysisPtr across threads.

#include "model/diff/flowdiff.h"
#include "model/engine/engine.h"
#include "model/findings/finding.h"
#include "model/snapshot.h"

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace model {

struct Analysis {
    SnapshotPtr before; // null when only one snapshot is open
    SnapshotPtr after; // the snapshot diagnosed (the only one, or the after of a pair)
    std::shared_ptr<const engine::Engine> engineBefore;
    std::shared_ptr<const engine::Engine> engineAfter;
    std::optional<diff::FlowDiff> flows; // for a pair
    std::vector<findings::Finding> findings;

    bool isPair() const noexcept { return before != nullptr; }
};
using AnalysisPtr = std::shared_ptr<const Analysis>;

// Called with the fraction done (0..1) a few times a second; returning false cancels.
using AnalysisProgress = std::function<bool(double)>;

// Builds the engines, diffs a pair, and runs the findings with each flow class as extra evidence.
// nullptr when cancelled. Pure; runs on any thread.
AnalysisPtr analyse(SnapshotPtr before, SnapshotPtr after, const AnalysisProgress& progress = {});

} // namespace model
