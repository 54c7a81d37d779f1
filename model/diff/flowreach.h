#pragma once

// One snapshot's side of the change region (see flowprune.h): which original first packets can reach a chain or
// a rule, and which original first packets can show up, in the first packet's traversal or in the reply's, as a
// header seen at some rule. Over-approximations throughout; internal to the diff.

#include "model/diff/flowprune.h"

#include <map>
#include <set>

namespace model::diff::detail {

class ChainReach final {
public:
    ChainReach(const engine::CompiledRuleset& rules, const engine::HostModel& host, Family family,
        const std::vector<std::string>& ingress);

    // The headers, as rules of the chain see them, with which a packet can enter the chain.
    const BoxList& entry(std::size_t table, std::size_t chain);
    // The headers for which the rule can match or ask an undecidable question (prefix: only the matches that
    // precede the first one that may be undecidable); nullopt when it never can.
    std::optional<engine::Box> ruleBox(const engine::CompiledRule& rule, bool prefix) const;
    // The original first packets of the attempts in which a header inside `seen` can meet a rule: the first
    // packet's traversal and, unless the rule is in the nat table (which replies never traverse), the reply's.
    void originals(const engine::Box& seen, bool nat, BoxList& out);

private:
    struct NatRule {
        engine::IntervalSet landing; // addresses the translation can produce
        std::optional<engine::IntervalSet> ports; // ports it can produce; nullopt: unchanged
        BoxList matched; // headers it translates, as the nat chain sees them
    };
    bool restrict(engine::Box& b, const engine::Predicate& p) const; // false: the match may be undecidable
    std::optional<engine::IntervalSet> addressTypeSet(std::uint32_t bits) const;
    void collectNat();
    void preimage(const engine::Box& seen, BoxList& out);

    const engine::CompiledRuleset& m_rules;
    Family m_family;
    std::size_t m_ingressCount;
    engine::IntervalSet m_localIngress;
    std::vector<std::string> m_ingress;
    std::vector<std::pair<engine::Interval, std::uint32_t>> m_types; // address atoms and their addrtype bits
    bool m_typesKnown = true; // whether every atom's locality is known (addrtype never asks)
    engine::IntervalSet m_hostAddresses; // what MASQUERADE and REDIRECT can translate to
    std::vector<std::vector<std::vector<std::pair<std::size_t, std::size_t>>>> m_callers; // [table][chain]
    std::map<std::pair<std::size_t, std::size_t>, BoxList> m_entries;
    std::set<std::pair<std::size_t, std::size_t>> m_busy;
    bool m_natCollected = false;
    std::vector<NatRule> m_dnat;
    std::vector<NatRule> m_snat;
};

} // namespace model::diff::detail
