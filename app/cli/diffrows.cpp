// The rule-level part shared by the diff printers.
#include "app/cli/diffprint.h"

#include "model/engine/compiled.h"

namespace cli {

using namespace model;
using namespace model::diff;

std::string rowId(const RowLink& link)
{
    return std::string(familyName(link.family)) + ':' + std::to_string(link.chain) + ':'
        + (link.row < 0 ? std::string("policy") : std::to_string(link.row));
}

std::vector<RowSummary> changedRows(const FlowDiff& diff, Family family)
{
    std::vector<RowSummary> out;
    const RuleDiff& rules = diff.rules(family);
    for (std::size_t ci = 0; ci < rules.chains.size(); ++ci) {
        const ChainDiff& c = rules.chains[ci];
        const std::string beforeChain = c.renamedFrom.empty() ? c.name : c.renamedFrom;
        if (c.policyChanged()) {
            RowSummary r { { family, static_cast<int>(ci), -1 }, "policy", c.table, c.name,
                c.policyBefore.empty() ? std::string() : "policy " + c.policyBefore,
                c.policyAfter.empty() ? std::string() : "policy " + c.policyAfter, {} };
            r.classes = diff.classesOfRow(r.link);
            out.push_back(std::move(r));
        }
        for (std::size_t ri = 0; ri < c.rows.size(); ++ri) {
            const RuleRow& row = c.rows[ri];
            if (row.kind == RowKind::Same)
                continue;
            RowSummary r;
            r.link = { family, static_cast<int>(ci), static_cast<int>(ri) };
            r.kind = rowKindName(row.kind);
            r.table = c.table;
            r.chain = c.name;
            if (row.left)
                r.before = engine::canonicalRuleText(*row.left, beforeChain);
            if (row.right)
                r.after = engine::canonicalRuleText(*row.right, c.name);
            r.classes = diff.classesOfRow(r.link);
            out.push_back(std::move(r));
        }
    }
    return out;
}

} // namespace cli
