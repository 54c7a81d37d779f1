#pragma once

// A Ruleset compiled once for fast evaluation: chains resolved to indices, addresses, ports and
// interface patterns parsed, each match turned into a Predicate over one header or flow field.
// The same predicates serve as constraints for a symbolic (packet-set) evaluation: every field
// predicate names its field and its set of values; what no field can express is Opaque.
// Immutable after compile(); safe to share across threads.

#include "model/engine/intervalset.h"
#include "model/engine/ipaddress.h"
#include "model/engine/packet.h"
#include "model/ruleset.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace model::engine {

struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 65535;
    bool contains(std::uint16_t p) const noexcept { return first <= p && p <= last; }
    bool operator==(const PortRange&) const = default;
};

// "eth0", "br-+" (prefix), "+" (any). Matching follows the kernel: an empty device matches only "+".
struct InterfacePattern {
    std::string name; // without the trailing '+'
    bool prefix = false;
    std::uint32_t id = 0; // the same for equal patterns of one compiled ruleset (numbered by compile())
    bool matches(const std::string& device) const noexcept
    {
        if (prefix)
            return device.compare(0, name.size(), name) == 0;
        return device == name;
    }
};

enum class Field : std::uint8_t {
    Src, Dst, // prefixes[0]
    InInterface, OutInterface, // iface
    Protocol, // value (0 = any)
    Fragment, // never matches (conntrack defragments); negated: always
    SrcPort, DstPort, AnyPort, // ports (multiport --ports: either)
    TcpFlags, // mask, value (= comparison)
    IcmpType, // value = type (255 = any), mask = code or 0xffffffff for any code
    CtState, // value = bitmask of CtStateBit
    CtStatus, // value = bitmask of CtStatusBit
    CtDirection, // value = 0 original, 1 reply
    CtProto, // value
    CtOrigSrc, CtOrigDst, CtReplSrc, CtReplDst, // prefixes[0]
    CtOrigSrcPort, CtOrigDstPort, CtReplSrcPort, CtReplDstPort, // ports
    Mark, ConnMark, // (mark & mask) == value
    SrcAddrType, DstAddrType, // value = AddrType bits; name = limit interface (may be empty)
    IpSet, // name = set; value = bit i set: i-th dimension is dst
    SrcRange, DstRange, // range
    PhysIn, PhysOut, // iface
    PhysIsIn, PhysIsOut, PhysIsBridged,
    OwnerUid, OwnerGid, // ports reused as an id range
    OwnerSocketExists,
    PktType, // value: 0 unicast, 1 broadcast, 2 multicast
    Always, // comment and other matches that are always true
    Opaque, // undecidable from the snapshot: reason in `name`
};

namespace CtStateBit {
    inline constexpr std::uint32_t Invalid = 1u << 0;
    inline constexpr std::uint32_t New = 1u << 1;
    inline constexpr std::uint32_t Established = 1u << 2;
    inline constexpr std::uint32_t Related = 1u << 3;
    inline constexpr std::uint32_t Untracked = 1u << 4;
    inline constexpr std::uint32_t Snat = 1u << 5;
    inline constexpr std::uint32_t Dnat = 1u << 6;
}
namespace CtStatusBit {
    inline constexpr std::uint32_t None = 1u << 0;
    inline constexpr std::uint32_t Expected = 1u << 1;
    inline constexpr std::uint32_t SeenReply = 1u << 2;
    inline constexpr std::uint32_t Assured = 1u << 3;
    inline constexpr std::uint32_t Confirmed = 1u << 4;
}

struct Predicate {
    Field field = Field::Always;
    bool negated = false;
    std::uint32_t value = 0;
    std::uint32_t mask = 0xffffffffu;
    std::vector<IpPrefix> prefixes;
    std::vector<PortRange> ports;
    IpRange range;
    InterfacePattern iface;
    std::string name;
    std::string text; // the option as written, for explanations ("-m statistic --mode random ...")
    // Opaque matches whose only outcome is "true" when evaluation reaches them (recent --set).
    bool opaqueAlwaysTrue = false;
};

enum class Action : std::uint8_t {
    None, // no -j: only counts
    Accept, Drop, Reject, Return, Jump, Goto,
    Continue, // LOG, NFLOG, TRACE, CHECKSUM, TCPMSS, and any target the engine does not model ("noted")
    Mark, // nfmark = (nfmark & ~mask) ^ value
    ConnMarkSet, // ctmark = (ctmark & ~mask) ^ value
    ConnMarkSave, // ctmark = (ctmark & ~ctmask) ^ (nfmark & nfmask)
    ConnMarkRestore, // nfmark = (nfmark & ~nfmask) ^ (ctmark & ctmask)
    NoTrack, // CT --notrack, NOTRACK
    Dnat, Snat, Masquerade, Redirect, Netmap,
    Queue, // NFQUEUE/QUEUE: user space decides
};

