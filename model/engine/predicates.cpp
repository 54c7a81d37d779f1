// Three-valued evaluation of compiled predicates against one packet's state (SEMANTICS §5).
#include "model/engine/evaluator.h"

#include <algorithm>

namespace model::engine::detail {

namespace {

bool anyPort(const std::vector<PortRange>& ranges, std::uint16_t port) noexcept
{
    return std::any_of(ranges.begin(), ranges.end(), [&](const PortRange& r) { return r.contains(port); });
}

} // namespace

std::uint32_t Evaluator::ctStateBits(const PacketState& s) const noexcept
{
    if (s.untracked)
        return CtStateBit::Untracked;
    if (!s.ctAttached)
        return CtStateBit::Invalid; // raw runs before conntrack: no ct yet
    std::uint32_t bits = 0;
    switch (s.state) {
    case CtState::New: bits = CtStateBit::New; break;
    case CtState::Established: bits = CtStateBit::Established; break;
    case CtState::Related: bits = CtStateBit::Related; break;
    case CtState::Invalid: return CtStateBit::Invalid;
    case CtState::Untracked: return CtStateBit::Untracked;
    }
    if (s.dnatDone || (s.binding && s.binding->dnat()))
        bits |= CtStateBit::Dnat;
    if (s.snatDone || (s.binding && s.binding->snat()))
        bits |= CtStateBit::Snat;
    return bits;
}

Evaluator::Tri Evaluator::evaluateFlow(const PacketState& s, const Predicate& p) const
{
    auto tri = [](bool b) { return b ? Tri::True : Tri::False; };
    const bool hasCt = s.ctAttached && !s.untracked && s.state != CtState::Invalid;
    // The reply tuple is the translated original, reversed.
    const Header& translated = s.binding ? s.binding->translated : s.header;
    const Header& orig = s.binding ? s.binding->original : s.original;
    switch (p.field) {
    case Field::CtState: return tri((ctStateBits(s) & p.value) != 0);
    case Field::CtStatus: {
        if (!hasCt)
            return Tri::False;
        std::uint32_t bits = CtStatusBit::None;
        if (s.state == CtState::Established)
            bits = CtStatusBit::SeenReply | CtStatusBit::Confirmed | CtStatusBit::Assured;
        else if (s.state == CtState::Related)
            bits = CtStatusBit::Expected | CtStatusBit::Confirmed;
        return tri((bits & p.value) != 0);
    }
    case Field::CtDirection: return hasCt ? tri((s.direction == CtDirection::Reply ? 1u : 0u) == p.value) : Tri::False;
    case Field::CtProto: return hasCt ? tri(orig.protocol == p.value) : Tri::False;
    case Field::CtOrigSrc: return hasCt ? tri(p.prefixes[0].contains(orig.src)) : Tri::False;
    case Field::CtOrigDst: return hasCt ? tri(p.prefixes[0].contains(orig.dst)) : Tri::False;
    case Field::CtReplSrc: return hasCt ? tri(p.prefixes[0].contains(translated.dst)) : Tri::False;
    case Field::CtReplDst: return hasCt ? tri(p.prefixes[0].contains(translated.src)) : Tri::False;
    case Field::CtOrigSrcPort: return hasCt ? tri(anyPort(p.ports, orig.sport)) : Tri::False;
    case Field::CtOrigDstPort: return hasCt ? tri(anyPort(p.ports, orig.dport)) : Tri::False;
    case Field::CtReplSrcPort: return hasCt ? tri(anyPort(p.ports, translated.dport)) : Tri::False;
    case Field::CtReplDstPort: return hasCt ? tri(anyPort(p.ports, translated.sport)) : Tri::False;
    case Field::ConnMark: return s.ctAttached ? tri((s.connmark & p.mask) == p.value) : Tri::False;
    default: return Tri::Unknown;
    }
}

bool Evaluator::isLocalAddress(const IpAddress& address)
{
    if (auto known = m_host.localKnown(address))
        return *known;
    for (const auto& [a, answer] : m_localAnswers)
        if (a == address)
            return answer;
    const bool answer = choose(address.toString() + " is a local address", "the host's own addresses (interfaces not captured)", true);
    m_localAnswers.emplace_back(address, answer);
    return answer;
}

std::uint32_t Evaluator::addressType(const IpAddress& address)
{
    if (!m_host.localKnown(address) && isLocalAddress(address))
        return AddrType::Local;
    return m_host.addressType(address);
}

Evaluator::Tri Evaluator::evaluateHost(const PacketState& s, const Predicate& p)
{
    auto tri = [](bool b) { return b ? Tri::True : Tri::False; };
    switch (p.field) {
    case Field::SrcAddrType: return tri((addressType(s.header.src) & p.value) != 0);
    case Field::DstAddrType: return tri((addressType(s.header.dst) & p.value) != 0);
    case Field::IpSet: {
        if (p.mask != 1)
            return Tri::Unknown; // multi-dimension sets (ip,port ...) are not modelled
        const IpAddress& key = (p.value & 1u) ? s.header.dst : s.header.src;
        auto member = m_host.ipsetContains(p.name, key);
        return member ? tri(*member) : Tri::Unknown;
    }
    case Field::PhysIn:
        if (!s.bridged)
            return Tri::False;
        return s.physIn.empty() ? Tri::Unknown : tri(p.iface.matches(s.physIn));
    case Field::PhysOut: return s.bridged && !s.out.empty() ? Tri::Unknown : Tri::False;
    case Field::PhysIsIn:
    case Field::PhysIsBridged: return tri(s.bridged);
    case Field::PhysIsOut: return tri(s.bridged && !s.out.empty());
    case Field::OwnerUid:
    case Field::OwnerGid: {
        if (!s.localOrigin)
            return Tri::False;
        const auto& id = p.field == Field::OwnerUid ? s.uid : s.gid;
        return id ? tri(*id >= p.value && *id <= p.mask) : Tri::Unknown;
    }
    case Field::OwnerSocketExists: return s.localOrigin ? Tri::True : Tri::False;
    case Field::PktType: {
        const std::uint32_t type = addressType(s.header.dst);
        const std::uint32_t kind = (type & AddrType::Broadcast) ? 1u : (type & AddrType::Multicast) ? 2u : 0u;
        return tri(kind == p.value);
    }
    default: return Tri::Unknown;
    }
}

Evaluator::Tri Evaluator::evaluate(const PacketState& s, const Predicate& p)
{
    auto tri = [](bool b) { return b ? Tri::True : Tri::False; };
    const Header& h = s.header;
    Tri raw = Tri::Unknown;
    switch (p.field) {
    case Field::Src: raw = tri(p.prefixes[0].contains(h.src)); break;
    case Field::Dst: raw = tri(p.prefixes[0].contains(h.dst)); break;
    case Field::InInterface: raw = tri(p.iface.matches(s.in)); break;
    case Field::OutInterface: raw = tri(p.iface.matches(s.out)); break;
    case Field::Protocol: raw = tri(p.value == 0 || h.protocol == p.value); break;
    case Field::Fragment: raw = Tri::False; break; // defragmented before iptables sees it
    case Field::SrcPort:
    case Field::DstPort:
    case Field::AnyPort: {
        if (!h.hasPorts())
            return Tri::False; // the port match itself fails, negated or not
        const bool src = anyPort(p.ports, h.sport);
        const bool dst = anyPort(p.ports, h.dport);
        raw = tri(p.field == Field::SrcPort ? src : p.field == Field::DstPort ? dst : (src || dst));
        break;
    }
    case Field::TcpFlags:
        if (h.protocol != Proto::Tcp)
            return Tri::False;
        raw = tri((h.tcpFlags & p.mask) == p.value);
        break;
    case Field::IcmpType:
        if (h.icmpType < 0)
            return Tri::False;
        raw = tri(p.value == 255
            || (static_cast<std::uint32_t>(h.icmpType) == p.value
                && (p.mask == 0xffffffffu || static_cast<std::uint32_t>(h.icmpCode) == p.mask)));
        break;
    case Field::Mark: raw = tri((s.mark & p.mask) == p.value); break;
    case Field::SrcRange: raw = tri(p.range.contains(h.src)); break;
    case Field::DstRange: raw = tri(p.range.contains(h.dst)); break;
    case Field::Always: raw = Tri::True; break;
    case Field::Opaque: raw = p.opaqueAlwaysTrue ? Tri::True : Tri::Unknown; break;
    case Field::SrcAddrType: case Field::DstAddrType: case Field::IpSet: case Field::PhysIn: case Field::PhysOut:
    case Field::PhysIsIn: case Field::PhysIsOut: case Field::PhysIsBridged: case Field::OwnerUid:
    case Field::OwnerGid: case Field::OwnerSocketExists: case Field::PktType:
        raw = evaluateHost(s, p);
        break;
    default: raw = evaluateFlow(s, p); break;
    }
    if (m_rec != nullptr && raw != Tri::Unknown) [[unlikely]]
        m_rec->predicate(s, p, raw == Tri::True);
    if (raw == Tri::Unknown || !p.negated)
        return raw;
    return raw == Tri::True ? Tri::False : Tri::True;
}

std::string Evaluator::unknownReason(const PacketState&, const Predicate& p) const
{
    switch (p.field) {
    case Field::IpSet: return p.mask != 1 ? "ipset " + p.name + " (multi-field key)" : "ipset " + p.name + " members";
    case Field::PhysIn: return "bridge port the frame entered (physdev-in)";
    case Field::PhysOut: return "bridge port toward the destination (physdev-out)";
    case Field::OwnerUid:
    case Field::OwnerGid: return "owner of the local socket";
    case Field::Opaque: return p.name;
    default: return p.text;
    }
}

bool Evaluator::ruleMatches(const PacketState& s, const CompiledRule& rule)
{
    if (m_rec != nullptr) [[unlikely]]
        return ruleMatchesRecorded(s, rule);
    for (const Predicate& p : rule.predicates) {
        const Tri r = evaluate(s, p);
        if (r == Tri::True)
            continue;
        if (r == Tri::False)
            return false;
        if (!choose(p.text, unknownReason(s, p)))
            return false;
    }
    return true;
}

// As ruleMatches, keeping only the conditions that justify the result. A rule that did not match needs just one
// false predicate: preferably one that constrains no original field (-p tcp for a UDP packet), else the first.
bool Evaluator::ruleMatchesRecorded(const PacketState& s, const CompiledRule& rule)
{
    m_rec->holdRule();
    std::size_t failFrom = 0, failTo = 0, failAt = rule.predicates.size();
    bool chosen = false; // the path depends on a choice here: keep every condition, as evaluated
    for (std::size_t i = 0; i < rule.predicates.size(); ++i) {
        const std::size_t before = m_rec->held();
        const Tri r = evaluate(s, rule.predicates[i]);
        if (r == Tri::True)
            continue;
        if (r == Tri::Unknown) {
            chosen = true;
            if (choose(rule.predicates[i].text, unknownReason(s, rule.predicates[i])))
                continue;
        }
        failFrom = before;
        failTo = m_rec->held();
        failAt = i;
        break;
    }
    if (failAt >= rule.predicates.size() || chosen) {
        m_rec->releaseRule(0, m_rec->held());
        return failAt >= rule.predicates.size();
    }
    for (std::size_t k = failAt + 1; k < rule.predicates.size() && failTo > failFrom; ++k) {
        const Predicate& p = rule.predicates[k];
        if (p.field == Field::SrcAddrType || p.field == Field::DstAddrType || p.field == Field::PktType)
            continue; // may ask an undecidable question
        const std::size_t before = m_rec->held();
        if (evaluate(s, p) == Tri::False && m_rec->held() == before)
            failFrom = failTo = before;
    }
    m_rec->releaseRule(failFrom, failTo);
    return false;
}

std::size_t Evaluator::skipIndexed(const PacketState& s, const IndexedRun& run, std::size_t next)
{
    const Header& h = s.header;
    if (run.key == Field::DstPort && !h.hasPorts())
        return run.end; // a port match fails without a condition, as in ruleMatchesRecorded
    const bool byDst = run.key == Field::Dst;
    const U128 value = byDst ? toU128(h.dst) : U128 { h.dport };
    const std::size_t to = run.step(value, h.protocol, next);
    if (m_rec == nullptr || to == next) [[likely]]
        return to;
    // Each skipped rule of the packet's protocol failed on its key, or on a predicate before it; rules of other
    // protocols failed on -p, which constrains nothing. No skipped rule names the packet's key: every packet whose
    // key is none of the run's but its own passes over the same rules.
    if (const IntervalSet* keys = run.keysFor(h.protocol))
        m_rec->keysPassed(byDst, *keys, value);
    for (const IndexedRun::Group& g : run.groups)
        if (!g.predicates.empty() && (g.protocol == 0 || g.protocol == h.protocol))
            recordGroupMiss(s, g.predicates);
    return to;
}

// As ruleMatchesRecorded for a rule that fails before its key: the first false predicate's condition, or none
// when a later one fails without one. These predicates are never undecidable.
void Evaluator::recordGroupMiss(const PacketState& s, const std::vector<Predicate>& predicates)
{
    m_rec->holdRule();
    std::size_t failFrom = 0, failTo = 0, failAt = predicates.size();
    for (std::size_t i = 0; i < predicates.size(); ++i) {
        const std::size_t before = m_rec->held();
        if (evaluate(s, predicates[i]) == Tri::False) {
            failFrom = before;
            failTo = m_rec->held();
            failAt = i;
            break;
        }
    }
    for (std::size_t k = failAt + 1; k < predicates.size() && failTo > failFrom; ++k) {
        const std::size_t before = m_rec->held();
        if (evaluate(s, predicates[k]) == Tri::False && m_rec->held() == before)
            failFrom = failTo = before;
    }
    m_rec->releaseRule(failFrom, failTo); // nothing when every predicate held: the key failed
}

bool Evaluator::choose(const std::string& question, const std::string& reason, bool fact)
{
    if (m_rec != nullptr)
        m_rec->choiceMade();
    const std::size_t i = m_choices.next++;
    if (i >= m_choices.sequence.size())
        m_choices.sequence.push_back(true);
    const bool answer = m_choices.sequence[i];
    const std::string said = fact ? (answer ? "assumed " : "assumed not: ") + question
                                  : question + (answer ? " matched" : " did not match");
    m_outcome.conditions.push_back(said + " (depends on " + reason + ')');
    if (std::find(m_dependsOn.begin(), m_dependsOn.end(), reason) == m_dependsOn.end())
        m_dependsOn.push_back(reason);
    return answer;
}

} // namespace model::engine::detail
