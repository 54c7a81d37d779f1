#pragma once

// The result of tracing one packet: its fate, the rule that decided it, and every step of its path.
// Plain values, safe to move across threads.

#include "model/engine/packet.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace model::engine {

enum class Hook : std::uint8_t { Prerouting, Input, Forward, Output, Postrouting };
const char* hookName(Hook h) noexcept; // "PREROUTING", ...

enum class Fate : std::uint8_t { Accept, Drop, Reject, Depends };
const char* fateName(Fate f) noexcept; // "ACCEPT", "DROP", "REJECT", "DEPENDS"

// The rule (or policy, or non-rule decision) that decided a packet.
struct RuleRef {
    std::string table;
    std::string chain;
    int index = 0; // 1-based rule number in its chain; 0 for a policy or a non-rule decision
    std::string text; // "-A DOCKER -d ... -j ACCEPT" as iptables-save prints it; empty for a policy
    std::string policy; // "ACCEPT"/"DROP" when the built-in policy decided
    std::string other; // a decision outside any chain ("routing: ip_forward=0"), else empty

    bool isPolicy() const noexcept { return !policy.empty(); }
    bool empty() const noexcept { return table.empty() && other.empty(); }
    // The rule text, "<table>/<chain> policy <P>", or the non-rule decision.
    std::string display() const;
    // "filter/DOCKER: -A DOCKER ...", "filter/FORWARD policy DROP" (the form of expected-verdicts.json).
    std::string qualified() const;
    bool operator==(const RuleRef&) const = default;
};

// One step of the path. Steps appear in the order the kernel performs them.
struct Hop {
    enum class Kind : std::uint8_t {
        Rule, // a rule that matched (its verdict in `verdict`: ACCEPT, DROP, REJECT, JUMP, GOTO, RETURN, CONTINUE)
        Policy, // a built-in chain's policy applied
        Return, // fell off the end of a user chain back to the caller
        Routing, // the routing decision (note says which route and which assumption)
        StoredNat, // a non-first packet got its connection's stored translation instead of the nat table
        Skipped, // a table not consulted (nat for a non-NEW or untracked packet, br_netfilter off)
        Delivery, // the packet left the host or reached its socket/container
        Note, // anything else worth showing (conntrack state set, TRACE, an unknown target continuing)
    };
    Kind kind = Kind::Rule;
    Hook hook = Hook::Prerouting;
    std::string table;
    std::string chain;
    int ruleNumber = 0; // 1-based, 0 when not a rule
    std::string ruleText;
    std::string target; // target name as written (ACCEPT, DNAT, DOCKER, MARK, ...)
    std::string verdict; // ACCEPT, DROP, REJECT, JUMP, GOTO, RETURN, CONTINUE, or the policy
    std::optional<Header> before; // for a header rewrite: the header before ...
    std::optional<Header> after; // ... and after it
    std::optional<std::uint32_t> mark; // nfmark after a MARK/CONNMARK step
    std::optional<std::uint32_t> connmark; // ctmark after a CONNMARK step
    std::string inInterface; // as the rule saw them
    std::string outInterface;
    std::string note;
};

// Where an accepted packet ended up.
struct Delivery {
    enum class Kind : std::uint8_t { None, LocalSocket, Container, Interface };
    Kind kind = Kind::None;
    std::string interface; // out of which interface (lo for a local socket)
    IpAddress address; // final destination address
    std::uint16_t port = 0;
    std::string nextHop; // gateway, when routed through one
    std::string container; // container name, when known
    std::string network; // Docker network name, when known
    std::string describe() const;
};

// One possible path. A trace without undecidable matches has exactly one.
struct Outcome {
    Fate fate = Fate::Drop;
    std::string rejectWith; // for REJECT: icmp-port-unreachable, tcp-reset, ...
    RuleRef deciding;
    std::vector<Hop> hops;
    Delivery delivery;
    Header finalHeader; // the header as it leaves (or as it was when dropped)
    std::uint32_t finalMark = 0;
    std::optional<NatBinding> binding; // the translation a NEW packet established (for its reply)
    // The outcomes of undecidable matches this path assumed ("-m statistic ... matched").
    std::vector<std::string> conditions;
};

struct TraceResult {
    Packet packet;
    // ACCEPT/DROP/REJECT when every possible path agrees on it and on the deciding rule; else DEPENDS.
    Fate fate = Fate::Drop;
    RuleRef deciding; // empty when DEPENDS
    std::vector<Outcome> outcomes; // at least one; more when something could not be decided
    std::vector<std::string> dependsOn; // what could not be decided ("statistic", "ipset docker-ext-bridges-v4")
    std::vector<std::string> assumptions; // routing and host facts assumed rather than captured
    bool truncated = false; // too many possible paths; the rest were not followed

    const Outcome& primary() const { return outcomes.front(); }
    const std::vector<Hop>& hops() const { return outcomes.front().hops; }
};

// A connection attempt: its first packet and, when that got through, the reply to it (de-NATed as the
// kernel would). What the client sees is `fate`: a dropped or rejected reply means DROP for the client.
struct FlowResult {
    TraceResult original;
    std::optional<TraceResult> reply;
    Fate fate = Fate::Drop;
    RuleRef deciding;
    bool decidedByReply = false; // the reply was stopped; `deciding` is the reply's rule
    std::string qualifiedDeciding() const; // "reply filter/FORWARD: ..." when decided by the reply
};

} // namespace model::engine
