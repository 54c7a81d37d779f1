#pragma once

// The aligned lines of a side-by-side rule diff, as RulesDiffModel shows them: built from a RuleDiff and the
// display options by a pure function, so that a large pair's lines can be made off the GUI thread and handed
// to the model as an immutable shared value. On a 70k-rule kube-proxy pair this is tens of thousands of chains;
// chains are looked up by name through a map, never by scanning a table.

#include "model/diff/rulediff.h"

#include <QString>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

namespace model {

struct RulesDiffOptions {
    bool showCounters = true;
    bool hideUnchanged = false;
    std::set<Provenance> authors; // only rules (and chains) written by one of these; empty: everyone

    bool operator==(const RulesDiffOptions&) const = default;
};

struct RulesDiffRows {
    enum class LineKind { Table, Chain, Rule };
    enum class LineDiff { Same, Added, Removed, Changed, Moved };

    struct Side {
        QString text;
        int sourceLine = 0;
        std::optional<diff::RuleLocation> location; // for rules: where this side's rule sits
        std::optional<diff::RuleLocation> movedTo; // for a moved rule: its place on the other side
    };
    struct Line {
        LineKind kind = LineKind::Rule;
        LineDiff diff = LineDiff::Same;
        Provenance provenance = Provenance::Unknown;
        Side side[2];
        int partner[2] = { -1, -1 };
        int change = -1;
        QString toolTip;
    };
    using LocationKey = std::tuple<std::string, std::string, int>;

    std::shared_ptr<const diff::RuleDiff> diff; // may be null: no lines
    RulesDiffOptions options;
    std::vector<Line> lines;
    std::vector<int> changeStarts; // the first row of each run of differing rows
    std::map<LocationKey, int> rowOf[2]; // per side: the row showing the rule at a location

    // The text of one side, one line per row, joined with '\n' (what a pane of the side-by-side view shows).
    QString sideText(int side) const;
};

using RulesDiffRowsPtr = std::shared_ptr<const RulesDiffRows>;

// Pure; runs on any thread. The result shares diff.
RulesDiffRowsPtr buildRulesDiffRows(std::shared_ptr<const diff::RuleDiff> diff, const RulesDiffOptions& options);
// As above, asking stop() between chains and every few thousand rows: null when it said yes.
RulesDiffRowsPtr buildRulesDiffRows(
    std::shared_ptr<const diff::RuleDiff> diff, const RulesDiffOptions& options, const diff::StopRequested& stop);

} // namespace model
