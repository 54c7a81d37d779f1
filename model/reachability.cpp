#include "model/reachability.h"

#include <set>

namespace model {

namespace {

    const std::string NoReason;

    // Targets after which the chain is never continued for a packet the rule matched.
    bool endsTraversal(const Target& target) noexcept
    {
        if (target.kind == Target::Kind::Goto)
            return true;
        if (target.kind != Target::Kind::Jump)
            return false;
        return target.name == "ACCEPT" || target.name == "DROP" || target.name == "REJECT" || target.name == "RETURN"
            || target.name == "QUEUE";
    }

    std::string describe(const Rule& rule)
    {
        const std::string how = rule.target.kind == Target::Kind::Goto ? "-g " : "-j ";
        return "after the unconditional \"" + how + rule.target.name + "\" on line " + std::to_string(rule.line);
    }

    // Chains of one table that reachable rules jump or go to, given which rules are unreachable so far.
    std::set<std::string> referencedChains(const Table& table, const std::vector<std::vector<std::string>>& reasons)
    {
        std::set<std::string> referenced;
        for (std::size_t c = 0; c < table.chains.size(); ++c) {
            for (std::size_t r = 0; r < table.chains[c].rules.size(); ++r) {
                const Rule& rule = table.chains[c].rules[r];
                if (reasons[c][r].empty() && rule.target.kind != Target::Kind::None)
                    referenced.insert(rule.target.name);
            }
        }
        return referenced;
    }

    void markShadowedRules(const Chain& chain, std::vector<std::string>& reasons)
    {
        const Rule* blocker = nullptr;
        for (std::size_t r = 0; r < chain.rules.size(); ++r) {
            if (blocker) {
                reasons[r] = describe(*blocker);
            } else if (isUnconditional(chain.rules[r]) && endsTraversal(chain.rules[r].target)) {
                blocker = &chain.rules[r];
            }
        }
    }

    // A chain reached only from unreachable rules is itself unreachable, so repeat until nothing changes.
    void markDeadChains(const Table& table, std::vector<std::vector<std::string>>& reasons)
    {
        std::vector<bool> dead(table.chains.size(), false);
        for (bool changed = true; changed;) {
            changed = false;
            const std::set<std::string> referenced = referencedChains(table, reasons);
            for (std::size_t c = 0; c < table.chains.size(); ++c) {
                const Chain& chain = table.chains[c];
                if (dead[c] || chain.builtin || referenced.count(chain.name))
                    continue;
                dead[c] = true;
                changed = true;
                for (std::string& reason : reasons[c])
                    reason = "chain " + chain.name + " is never jumped to from a reachable rule";
            }
        }
    }

} // namespace

const std::string& Reachability::reason(std::size_t table, std::size_t chain, std::size_t rule) const
{
    if (table >= reasons.size() || chain >= reasons[table].size() || rule >= reasons[table][chain].size())
        return NoReason;
    return reasons[table][chain][rule];
}

bool isUnconditional(const Rule& rule) noexcept
{
    if (rule.source || rule.destination || rule.inInterface || rule.outInterface || rule.protocol || rule.fragment)
        return false;
    for (const Match& match : rule.matches) {
        if (match.module != "comment")
            return false;
    }
    // A source that could not state interfaces or options (iptables -L) leaves the rule possibly narrower.
    return (rule.unknown & (UnknownInInterface | UnknownOutInterface | UnknownMatches)) == 0;
}

Reachability findUnreachableRules(const Ruleset& ruleset)
{
    Reachability result;
    result.reasons.resize(ruleset.tables.size());
    for (std::size_t t = 0; t < ruleset.tables.size(); ++t) {
        const Table& table = ruleset.tables[t];
        auto& reasons = result.reasons[t];
        reasons.resize(table.chains.size());
        for (std::size_t c = 0; c < table.chains.size(); ++c) {
            reasons[c].resize(table.chains[c].rules.size());
            markShadowedRules(table.chains[c], reasons[c]);
        }
        markDeadChains(table, reasons);
        for (const auto& chain : reasons) {
            for (const std::string& reason : chain)
                result.unreachableCount += reason.empty() ? 0 : 1;
        }
    }
    return result;
}

} // namespace model
