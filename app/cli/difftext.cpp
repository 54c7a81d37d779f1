// `chainsight-cli diff` as plain text.
#include "app/cli/diffprint.h"

#include "model/diff/flowtext.h"

namespace cli {

using namespace model;
using namespace model::diff;

namespace {

std::string ids(const std::vector<int>& list)
{
    std::string out;
    for (int id : list)
        out += (out.empty() ? "#" : ", #") + std::to_string(id);
    return out;
}

const char* marker(const FlowClass& c)
{
    if (c.before.fate == engine::Fate::Depends || c.after.fate == engine::Fate::Depends)
        return "DEPENDS";
    if (c.opened)
        return "OPENED (security change)";
    return c.closed ? "CLOSED" : "CHANGED";
}

void printClass(std::string& out, const DiffReport& r, const FlowClass& c)
{
    const ClassText t = describeClass(r.diff, c, r.before.host(), r.after.host());
    out += "#" + std::to_string(c.id) + ' ' + marker(c) + "  " + familyName(c.family) + ' ' + t.protocol + ", NEW\n";
    out += "   ingress: " + t.ingress + '\n';
    out += "   from:    " + t.src + (t.sport.empty() || t.sport == "any" ? "" : ", source ports " + t.sport) + '\n';
    out += "   to:      " + t.dst + (t.dport.empty() ? "" : ", ports " + t.dport) + '\n';
    out += "   before:  " + describeFate(c.before) + "  " + describeRule(c.before) + '\n';
    out += "   after:   " + describeFate(c.after) + "  " + describeRule(c.after) + '\n';
    out += "   witness: " + c.witness.describe() + '\n';
    std::string rows;
    for (const RowLink& l : c.rules)
        rows += (rows.empty() ? "" : " ") + rowId(l);
    if (!rows.empty())
        out += "   rules:   " + rows + '\n';
}

void printRules(std::string& out, const DiffReport& r, Family family)
{
    const RuleDiff& rules = r.diff.rules(family);
    const DiffCounts& n = rules.counts;
    out += std::string("Rule-level changes (") + familyName(family) + "): " + std::to_string(n.added) + " added, "
        + std::to_string(n.removed) + " removed, " + std::to_string(n.changed) + " changed, " + std::to_string(n.moved)
        + " moved; chains " + std::to_string(n.chainsAdded) + " added, " + std::to_string(n.chainsRemoved)
        + " removed, " + std::to_string(n.chainsRenamed) + " renamed; " + std::to_string(n.policyChanges)
        + " policy changes\n";
    for (const RowSummary& row : changedRows(r.diff, family)) {
        const char* sign = row.kind == "added" ? "+" : row.kind == "removed" ? "-" : row.kind == "moved" ? ">" : "~";
        out += std::string("  ") + sign + ' ' + rowId(row.link) + ' ' + row.table + '/' + row.chain + ' ' + row.kind;
        if (!row.classes.empty())
            out += "  (flows " + ids(row.classes) + ')';
        out += '\n';
        if (!row.before.empty())
            out += "      before: " + row.before + '\n';
        if (!row.after.empty())
            out += "      after:  " + row.after + '\n';
    }
}

} // namespace

std::string diffText(const DiffReport& r)
{
    std::string out;
    const std::size_t opened = static_cast<std::size_t>(
        std::count_if(r.diff.classes.begin(), r.diff.classes.end(), [](const FlowClass& c) { return c.opened; }));
    out += "Connection attempts whose fate changed: " + std::to_string(r.diff.classes.size()) + " classes ("
        + std::to_string(opened) + " newly opened)";
    out += r.diff.incomplete ? " - INCOMPLETE: the search stopped at its box limit\n" : ", exact\n";
    out += "before: " + r.beforeName + "\nafter:  " + r.afterName + "\n\n";
    for (const FlowClass& c : r.diff.classes) {
        printClass(out, r, c);
        out += '\n';
    }
    if (!r.diff.depends.empty()) {
        out += "Fate depends on what the snapshots do not capture: " + std::to_string(r.diff.depends.size())
            + " classes\n\n";
        for (const FlowClass& c : r.diff.depends) {
            printClass(out, r, c);
            out += '\n';
        }
    }
    for (Family f : { Family::IPv4, Family::IPv6 })
        printRules(out, r, f);
    return out;
}

} // namespace cli
