// `chainsight-cli diff --format json`: schema "chainsight-diff", version 1 (README, "Diff JSON schema").
#include "app/cli/diffprint.h"

#include "model/diff/flowtext.h"
#include "model/engine/tracejson.h"

namespace cli {

using namespace model;
using namespace model::diff;
using nlohmann::json;

namespace {

json ranges(const engine::IntervalSet& set)
{
    json out = json::array();
    for (const auto& i : set.intervals())
        out.push_back(json::array({ static_cast<unsigned>(i.lo), static_cast<unsigned>(i.hi) }));
    return out;
}

json sideJson(const FlowSide& s)
{
    json j { { "fate", engine::fateName(s.fate) },
        { "deciding_rule", s.deciding.empty() ? json(nullptr) : json(s.deciding.qualified()) },
        { "reply", s.decidedByReply } };
    if (!s.rejectWith.empty())
        j["reject_with"] = s.rejectWith;
    if (!s.dependsOn.empty())
        j["depends_on"] = s.dependsOn;
    return j;
}

json classJson(const DiffReport& r, const FlowClass& c)
{
    const ClassText t = describeClass(r.diff, c, r.before.host(), r.after.host());
    json rules = json::array();
    for (const RowLink& l : c.rules)
        rules.push_back(rowId(l));
    json witness = engine::headerToJson(c.witness.header, r.after.host());
    witness["ingress"] = c.witness.fromLocalProcess ? std::string("local process") : c.witness.inInterface;
    json j { { "id", c.id }, { "family", familyName(c.family) }, { "ingress", t.ingressNames },
        { "src", { { "text", t.src }, { "cidrs", t.srcCidrs } } },
        { "dst", { { "text", t.dst }, { "cidrs", t.dstCidrs } } },
        { "protocol", { { "text", t.protocol }, { "numbers", ranges(at(c.box, engine::Dim::Proto)) } } },
        { "sport",
            t.sport.empty() ? json(nullptr)
                            : json { { "text", t.sport }, { "ranges", ranges(at(c.box, engine::Dim::Sport)) } } },
        { "dport",
            t.dport.empty() ? json(nullptr)
                            : json { { "text", t.dport }, { "ranges", ranges(at(c.box, engine::Dim::Dport)) } } },
        { "state", "NEW" }, { "before", sideJson(c.before) }, { "after", sideJson(c.after) }, { "opened", c.opened },
        { "closed", c.closed }, { "to_container", c.toContainer }, { "witness", witness },
        { "traces",
            { { "before", engine::flowToJson(c.witnessBefore, r.before.host()) },
                { "after", engine::flowToJson(c.witnessAfter, r.after.host()) } } },
        { "rules", rules } };
    return j;
}

json rulesJson(const DiffReport& r, Family family)
{
    const DiffCounts& n = r.diff.rules(family).counts;
    json rows = json::array();
    for (const RowSummary& row : changedRows(r.diff, family))
        rows.push_back({ { "id", rowId(row.link) }, { "kind", row.kind }, { "table", row.table },
            { "chain", row.chain }, { "before", row.before.empty() ? json(nullptr) : json(row.before) },
            { "after", row.after.empty() ? json(nullptr) : json(row.after) }, { "classes", row.classes } });
    return { { "counts",
                 { { "added", n.added }, { "removed", n.removed }, { "changed", n.changed }, { "moved", n.moved },
                     { "chains_added", n.chainsAdded }, { "chains_removed", n.chainsRemoved },
                     { "chains_renamed", n.chainsRenamed }, { "policy_changes", n.policyChanges } } },
        { "rows", rows } };
}

} // namespace

json diffJson(const DiffReport& r)
{
    json classes = json::array();
    for (const FlowClass& c : r.diff.classes)
        classes.push_back(classJson(r, c));
    json depends = json::array();
    for (const FlowClass& c : r.diff.depends)
        depends.push_back(classJson(r, c));
    return { { "schema", "chainsight-diff" }, { "version", 1 }, { "before", r.beforeName }, { "after", r.afterName },
        { "changed", r.diff.changed() }, { "complete", !r.diff.incomplete }, { "boxes", r.diff.boxes },
        { "classes", classes }, { "depends", depends },
        { "rules", { { "ipv4", rulesJson(r, Family::IPv4) }, { "ipv6", rulesJson(r, Family::IPv6) } } } };
}

} // namespace cli