struct CompiledTarget {
    Action action = Action::None;
    std::string name; // as written
    int chain = -1; // Jump/Goto: index into the table's chains
    std::uint32_t value = 0;
    std::uint32_t mask = 0;
    std::uint32_t nfmask = 0xffffffffu;
    std::uint32_t ctmask = 0xffffffffu;
    std::string rejectWith; // REJECT
    // NAT: the first address of --to-destination/--to-source (NETMAP: prefix), optional port range.
    std::optional<IpAddress> natAddress;
    std::optional<IpPrefix> netmap;
    std::optional<PortRange> natPorts;
    bool queueBypass = false;
    bool operator==(const CompiledTarget&) const = default;
};

struct CompiledRule {
    std::vector<Predicate> predicates; // ANDed, in evaluation order (base criteria first)
    CompiledTarget target;
    std::string text; // as iptables-save prints it
    const Rule* source = nullptr; // into the compiled Ruleset, kept alive by CompiledRuleset
    bool hasOpaque = false;
};

// Consecutive rules that each name exact values of one key field (a host destination address, or destination
// ports), so that a packet's candidates are found by lookup instead of by testing every rule. The predicates
// before a rule's key never ask an undecidable question, so skipping a rule whose key differs changes nothing;
// they are kept per group of rules only to record the condition a skipped rule stands for (see chainindex.cpp).
struct IndexedRun {
    struct Entry {
        std::uint8_t protocol = 0; // 0: the rule names no protocol
        U128 key = 0;
        std::uint32_t rule = 0; // index in the chain
    };
    struct Group {
        std::uint8_t protocol = 0;
        std::vector<Predicate> predicates; // the predicates before the key, as every rule of the group has them
    };
    // The keys the rules a packet of one protocol can meet name (those naming it, and those naming none).
    struct KeySet {
        std::uint8_t protocol = 0;
        IntervalSet keys;
    };

    Field key = Field::Dst; // Dst or DstPort
    std::size_t begin = 0;
    std::size_t end = 0;
    U128 keyMax = 0;
    std::vector<Entry> entries; // ordered by protocol, key, rule
    std::vector<Group> groups;
    std::vector<KeySet> keySets; // ascending by protocol; 0 is for protocols no rule of the run names

    // The first candidate at or after `from` for a packet with this key and protocol, or `end`.
    std::size_t step(U128 value, std::uint8_t protocol, std::size_t from) const noexcept;
    // The keys a packet of this protocol can meet in the run; nullptr when it meets none.
    const IntervalSet* keysFor(std::uint8_t protocol) const noexcept;
};

struct CompiledChain {
    std::string name;
    bool builtin = false;
    std::string policy; // ACCEPT/DROP for built-in chains
    std::vector<CompiledRule> rules;
    std::vector<IndexedRun> runs; // ascending, disjoint; empty when compiled without the index
    // Consecutive rules (two or more, outside indexed runs) with equal targets that end the chain's traversal for
    // a matching packet whichever of them matched (verdicts, RETURN, GOTO, NAT): a packet that matches any of them
    // goes on the same way. [begin, end) rule indices, ascending, disjoint.
    struct TargetGroup {
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
    };
    std::vector<TargetGroup> groups;

    const TargetGroup* groupAt(std::size_t rule) const noexcept
    {
        const auto it = std::upper_bound(
            groups.begin(), groups.end(), rule, [](std::size_t r, const TargetGroup& g) { return r < g.begin; });
        if (it == groups.begin())
            return nullptr;
        const TargetGroup& g = *std::prev(it);
        return rule < g.end ? &g : nullptr;
    }

    const IndexedRun* runAt(std::size_t rule) const noexcept
    {
        for (const IndexedRun& r : runs) {
            if (rule < r.begin)
                break;
            if (rule < r.end)
                return &r;
        }
        return nullptr;
    }
};

struct CompiledTable {
    std::string name;
    std::vector<CompiledChain> chains;
    int chainIndex(std::string_view name) const noexcept;
};

struct CompiledRuleset {
    RulesetPtr source;
    Family family = Family::IPv4;
    std::vector<CompiledTable> tables;
    std::vector<std::string> warnings; // unresolved jumps, nesting deeper than nf_tables allows, ...

    const CompiledTable* table(std::string_view name) const noexcept;
};

struct CompileOptions {
    // Dispatch long runs of exact-value rules (kube-proxy's KUBE-SERVICES, Docker's DOCKER chains) by lookup.
    // Traces are the same either way; off, every rule is tested in turn.
    bool indexChains = true;
    std::size_t minIndexedRun = 8; // shorter runs are walked: a lookup costs more than a few rules
};

// Compiles a ruleset. Never fails: what cannot be understood becomes an Opaque predicate or a
// Continue target, with a warning.
std::shared_ptr<const CompiledRuleset> compile(RulesetPtr ruleset, CompileOptions options = {});

namespace detail {
// Finds the chain's indexed runs (chainindex.cpp).
std::vector<IndexedRun> indexRuns(const CompiledChain& chain, Family family, std::size_t minLength);
}

// The rule's text as iptables-save prints it (counters stripped).
std::string canonicalRuleText(const Rule& rule, std::string_view chain);

} // namespace model::engine
