// Path conditions of a traced connection attempt (see pathrecorder.h).
#include "model/engine/pathrecorder.h"

#include "model/engine/evaluator.h"
#include "model/engine/trace.h"

#include <algorithm>

namespace model::engine {

namespace {

constexpr std::size_t kMaxPieces = 16;

// Whether the fact leaves the values as they are (then nothing is copied).
bool keeps(const IntervalSet& d, const IntervalSet& set, bool inside)
{
    return inside ? set.includes(d) : !d.intersects(set);
}

Dim dimOf(PathRecorder::Tag t)
{
    switch (t) {
    case PathRecorder::Src: return Dim::Src;
    case PathRecorder::Dst: return Dim::Dst;
    case PathRecorder::Sport: return Dim::Sport;
    case PathRecorder::In: return Dim::Ingress;
    default: return Dim::Dport;
    }
}

std::string hostKey(const HostModel& host, const IpAddress& a)
{
    const auto known = host.localKnown(a);
    const RouteDecision r = host.route(a);
    std::string key = known ? (*known ? "L" : "R") : "?";
    key += std::to_string(host.addressType(a)) + '|' + (r.found ? 'f' : '-') + (r.local ? 'l' : '-') + r.device + '|'
        + (r.gateway ? r.gateway->toString() : std::string()) + '|' + (r.source ? r.source->toString() : std::string())
        + '|' + r.type;
    return key;
}

std::optional<IntervalSet> ipsetMembers(const IpSet& set, Family family)
{
    if (set.type != "hash:ip" && set.type != "hash:net")
        return std::nullopt;
    std::vector<Interval> items;
    for (const auto& member : set.members) {
        const std::string first = member.substr(0, member.find(' '));
        if (first.find('-') != std::string::npos) {
            if (auto r = IpRange::parse(first); r && r->first.family == family)
                items.push_back({ toU128(r->first), toU128(r->last) });
        } else if (auto p = IpPrefix::parse(first); p && p->network.family == family && p->length >= 0) {
            items.push_back(IntervalSet::prefix(*p).intervals().front());
        }
    }
    return IntervalSet::fromIntervals(std::move(items));
}

} // namespace

HostPartition::HostPartition(const HostModel& host, Family family)
{
    const U128 max = addressMax(family);
    std::vector<U128> starts { 0 };
    for (const IpPrefix& p : host.addressBoundaries(family)) {
        const Interval i = IntervalSet::prefix(p).intervals().front();
        starts.push_back(i.lo);
        if (i.hi < max)
            starts.push_back(i.hi + 1);
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    m_starts = starts;
    std::map<std::string, std::size_t> ids;
    std::vector<std::vector<Interval>> members;
    for (std::size_t i = 0; i < starts.size(); ++i) {
        const U128 hi = i + 1 < starts.size() ? starts[i + 1] - 1 : max;
        const auto [it, added] = ids.emplace(hostKey(host, addressFromU128(starts[i], family)), ids.size());
        if (added)
            members.emplace_back();
        members[it->second].push_back({ starts[i], hi });
        m_classOfAtom.push_back(it->second);
    }
    for (auto& m : members)
        m_classes.push_back(IntervalSet::fromIntervals(std::move(m)));
    for (const IpSet& set : host.ipsets())
        if (auto s = ipsetMembers(set, family))
            m_ipsets.emplace(set.name, std::move(*s));
}

const IntervalSet& HostPartition::classOf(const IpAddress& address) const
{
    const U128 v = toU128(address);
    const auto it = std::upper_bound(m_starts.begin(), m_starts.end(), v);
    const auto atom = static_cast<std::size_t>(std::distance(m_starts.begin(), it)) - 1;
    return m_classes[m_classOfAtom[atom]];
}

const IntervalSet* HostPartition::ipset(const std::string& name) const
{
    const auto it = m_ipsets.find(name);
    return it == m_ipsets.end() ? nullptr : &it->second;
}

void HostPartition::setIngress(std::vector<std::string> names, const HostModel& host)
{
    m_ingress = std::move(names);
    m_patterns.clear(); // answers for the old names
    m_local = {};
    m_bridges = {};
    for (std::size_t i = 0; i < m_ingress.size(); ++i) {
        if (m_ingress[i].empty())
            m_local = m_local.united(IntervalSet::single(i));
        else if (host.isBridge(m_ingress[i]))
            m_bridges = m_bridges.united(IntervalSet::single(i));
    }
}

const IntervalSet* HostPartition::preparedIngress(const InterfacePattern& pattern) const
{
    if (pattern.id >= m_patterns.size())
        return nullptr;
    const PreparedPattern& p = m_patterns[pattern.id];
    // A pattern of another ruleset may carry the same number: the answer is only for the same pattern.
    return p.ready && p.pattern.prefix == pattern.prefix && p.pattern.name == pattern.name ? &p.ingress : nullptr;
}

IntervalSet HostPartition::ingressMatching(const InterfacePattern& pattern) const
{
    std::vector<Interval> ids;
    for (std::size_t i = 0; i < m_ingress.size(); ++i)
        if (!m_ingress[i].empty() && pattern.matches(m_ingress[i]))
            ids.push_back({ i, i });
    return IntervalSet::fromIntervals(std::move(ids));
}

void HostPartition::prepareInterfaces(const CompiledRuleset& rules)
{
    m_patterns.clear();
    auto add = [&](const std::vector<Predicate>& predicates) {
        for (const Predicate& p : predicates) {
            if (p.field != Field::InInterface && p.field != Field::OutInterface)
                continue;
            if (p.iface.id >= m_patterns.size())
                m_patterns.resize(p.iface.id + 1);
            PreparedPattern& prepared = m_patterns[p.iface.id];
            if (!prepared.ready) {
                prepared.ready = true;
                prepared.pattern = p.iface;
                prepared.ingress = ingressMatching(p.iface);
            }
        }
    };
    for (const auto& t : rules.tables)
        for (const auto& c : t.chains) {
            for (const auto& r : c.rules)
                add(r.predicates);
            for (const auto& run : c.runs) // a skipped group's predicates are recorded from the run
                for (const auto& g : run.groups)
                    add(g.predicates);
        }
}

PathRecorder::PathRecorder(
    const HostPartition& partition, const Header& original, std::size_t ingress, const Box* within)
    : m_partition(partition)
    , m_original(original)
    , m_ingress(ingress)
{
    if (within) {
        m_cond = *within;
    } else {
        const U128 all = ~U128 { 0 };
        for (auto& d : m_cond)
            d = IntervalSet::range(0, all);
        at(m_cond, Dim::Src) = IntervalSet::range(0, addressMax(original.src.family));
        at(m_cond, Dim::Dst) = IntervalSet::range(0, addressMax(original.dst.family));
        at(m_cond, Dim::Sport) = IntervalSet::range(0, 65535);
        at(m_cond, Dim::Dport) = IntervalSet::range(0, 65535);
    }
    m_traceStart = { Src, Dst, Sport, Dport };
    m_final = m_traceStart;
    for (std::size_t d = 0; d < kDims; ++d) // the caller's holes are kept
        m_pieces[d] = m_cond[d].intervals().size() + kMaxPieces;
}

void PathRecorder::beginTrace(bool reply)
{
    m_dropKeys.reset();
    m_reply = reply;
    m_walks = 0;
    if (reply)
        m_traceStart = { m_final[SlotDst], m_final[SlotSrc], m_final[SlotDport], m_final[SlotSport] };
    else
        m_traceStart = { Src, Dst, Sport, Dport };
    m_packetIn = reply ? m_deliveryFinal : In;
}

void PathRecorder::beginWalk()
{
    m_dropKeys.reset();
    m_cur = m_traceStart;
    m_walkStart = m_traceStart;
    m_inTag = m_outTag = m_delivery = Const;
}

void PathRecorder::endWalk()
{
    if (!m_reply && m_walks == 0) {
        m_final = m_cur;
        m_deliveryFinal = m_delivery;
    }
    ++m_walks;
}

U128 PathRecorder::valueOf(Tag t) const noexcept
{
    switch (t) {
    case Src: return toU128(m_original.src);
    case Dst: return toU128(m_original.dst);
    case Sport: return m_original.sport;
    case Dport: return m_original.dport;
    case In: return m_ingress;
    case Const: break;
    }
    return 0;
}

void PathRecorder::restrict(Tag t, const IntervalSet& set, bool inside)
{
    if (t == Const)
        return;
    if (m_holding) {
        m_pending.push_back({ t, set, inside });
        return;
    }
    apply(t, set, inside);
}

void PathRecorder::releaseRule(std::size_t from, std::size_t to)
{
    m_holding = false;
    for (std::size_t i = from; i < to && i < m_pending.size(); ++i)
        apply(m_pending[i].tag, m_pending[i].set, m_pending[i].inside);
    m_pending.clear();
}

void PathRecorder::apply(Tag t, const IntervalSet& set, bool inside)
{
    const IntervalSet& d = at(m_cond, dimOf(t));
    if (keeps(d, set, inside))
        m_dropKeys.reset(); // as narrow() does: the path went on
    else
        narrow(t, inside ? d.intersected(set) : d.subtracted(set), false);
    if (!m_wide)
        return;
    if (m_inGroup)
        m_deferred.push_back({ t, set, inside });
    else
        applyWide(t, set, inside);
}

void PathRecorder::applyWide(Tag t, const IntervalSet& set, bool inside)
{
    const Dim dim = dimOf(t);
    for (Box* b : { &*m_wide, &*m_keep }) {
        IntervalSet& w = at(*b, dim);
        if (!keeps(w, set, inside))
            w = inside ? w.intersected(set) : w.subtracted(set);
    }
    cutWide(dim);
}

// As narrow() does for the path's condition: many holes cost more than the boxes they save.
// The kept condition stays inside the wide one.
void PathRecorder::cutWide(Dim dim)
{
    const U128 v = valueOf(dim == Dim::Src ? Src
            : dim == Dim::Dst              ? Dst
            : dim == Dim::Sport            ? Sport
            : dim == Dim::Dport            ? Dport
                                           : In);
    const std::size_t pieces = m_pieces[static_cast<std::size_t>(dim)];
    const auto cut = [&](IntervalSet& w) {
        if (w.intervals().size() <= pieces)
            return false;
        for (const Interval& i : w.intervals())
            if (i.lo <= v && v <= i.hi) {
                w = IntervalSet::range(i.lo, i.hi);
                break;
            }
        return true;
    };
    IntervalSet& keep = at(*m_keep, dim);
    if (cut(at(*m_wide, dim)))
        keep = keep.intersected(at(*m_wide, dim));
    cut(keep);
}

Dim PathRecorder::dimension(Tag t) noexcept { return dimOf(t); }

void PathRecorder::enterGroup()
{
    if (!m_wide) {
        m_wide = m_cond;
        m_keep = m_cond;
    }
    m_inGroup = true;
    m_deferred.clear();
}

void PathRecorder::leaveGroup()
{
    if (!m_inGroup)
        return;
    m_inGroup = false;
    for (const Pending& p : m_deferred)
        applyWide(p.tag, p.set, p.inside);
    m_deferred.clear();
}

// A group whose rules give verdicts is widened in the wide condition only: its rule is the deciding one, or ends
// the table before the one that is. The kept condition takes its members as the path's condition does.
void PathRecorder::matchedGroup(const std::optional<std::pair<Dim, IntervalSet>>& keys, const CompiledTable* table,
    int chain, std::size_t begin, std::size_t end)
{
    m_inGroup = false;
    const Action action = table->chains[static_cast<std::size_t>(chain)].rules[begin].target.action;
    const bool verdict = action == Action::Accept || action == Action::Drop || action == Action::Reject;
    if (verdict)
        for (const Pending& p : m_deferred) {
            IntervalSet& k = at(*m_keep, dimOf(p.tag));
            k = p.inside ? k.intersected(p.set) : k.subtracted(p.set);
        }
    m_deferred.clear();
    if (keys) {
        at(*m_wide, keys->first) = keys->second;
        if (!verdict)
            at(*m_keep, keys->first) = at(*m_keep, keys->first).intersected(keys->second);
        cutWide(keys->first);
    }
    m_widened.push_back({ table, chain, begin, end });
    if (!verdict)
        m_widenedKept.push_back(m_widened.back());
}

bool PathRecorder::keptDecides(const RuleRef& rule) const
{
    return std::any_of(m_widenedKept.begin(), m_widenedKept.end(), [&](const Widened& w) {
        const auto index = static_cast<std::size_t>(rule.index);
        return rule.index > 0 && index - 1 >= w.begin && index - 1 < w.end && rule.table == w.table->name
            && rule.chain == w.table->chains[static_cast<std::size_t>(w.chain)].name;
    });
}

const IntervalSet* PathRecorder::wideDomain(Tag t) const { return m_wide ? &at(*m_wide, dimOf(t)) : nullptr; }
const IntervalSet* PathRecorder::keptDomain(Tag t) const { return m_keep ? &at(*m_keep, dimOf(t)) : nullptr; }

// The dimension of `t` becomes `next`, a subset of it that holds the traced value.
void PathRecorder::narrow(Tag t, IntervalSet next, bool whole)
{
    m_dropKeys.reset(); // the path went on: it did not end at the drop
    const Dim dim = dimOf(t);
    std::size_t& pieces = m_pieces[static_cast<std::size_t>(dim)];
    if (whole) // an indexed run's keys: one condition in place of one per rule
        pieces = std::max(pieces, next.intervals().size() + kMaxPieces);
    // A condition with many holes (thousands of cluster IPs not matched) costs more to carry than the extra boxes
    // its convex piece around the traced value leaves for later: keep just that piece.
    if (next.intervals().size() > pieces) {
        const U128 v = valueOf(t);
        for (const Interval& i : next.intervals())
            if (i.lo <= v && v <= i.hi) {
                next = IntervalSet::range(i.lo, i.hi);
                break;
            }
    }
    at(m_cond, dim) = std::move(next);
}

void PathRecorder::pin(Tag t) { restrict(t, IntervalSet::single(valueOf(t)), true); }

void PathRecorder::keysPassed(bool dst, const IntervalSet& keys, U128 value)
{
    const Tag t = m_cur[dst ? SlotDst : SlotDport];
    if (t == Const)
        return;
    const bool own = keys.contains(value);
    if (m_holding) {
        m_pending.push_back({ t, own ? keys.subtracted(IntervalSet::single(value)) : keys, false });
        return;
    }
    if (m_wide) {
        IntervalSet others = own ? keys.subtracted(IntervalSet::single(value)) : keys;
        if (m_inGroup)
            m_deferred.push_back({ t, std::move(others), false });
        else
            applyWide(t, others, false);
    }
    // (d minus the keys) plus the traced value, without copying the keys
    const IntervalSet& d = at(m_cond, dimOf(t));
    IntervalSet next = d.subtracted(keys);
    if (own && d.contains(value))
        next = next.united(IntervalSet::single(value));
    narrow(t, std::move(next), true);
}

void PathRecorder::hostFact(Tag t, const IpAddress& address)
{
    if (t != Const)
        restrict(t, m_partition.classOf(address), true);
}

void PathRecorder::prefixFact(Tag t, const IpPrefix& prefix, bool inside) { addressFact(t, { prefix }, inside); }

void PathRecorder::equalFact(Tag a, std::uint64_t va, Tag b, std::uint64_t vb)
{
    if (a == b || (a == Const && b == Const))
        return;
    if (a != Const && b != Const) {
        pin(a);
        pin(b);
        return;
    }
    const bool equal = va == vb;
    if (a == Const)
        restrict(b, IntervalSet::single(va), equal);
    else
        restrict(a, IntervalSet::single(vb), equal);
}

void PathRecorder::equalFact(Tag a, const IpAddress& va, Tag b, const IpAddress& vb)
{
    if (a == b || (a == Const && b == Const))
        return;
    if (a != Const && b != Const) {
        pin(a);
        pin(b);
        return;
    }
    const bool equal = va == vb;
    if (a == Const)
        restrict(b, IntervalSet::single(toU128(va)), equal);
    else
        restrict(a, IntervalSet::single(toU128(vb)), equal);
}

void PathRecorder::bindingFact(const NatBinding& b, bool dnat)
{
    // dnat(): original.dst != translated.dst || original.dport != translated.dport (snat() likewise for src).
    const Slot addr = dnat ? SlotDst : SlotSrc;
    const Slot port = dnat ? SlotDport : SlotSport;
    const IpAddress& oa = dnat ? b.original.dst : b.original.src;
    const IpAddress& ta = dnat ? b.translated.dst : b.translated.src;
    equalFact(identity(addr), oa, m_final[addr], ta);
    if (oa != ta)
        return;
    const std::uint16_t op = dnat ? b.original.dport : b.original.sport;
    const std::uint16_t tp = dnat ? b.translated.dport : b.translated.sport;
    equalFact(identity(port), op, m_final[port], tp);
}

void PathRecorder::addressFact(Tag t, const std::vector<IpPrefix>& prefixes, bool matched)
{
    if (t == Const || prefixes.empty())
        return;
    if (prefixes.front().length < 0) {
        pin(t);
        return;
    }
    restrict(t, IntervalSet::prefix(prefixes.front()), matched);
}

void PathRecorder::rangeFact(Tag t, const IpRange& range, bool matched)
{
    restrict(t, IntervalSet::range(toU128(range.first), toU128(range.last)), matched);
}

void PathRecorder::portFact(Tag t, const std::vector<PortRange>& ports, bool matched)
{
    std::vector<Interval> items;
    for (const PortRange& r : ports)
        items.push_back({ r.first, r.last });
    restrict(t, IntervalSet::fromIntervals(std::move(items)), matched);
}

void PathRecorder::flowPredicate(const detail::PacketState& s, const Predicate& p, bool matched)
{
    const bool hasCt = s.ctAttached && !s.untracked && s.state != CtState::Invalid;
    if (p.field == Field::CtState) {
        if (s.untracked || !s.ctAttached || s.state == CtState::Invalid || s.state == CtState::Untracked || !s.binding)
            return;
        if (!s.dnatDone)
            bindingFact(*s.binding, true);
        if (!s.snatDone)
            bindingFact(*s.binding, false);
        return;
    }
    if (!hasCt)
        return;
    const bool bound = s.binding.has_value();
    auto orig = [&](Slot slot) { return bound ? identity(slot) : m_walkStart[slot]; };
    auto translated = [&](Slot slot) { return bound ? m_final[slot] : m_cur[slot]; };
    switch (p.field) {
    case Field::CtOrigSrc: addressFact(orig(SlotSrc), p.prefixes, matched); break;
    case Field::CtOrigDst: addressFact(orig(SlotDst), p.prefixes, matched); break;
    case Field::CtReplSrc: addressFact(translated(SlotDst), p.prefixes, matched); break;
    case Field::CtReplDst: addressFact(translated(SlotSrc), p.prefixes, matched); break;
    case Field::CtOrigSrcPort: portFact(orig(SlotSport), p.ports, matched); break;
    case Field::CtOrigDstPort: portFact(orig(SlotDport), p.ports, matched); break;
    case Field::CtReplSrcPort: portFact(translated(SlotDport), p.ports, matched); break;
    case Field::CtReplDstPort: portFact(translated(SlotSport), p.ports, matched); break;
    default: break; // status, direction, proto, connmark: decided by the path itself
    }
}

void PathRecorder::predicate(const detail::PacketState& s, const Predicate& p, bool matched)
{
    switch (p.field) {
    case Field::Src: addressFact(m_cur[SlotSrc], p.prefixes, matched); break;
    case Field::Dst: addressFact(m_cur[SlotDst], p.prefixes, matched); break;
    case Field::SrcRange: rangeFact(m_cur[SlotSrc], p.range, matched); break;
    case Field::DstRange: rangeFact(m_cur[SlotDst], p.range, matched); break;
    case Field::SrcPort: portFact(m_cur[SlotSport], p.ports, matched); break;
    case Field::DstPort: portFact(m_cur[SlotDport], p.ports, matched); break;
    case Field::AnyPort: {
        const bool bySrc = std::any_of(
            p.ports.begin(), p.ports.end(), [&](const PortRange& r) { return r.contains(s.header.sport); });
        if (!matched || bySrc)
            portFact(m_cur[SlotSport], p.ports, matched);
        if (!matched || !bySrc)
            portFact(m_cur[SlotDport], p.ports, matched);
        break;
    }
    case Field::InInterface:
    case Field::OutInterface: {
        const Tag t = p.field == Field::InInterface ? m_inTag : m_outTag;
        if (const IntervalSet* ids = m_partition.preparedIngress(p.iface))
            restrict(t, *ids, matched);
        else
            restrict(t, m_partition.ingressMatching(p.iface), matched);
        break;
    }
    case Field::SrcAddrType: hostFact(m_cur[SlotSrc], s.header.src); break;
    case Field::DstAddrType:
    case Field::PktType: hostFact(m_cur[SlotDst], s.header.dst); break;
    case Field::IpSet: {
        const Tag t = (p.value & 1u) ? m_cur[SlotDst] : m_cur[SlotSrc];
        if (const IntervalSet* members = m_partition.ipset(p.name))
            restrict(t, *members, matched);
        else
            pin(t);
        break;
    }
    default: flowPredicate(s, p, matched); break;
    }
}

const IntervalSet& PathRecorder::domain(Tag t) const { return at(m_cond, dimOf(t)); }

bool PathRecorder::heldHoldFor(Tag t, U128 value, std::size_t from) const
{
    return std::all_of(m_pending.begin() + static_cast<std::ptrdiff_t>(std::min(from, m_pending.size())),
        m_pending.end(), [&](const Pending& p) {
        if (p.tag == t)
            return p.set.contains(value) == p.inside;
        const IntervalSet& d = at(m_cond, dimOf(p.tag));
        if (!(p.inside ? p.set.includes(d) : !d.intersects(p.set)))
            return false;
        if (!m_wide)
            return true;
        const IntervalSet& w = at(*m_wide, dimOf(p.tag));
        return p.inside ? p.set.includes(w) : !w.intersects(p.set);
    });
}

void PathRecorder::droppedWithKeys(Tag t, std::function<IntervalSet()> keys)
{
    if (t != Const)
        m_dropKeys = DropKeys { t, std::move(keys), std::nullopt };
}

void PathRecorder::passedWithKeys(
    Tag t, const IntervalSet& keys, const IntervalSet* wideFrom, const IntervalSet* keptFrom)
{
    if (t == Const)
        return;
    if (m_wide && wideFrom && keptFrom) {
        IntervalSet& w = at(*m_wide, dimOf(t));
        w = w.united(keys.intersected(*wideFrom));
        IntervalSet& k = at(*m_keep, dimOf(t));
        k = k.united(keys.intersected(*keptFrom));
    }
    IntervalSet& d = at(m_cond, dimOf(t));
    d = d.united(keys);
    std::size_t& pieces = m_pieces[static_cast<std::size_t>(dimOf(t))];
    pieces = std::max(pieces, d.intervals().size() + kMaxPieces);
    m_dropKeys.reset();
}

std::optional<Dim> PathRecorder::dropDimension() const
{
    return m_dropKeys ? std::optional<Dim>(dimOf(m_dropKeys->tag)) : std::nullopt;
}

std::optional<Box> PathRecorder::dropAlternative()
{
    if (!m_dropKeys)
        return std::nullopt;
    if (!m_dropKeys->keys)
        m_dropKeys->keys = m_dropKeys->find(); // holds back and drops conditions: records nothing
    if (!m_dropKeys->keys->contains(valueOf(m_dropKeys->tag)))
        return std::nullopt;
    Box b = m_cond;
    at(b, dimOf(m_dropKeys->tag)) = *m_dropKeys->keys;
    return b;
}

} // namespace model::engine
