#pragma once

// Proves a fix in the model before anyone runs it: applies the plans to the "after" snapshot, checks that
// every target flow gets the fate it wants, and that nothing else changes fate, above all that nothing is
// opened that was closed before the upgrade. Pure functions; thread-safe.

#include "model/fix/fixplan.h"
#include "model/fix/probeset.h"
#include "model/snapshot.h"

#include <string>
#include <vector>

namespace model::fix {

struct TargetCheck {
    std::string findingId;
    std::string label;
    engine::Packet packet;
    engine::Fate wanted = engine::Fate::Accept;
    FlowVerdict before;
    FlowVerdict after;
    FlowVerdict fixed;
    bool met() const noexcept { return fixed.fate == wanted; }
};

// A flow the fix changed that no target asked for.
struct SideEffect {
    FlowChange change; // from = after, to = fixed
    FlowVerdict before;
    // ACCEPTed with the fix but not before the upgrade: something was opened.
    bool opened = false;
    // Enters on the same interface and goes to the same address as a target that wants ACCEPT, from the
    // target's source or a peer on that interface's own link: the fix opens that path for more ports or
    // neighbours than the targets name. Reported, not a failure. From anywhere else it is a failure.
    bool withinTargetScope = false;
    bool securityProblem() const noexcept { return opened && !withinTargetScope; }
};

struct FixVerification {
    std::string error; // the plans could not be applied; nothing else is valid then
    std::vector<TargetCheck> targets;
    int probesCompared = 0;
    std::vector<SideEffect> sideEffects; // fate in fixed differs from after, not a target
    // ACCEPTed in fixed, not before, unchanged by the fix (the upgrade opened them): reported only.
    std::vector<FlowChange> openedByUpgrade;
    int targetsMet = 0;
    int securityProblems = 0;
    std::string summary; // several lines of plain text, for the CLI to print with the script

    bool ok() const noexcept
    {
        return error.empty() && targetsMet == static_cast<int>(targets.size()) && securityProblems == 0;
    }
};

// Uses the probe set of probeset.h, with the target flows added to it.
FixVerification verifyPlans(const Snapshot& before, const Snapshot& after, const std::vector<FixPlan>& plans);

// The same with another flow comparison (the exact semantic diff): diff(after, fixed) finds side effects,
// diff(before, fixed) finds what is open now and was not before.
FixVerification verifyPlans(
    const Snapshot& before, const Snapshot& after, const std::vector<FixPlan>& plans, const FlowDiffFunction& diff);

} // namespace model::fix
