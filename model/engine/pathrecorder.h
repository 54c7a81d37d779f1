#pragma once

// Path conditions for the symbolic side of the engine. While the engine traces one concrete connection attempt,
// a PathRecorder notes every decision that depended on the attempt's original header fields (source,
// destination, ports) as "field F is in / not in set S", including routing and host facts, and follows header
// rewrites (NAT makes a field constant; the reply's fields map back to the original's). The result is a box of
// packets that take exactly the same path, with the same fate and deciding rules, as the traced one.
//
// Protocol is not recorded: the caller keeps each box to one protocol class. Ingress is recorded over the ids of
// an ingress list the caller gives the partition (interface names; an empty name is a local process).
// One recorder serves one traceFlow() on one thread; the engine without a recorder does no extra work.

#include "model/engine/compiled.h"
#include "model/engine/hostmodel.h"
#include "model/engine/intervalset.h"

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace model::engine {

namespace detail {
struct PacketState;
}
struct RuleRef;

// The dimensions of a packet box.
enum class Dim : std::uint8_t { Ingress, Proto, Src, Dst, Sport, Dport };
inline constexpr std::size_t kDims = 6;
using Box = std::array<IntervalSet, kDims>;
inline IntervalSet& at(Box& b, Dim d) { return b[static_cast<std::size_t>(d)]; }
inline const IntervalSet& at(const Box& b, Dim d) { return b[static_cast<std::size_t>(d)]; }

// The host's address space cut into classes with equal answers to every address question the engine asks
// (locality, address type, route). Built once per host model and family; immutable.
class HostPartition final {
public:
    HostPartition(const HostModel& host, Family family);
    // The addresses that answer every host question as `address` does.
    const IntervalSet& classOf(const IpAddress& address) const;
    // Members of an ipset as a set; nullptr when the set's members are not known.
    const IntervalSet* ipset(const std::string& name) const;

    // The ingress dimension: ids are indices into `names`; "" is a local process.
    void setIngress(std::vector<std::string> names, const HostModel& host);
    IntervalSet ingressMatching(const InterfacePattern& pattern) const;
    // Answers ingressMatching() for the interface matches of these rules by lookup (after setIngress()): the
    // rules are asked about on every traced box, the ingress names never change.
    void prepareInterfaces(const CompiledRuleset& rules);
    const IntervalSet* preparedIngress(const InterfacePattern& pattern) const;
    const IntervalSet& localIngress() const noexcept { return m_local; }
    const IntervalSet& bridgeIngress() const noexcept { return m_bridges; }

private:
    std::vector<U128> m_starts; // atom starts, ascending
    std::vector<std::size_t> m_classOfAtom;
    std::vector<IntervalSet> m_classes;
    std::map<std::string, IntervalSet> m_ipsets;
    std::vector<std::string> m_ingress;
    struct PreparedPattern {
        InterfacePattern pattern;
        IntervalSet ingress;
        bool ready = false;
    };
    std::vector<PreparedPattern> m_patterns; // by InterfacePattern::id
    IntervalSet m_local;
    IntervalSet m_bridges;
};

class PathRecorder final {
public:
    // Which original field a header field currently carries; Const after a rewrite.
    enum Tag : std::uint8_t { Src, Dst, Sport, Dport, In, Const };
    enum Slot : std::uint8_t { SlotSrc, SlotDst, SlotSport, SlotDport };

    // `within`: the packets the caller asks about (the traced one among them); conditions are then told for those
    // only, which lets more of them hold for all. Null: every packet.
    PathRecorder(
        const HostPartition& partition, const Header& original, std::size_t ingress, const Box* within = nullptr);

    // Engine side.
    void beginTrace(bool reply);
    void beginWalk();
    void endWalk();
    Tag tag(Slot s) const noexcept { return m_cur[s]; }
    void setTag(Slot s, Tag t) noexcept { m_cur[s] = t; }
    Tag bindingTag(bool translated, Slot s) const noexcept { return translated ? m_final[s] : identity(s); }
    void predicate(const detail::PacketState& state, const Predicate& p, bool matched);
    void hostFact(Tag t, const IpAddress& address); // any locality/route/address-type question
    void prefixFact(Tag t, const IpPrefix& prefix, bool inside);
    void equalFact(Tag a, std::uint64_t va, Tag b, std::uint64_t vb); // for ports
    void equalFact(Tag a, const IpAddress& va, Tag b, const IpAddress& vb);
    void bindingFact(const NatBinding& binding, bool dnat); // binding.dnat()/snat() was asked
    void pin(Tag t); // the field's value itself decided something: keep it
    // Rules of an indexed run were passed over: the destination address (or port) is none of `keys` except
    // `value`, the traced packet's own (its candidates are tested one by one). One condition for the whole run,
    // kept with all its holes.
    void keysPassed(bool dst, const IntervalSet& keys, U128 value);

    // Devices: the ingress of the packet being traced (In for the first packet, or for a reply when the first
    // packet was delivered back out of its own ingress bridge), and what s.in / s.out carry.
    Tag packetIngress() const noexcept { return m_packetIn; }
    Tag inTag() const noexcept { return m_inTag; }
    Tag outTag() const noexcept { return m_outTag; }
    void setDevices(Tag in, Tag out) noexcept
    {
        m_inTag = in;
        m_outTag = out;
    }
    void setOutTag(Tag out) noexcept { m_outTag = out; }
    void delivered(Tag iface) noexcept { m_delivery = iface; }
    void ingressFact(Tag t, const IntervalSet& ids, bool inside) { restrict(t, ids, inside); }
    const HostPartition& partition() const noexcept { return m_partition; }

    // One rule's predicates: conditions are held back, then only those that justify the rule's result are kept
    // (all of them when it matched; when it did not, the first false predicate's).
    void holdRule() noexcept
    {
        m_holding = true;
        m_pending.clear();
    }
    std::size_t held() const noexcept { return m_pending.size(); }
    void releaseRule(std::size_t from, std::size_t to);

    // Caller side: the packets (over src, dst, sport, dport) that share the traced path.
    const Box& condition() const noexcept { return m_cond; }

    // Dropped by a rule of an indexed run (Evaluator::groupRunDrop): every packet of the condition whose key (the
    // field `t` carries) is in `keys` instead of the traced one's is dropped at the same point of the same path,
    // each by its own rule of the run. Kept while nothing else is recorded after it. The keys are worked out when
    // first asked for (most drops end paths whose alternative is never used).
    void droppedWithKeys(Tag t, std::function<IntervalSet()> keys);
    // The condition with the key widened to those keys: packets with the traced packet's fate (a drop) but not
    // all with its deciding rule. nullopt when the path did not end that way.
    std::optional<Box> dropAlternative();
    // The dimension dropAlternative() would widen; nullopt when the path did not end at such a drop. Cheap: the
    // keys are not worked out.
    std::optional<Dim> dropDimension() const;
    // Passed over an indexed run without a match (Evaluator::groupRunPass): every packet of the condition whose key
    // is in `keys` (each in the domain the run was entered with) takes the same path through it; the key's
    // dimension takes them in, with all their holes.
    // `wideFrom`: the wide condition's domain of the key when the visit began (wideDomain()); its keys join the
    // wide condition too.
    void passedWithKeys(Tag t, const IntervalSet& keys, const IntervalSet* wideFrom, const IntervalSet* keptFrom);
    // The wide and kept conditions' values of the field `t` carries, once they exist (else nullptr).
    const IntervalSet* wideDomain(Tag t) const;
    const IntervalSet* keptDomain(Tag t) const;
    // Engine side, for those checks: the values of the field `t` carries that the condition allows, and whether
    // every condition held back (holdRule()) from the `from`th on holds for every packet of the condition with `t`
    // = `value`.
    const IntervalSet& domain(Tag t) const;
    bool heldHoldFor(Tag t, U128 value, std::size_t from = 0) const;
    Tag walkTag(Slot s) const noexcept { return m_walkStart[s]; }

    // Rules with equal targets (CompiledChain::groups): a packet that matches any of them goes on exactly as one
    // that matches another, only the rule it met differs. Besides the path's own condition the recorder keeps a
    // wider one, in which a match of a group member stands for every packet that matches some member: its packets
    // take the traced path up to which rule of a widened group they met, so their fates are the traced ones (see
    // wideCondition() and keptCondition() for what else they share).
    //
    // Engine side: entering a group, the conditions the failed members record are held back from the wide
    // condition; when a member matches, matchedGroup() puts the members' union in their place (on one dimension);
    // leaveGroup() (no member matched, or the union could not be told) applies them as usual.
    void setGroupWidening(bool on) noexcept { m_groupWidening = on; }
    bool groupWidening() const noexcept { return m_groupWidening; }
    void enterGroup();
    void leaveGroup();
    // `keys`: the dimension along which the members' matches were united and their union; none when the matched
    // member takes every packet of the wide condition.
    void matchedGroup(const std::optional<std::pair<Dim, IntervalSet>>& keys, const CompiledTable* table, int chain,
        std::size_t begin, std::size_t end);
    static Dim dimension(Tag t) noexcept;
    void choiceMade() noexcept { m_choice = true; }

    // Caller side: the wide condition (the path's own when nothing was widened) and whether it is wider: every
    // packet of it has the traced fate. The kept condition widens only groups of rules without a verdict (RETURN,
    // GOTO, NAT): its packets also have the traced deciding rule unless keptDecides() it.
    const Box& wideCondition() const noexcept { return m_wide ? *m_wide : m_cond; }
    bool widened() const noexcept { return !m_widened.empty() && !m_choice; }
    const Box& keptCondition() const noexcept { return m_keep ? *m_keep : m_cond; }
    bool keptWidened() const noexcept { return !m_widenedKept.empty() && !m_choice; }
    bool keptDecides(const RuleRef& rule) const;

private:
    static Tag identity(Slot s) noexcept { return static_cast<Tag>(s); }
    void restrict(Tag t, const IntervalSet& set, bool inside);
    U128 valueOf(Tag t) const noexcept;
    void addressFact(Tag t, const std::vector<IpPrefix>& prefixes, bool matched);
    void rangeFact(Tag t, const IpRange& range, bool matched);
    void portFact(Tag t, const std::vector<PortRange>& ports, bool matched);
    void flowPredicate(const detail::PacketState& s, const Predicate& p, bool matched);

    void apply(Tag t, const IntervalSet& set, bool inside);
    void applyWide(Tag t, const IntervalSet& set, bool inside);
    void cutWide(Dim dim);
    void narrow(Tag t, IntervalSet next, bool whole);
    struct Pending {
        Tag tag;
        IntervalSet set;
        bool inside;
    };
    std::array<std::size_t, kDims> m_pieces {}; // how many pieces a dimension may keep before it is cut back

    const HostPartition& m_partition;
    std::vector<Pending> m_pending;
    bool m_holding = false;
    Header m_original;
    Box m_cond;
    std::array<Tag, 4> m_traceStart {};
    std::array<Tag, 4> m_cur {};
    std::array<Tag, 4> m_walkStart {}; // what PacketState::original carries
    std::array<Tag, 4> m_final {}; // the first packet's header as its primary path left it
    std::size_t m_ingress = 0;
    Tag m_packetIn = In;
    Tag m_inTag = Const;
    Tag m_outTag = Const;
    Tag m_delivery = Const;
    Tag m_deliveryFinal = Const;
    bool m_reply = false;
    int m_walks = 0;
    struct DropKeys {
        Tag tag = Const;
        std::function<IntervalSet()> find;
        std::optional<IntervalSet> keys;
    };
    std::optional<DropKeys> m_dropKeys;

    bool m_groupWidening = true;
    bool m_choice = false;
    std::optional<Box> m_wide; // unset: the same as m_cond
    std::optional<Box> m_keep; // set with m_wide
    bool m_inGroup = false;
    std::vector<Pending> m_deferred; // held back from m_wide while in a group
    struct Widened {
        const CompiledTable* table;
        int chain;
        std::size_t begin;
        std::size_t end;
    };
    std::vector<Widened> m_widened;
    std::vector<Widened> m_widenedKept;
};

} // namespace model::engine
