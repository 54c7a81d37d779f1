// `chainsight-cli diff` as Markdown (for tickets and pull requests).
#include "app/cli/diffprint.h"

#include "model/diff/flowtext.h"

namespace cli {

using namespace model;
using namespace model::diff;

namespace {

std::string cell(std::string text)
{
    std::string out;
    for (char ch : text)
        out += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return out;
}

std::string code(const std::string& text) { return text.empty() || text == "-" ? "-" : '`' + cell(text) + '`'; }

void classTable(std::string& out, const DiffReport& r, const std::vector<FlowClass>& list)
{
    out += "| # | | ingress | protocol | from | to | ports | before | after | witness |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const FlowClass& c : list) {
        const ClassText t = describeClass(r.diff, c, r.before.host(), r.after.host());
        const char* what = c.opened ? "**opened** (security)" : c.closed ? "closed" : "changed";
        out += "| " + std::to_string(c.id) + " | " + what + " | " + cell(t.ingress) + " | " + familyName(c.family) + ' '
            + cell(t.protocol) + " | " + cell(t.src) + " | " + cell(t.dst) + " | "
            + cell(t.dport.empty() ? "-" : t.dport) + " | " + describeFate(c.before) + ' '
            + code(describeRule(c.before)) + " | " + describeFate(c.after) + ' ' + code(describeRule(c.after)) + " | "
            + code(c.witness.describe()) + " |\n";
    }
}

} // namespace

std::string diffMarkdown(const DiffReport& r)
{
    std::string out = "# Flow diff\n\n- before: `" + r.beforeName + "`\n- after: `" + r.afterName + "`\n- "
        + std::to_string(r.diff.classes.size()) + " classes of connection attempts changed fate"
        + (r.diff.incomplete ? " (INCOMPLETE: box limit reached)" : " (exact)") + "\n\n";
    if (!r.diff.classes.empty()) {
        out += "## Changed flows\n\n";
        classTable(out, r, r.diff.classes);
        out += '\n';
    }
    if (!r.diff.depends.empty()) {
        out += "## Fate depends on what was not captured\n\n";
        classTable(out, r, r.diff.depends);
        out += '\n';
    }
    out += "## Rule-level changes\n\n";
    for (Family f : { Family::IPv4, Family::IPv6 }) {
        const auto rows = changedRows(r.diff, f);
        out += std::string("### ") + familyName(f) + " (" + std::to_string(rows.size()) + ")\n\n";
        if (rows.empty())
            continue;
        out += "| row | change | chain | before | after | flows |\n|---|---|---|---|---|---|\n";
        for (const RowSummary& row : rows) {
            std::string flows;
            for (int id : row.classes)
                flows += (flows.empty() ? "#" : ", #") + std::to_string(id);
            out += "| " + rowId(row.link) + " | " + row.kind + " | " + row.table + '/' + row.chain + " | "
                + code(row.before) + " | " + code(row.after) + " | " + flows + " |\n";
        }
        out += '\n';
    }
    return out;
}

} // namespace cli
