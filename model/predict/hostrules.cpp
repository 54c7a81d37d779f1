#include "model/predict/hostrules.h"

#include "model/parse/iptables.h"

#include <algorithm>
#include <array>
#include <set>

namespace model::predict {

namespace {

bool isLateHook(const Rule& r, const Chain& chain)
{
    return chain.builtin && r.provenance == Provenance::Tailscale && r.target.kind == Target::Kind::Jump
        && r.target.name.starts_with("ts-");
}

std::string specOf(const Rule& r, const std::string& chain)
{
    const std::string text = parse::ruleText(r, chain);
    const std::string head = "-A " + chain + ' ';
    return text.starts_with(head) ? text.substr(head.size()) : text;
}

int rank(const std::string& name, const auto& order)
{
    const auto it = std::find(order.begin(), order.end(), name);
    return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

} // namespace

bool isEmptyTable(const Table& table)
{
    return std::all_of(table.chains.begin(), table.chains.end(),
        [](const Chain& c) { return c.builtin && c.rules.empty() && (c.policy.empty() || c.policy == "ACCEPT"); });
}

HostRules hostRules(const Ruleset& snapshotRules, bool policyOwnedByDocker)
{
    HostRules out;
    out.ruleset = snapshotRules;
    Ruleset& rs = out.ruleset;
    for (auto& table : rs.tables) {
        std::set<std::string> removed;
        for (const auto& c : table.chains) {
            const bool keptUserChain = c.name == "DOCKER-USER"
                && std::any_of(
                    c.rules.begin(), c.rules.end(), [](const Rule& r) { return r.provenance != Provenance::Docker; });
            if (!c.builtin && c.provenance == Provenance::Docker && !keptUserChain)
                removed.insert(c.name);
        }
        std::erase_if(table.chains, [&](const Chain& c) { return removed.count(c.name) > 0; });
        for (auto& c : table.chains) {
            bool dockerAbove = false;
            std::vector<Rule> kept;
            for (auto& r : c.rules) {
                if (r.provenance == Provenance::Docker || removed.count(r.target.name) > 0) {
                    dockerAbove = dockerAbove || r.provenance == Provenance::Docker;
                    continue;
                }
                if (isLateHook(r, c)) {
                    out.lateHooks.push_back(LateHook { rs.family, table.name, c.name, specOf(r, c.name), dockerAbove });
                    continue;
                }
                kept.push_back(std::move(r));
            }
            c.rules = std::move(kept);
            if (c.builtin && c.name == "FORWARD" && table.name == "filter" && policyOwnedByDocker)
                c.policy = "ACCEPT";
        }
    }
    std::erase_if(rs.tables, [](const Table& t) { return isEmptyTable(t); });
    return out;
}

void sortLikeIptablesSave(Ruleset& ruleset)
{
    static const std::array<std::string, 5> tables { "raw", "mangle", "security", "filter", "nat" };
    static const std::array<std::string, 5> builtins { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };
    std::stable_sort(ruleset.tables.begin(), ruleset.tables.end(),
        [](const Table& a, const Table& b) { return rank(a.name, tables) < rank(b.name, tables); });
    for (auto& t : ruleset.tables)
        std::stable_sort(t.chains.begin(), t.chains.end(), [](const Chain& a, const Chain& b) {
            if (a.builtin != b.builtin)
                return a.builtin;
            if (a.builtin)
                return rank(a.name, builtins) < rank(b.name, builtins);
            return a.name < b.name;
        });
}

void resetCounters(Ruleset& ruleset)
{
    for (auto& t : ruleset.tables)
        for (auto& c : t.chains) {
            c.counters = Counters {};
            for (auto& r : c.rules)
                r.counters.reset();
        }
}

} // namespace model::predict
