#include "model/predict/rulewriter.h"

#include "model/edit/iptablescommand.h"

#include <algorithm>

namespace model::predict {

RuleWriter::RuleWriter(Ruleset ipv4, Ruleset ipv6)
    : m_rulesets { std::move(ipv4), std::move(ipv6) }
{
    m_rulesets[0].family = Family::IPv4;
    m_rulesets[1].family = Family::IPv6;
}

std::string RuleWriter::prefix(Family family, std::string_view table) const
{
    return std::string(family == Family::IPv4 ? "iptables" : "ip6tables") + " -t " + std::string(table) + ' ';
}

void RuleWriter::run(Family family, std::string command)
{
    auto applied = edit::applyIptablesCommand(m_rulesets[index(family)], command);
    if (!applied) {
        m_failures.push_back(command + ": " + applied.error().message);
        return;
    }
    m_rulesets[index(family)] = std::move(applied).value();
    m_commands.push_back(std::move(command));
}

bool RuleWriter::hasChain(Family family, std::string_view table, std::string_view chain) const
{
    const Table* t = m_rulesets[index(family)].table(table);
    return t && t->chain(chain);
}

bool RuleWriter::hasRule(Family family, std::string_view table, std::string_view chain, std::string_view spec) const
{
    const Table* t = m_rulesets[index(family)].table(table);
    const Chain* c = t ? t->chain(chain) : nullptr;
    if (!c)
        return false;
    const auto wanted = edit::parseRuleSpec(spec, chain, family);
    if (!wanted)
        return false;
    return std::any_of(c->rules.begin(), c->rules.end(), [&](const Rule& r) { return r.sameRule(*wanted); });
}

void RuleWriter::rule(Family family, std::string_view table, std::string_view chain, Place place, std::string_view spec)
{
    if (!enabled(family))
        return;
    if (m_removing) {
        remove(family, table, chain, spec);
        return;
    }
    if (hasRule(family, table, chain, spec))
        return;
    run(family,
        prefix(family, table) + (place == Place::Append ? "-A " : "-I ") + std::string(chain) + ' '
            + std::string(spec));
}

void RuleWriter::remove(Family family, std::string_view table, std::string_view chain, std::string_view spec)
{
    if (enabled(family) && hasRule(family, table, chain, spec))
        run(family, prefix(family, table) + "-D " + std::string(chain) + ' ' + std::string(spec));
}

void RuleWriter::ensureJump(Family family, std::string_view table, std::string_view chain, std::string_view spec)
{
    if (!enabled(family) || m_removing)
        return;
    remove(family, table, chain, spec);
    run(family, prefix(family, table) + "-I " + std::string(chain) + ' ' + std::string(spec));
}

void RuleWriter::newChain(Family family, std::string_view table, std::string_view chain)
{
    if (enabled(family) && !hasChain(family, table, chain))
        run(family, prefix(family, table) + "-N " + std::string(chain));
}

void RuleWriter::flushChain(Family family, std::string_view table, std::string_view chain)
{
    const Table* t = m_rulesets[index(family)].table(table);
    const Chain* c = t ? t->chain(chain) : nullptr;
    if (enabled(family) && c)
        run(family, prefix(family, table) + "-F " + std::string(chain));
}

void RuleWriter::deleteChain(Family family, std::string_view table, std::string_view chain)
{
    const Table* t = m_rulesets[index(family)].table(table);
    const Chain* c = t ? t->chain(chain) : nullptr;
    if (!enabled(family) || !c || c->builtin || !c->rules.empty())
        return;
    for (const auto& other : t->chains)
        for (const auto& r : other.rules)
            if (r.target.kind != Target::Kind::None && r.target.name == chain)
                return; // "Too many links": iptables keeps a referenced chain
    run(family, prefix(family, table) + "-X " + std::string(chain));
}

void RuleWriter::policy(Family family, std::string_view chain, std::string_view policy)
{
    if (enabled(family) && !m_removing)
        run(family, prefix(family, "filter") + "-P " + std::string(chain) + ' ' + std::string(policy));
}

void RuleWriter::event(std::string text) { m_commands.push_back("# " + std::move(text)); }

void RuleWriter::ipsetCreate(const std::string& name, const std::string& family)
{
    std::erase_if(m_ipsets, [&](const IpSet& set) { return set.name == name; });
    m_ipsets.push_back(
        IpSet { name, "hash:net", family, { "family", family, "hashsize", "1024", "maxelem", "65536" }, {} });
    m_commands.push_back("ipset create " + name + " hash:net family " + family + " (replace) ; ipset flush " + name);
}

void RuleWriter::ipsetMember(const std::string& name, const std::string& member)
{
    for (auto& set : m_ipsets) {
        if (set.name != name)
            continue;
        const auto it = std::find(set.members.begin(), set.members.end(), member);
        if (m_removing && it != set.members.end()) {
            set.members.erase(it);
            m_commands.push_back("ipset del " + name + ' ' + member);
        } else if (!m_removing && it == set.members.end()) {
            set.members.push_back(member);
            m_commands.push_back("ipset add " + name + ' ' + member);
        }
    }
}

} // namespace model::predict
