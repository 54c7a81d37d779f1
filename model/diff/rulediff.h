#pragma once

// The rule-level diff of two rulesets: for every table and chain, the rules of both sides aligned into rows for a
// side-by-side view, each row saying whether the rule stayed, was added, removed, changed in place or moved (to
// another position or chain). Rules compare as iptables sees them: counters, source lines and the order of
// options iptables does not distinguish are ignored.
//
// A RuleDiff points into the two rulesets it was computed from; keep them alive as long as the diff (the
// RulesetPtr overload does this). It is an immutable value once built and may be shared across threads.

#include "model/ruleset.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace model::diff {

enum class RowKind : std::uint8_t {
    Same, // both sides, equal
    Added, // right only
    Removed, // left only
    Changed, // both sides, same place and target, different options
    Moved, // one side only; the rule exists on the other side at RuleRow::counterpart
};

const char* rowKindName(RowKind kind) noexcept; // "same", "added", "removed", "changed", "moved"

// Where a rule lives in one ruleset.
struct RuleLocation {
    std::string table;
    std::string chain;
    int index = -1; // 0-based position in the chain
    bool operator==(const RuleLocation&) const = default;
};

struct RuleRow {
    RowKind kind = RowKind::Same;
    const Rule* left = nullptr; // before; null for Added and for a Moved row on the right
    const Rule* right = nullptr; // after; null for Removed and for a Moved row on the left
    int leftIndex = -1; // position of left in its chain
    int rightIndex = -1;
    RuleLocation counterpart; // Moved: where the same rule sits on the other side

    Provenance provenance() const noexcept; // the after side's provenance when there is one
};

enum class ChainStatus : std::uint8_t { Same, Added, Removed, Renamed };

const char* chainStatusName(ChainStatus status) noexcept; // "same", "added", "removed", "renamed"

struct ChainDiff {
    std::string table;
    std::string name; // the after name; the before name for a removed chain
    std::string renamedFrom; // Renamed: the before name
    ChainStatus status = ChainStatus::Same;
    bool builtin = false;
    std::string policyBefore; // empty for user chains and for the side the chain is missing on
    std::string policyAfter;
    Provenance provenance = Provenance::Unknown;
    std::vector<RuleRow> rows;

    bool policyChanged() const noexcept;
    bool hasChanges() const noexcept; // anything but Same rows and an unchanged policy
};

struct DiffCounts {
    int added = 0;
    int removed = 0;
    int changed = 0;
    int moved = 0; // pairs: a rule moved counts once
    int chainsAdded = 0;
    int chainsRemoved = 0;
    int chainsRenamed = 0;
    int policyChanges = 0;

    int total() const noexcept;
    bool operator==(const DiffCounts&) const = default;
};

struct RuleDiff {
    RulesetPtr before; // set by the RulesetPtr overload, keeping the row pointers valid
    RulesetPtr after;
    std::vector<ChainDiff> chains; // table by table; in each, the before order then chains only after has
    DiffCounts counts;
    std::map<Provenance, DiffCounts> byProvenance; // rows and chains counted by the provenance of what changed

    const ChainDiff* chain(std::string_view table, std::string_view name) const noexcept;
    bool empty() const noexcept { return counts.total() == 0; }
};

RuleDiff diffRulesets(const Ruleset& before, const Ruleset& after);
RuleDiff diffRulesets(RulesetPtr before, RulesetPtr after);
// Asked now and then during a long comparison; a yes abandons it. Called on the comparing thread.
using StopRequested = std::function<bool()>;
// As above, asking stop() between chains: nullopt when it said yes.
std::optional<RuleDiff> diffRulesets(RulesetPtr before, RulesetPtr after, const StopRequested& stop);

// The identity of a rule as iptables distinguishes it, as a string: equal keys mean the same rule wherever it
// sits. Counters, line and provenance are left out; addresses are normalised (a bare address gets /32 or /128),
// options of a match sorted, comma lists of states sorted, and matches sorted when none of them keeps state.
std::string ruleKey(const Rule& rule);

} // namespace model::diff
