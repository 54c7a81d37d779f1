// Which original first packets can reach a chain or rule of one snapshot, through jumps and NAT rewrites.
#include "model/diff/flowreach.h"

#include <algorithm>

namespace model::diff::detail {

using namespace model::engine;

namespace {

constexpr std::size_t kMaxEntryBoxes = 4096; // beyond this a chain's entry is widened to its bounding box

const IntervalSet& portProtocols()
{
    static const IntervalSet set = [] {
        IntervalSet s;
        for (std::uint8_t p : { Proto::Tcp, Proto::Udp, Proto::Sctp, std::uint8_t(136), std::uint8_t(33) })
            s = s.united(IntervalSet::single(p));
        return s;
    }();
    return set;
}

IntervalSet complementIn(const IntervalSet& set, U128 max, bool negated)
{
    return negated ? IntervalSet::range(0, max).subtracted(set) : set;
}

IntervalSet portSet(const std::vector<PortRange>& ports)
{
    std::vector<Interval> out;
    for (const PortRange& r : ports)
        out.push_back({ r.first, r.last });
    return IntervalSet::fromIntervals(std::move(out));
}

Box boundingBox(const BoxList& boxes)
{
    Box hull = boxes.front();
    for (const Box& b : boxes)
        for (std::size_t d = 0; d < kDims; ++d)
            hull[d] = hull[d].united(b[d]);
    return hull;
}

Box swapped(const Box& b, std::size_t ingressCount)
{
    Box r = b;
    at(r, Dim::Ingress) = IntervalSet::range(0, ingressCount - 1); // the reply comes in wherever it is sent
    at(r, Dim::Src) = at(b, Dim::Dst);
    at(r, Dim::Dst) = at(b, Dim::Src);
    at(r, Dim::Sport) = at(b, Dim::Dport);
    at(r, Dim::Dport) = at(b, Dim::Sport);
    return r;
}

bool subset(const IntervalSet& a, const IntervalSet& b)
{
    return a.subtracted(b).empty();
}

} // namespace

ChainReach::ChainReach(
    const CompiledRuleset& rules, const HostModel& host, Family family, const std::vector<std::string>& ingress)
    : m_rules(rules)
    , m_family(family)
    , m_ingressCount(ingress.size())
    , m_ingress(ingress)
{
    for (std::size_t i = 0; i < ingress.size(); ++i)
        if (ingress[i].empty())
            m_localIngress = m_localIngress.united(IntervalSet::single(i));
    // Address atoms: between two consecutive boundaries every host answer (address type, locality) is the same.
    std::vector<U128> cuts { 0 };
    for (const IpPrefix& p : host.addressBoundaries(family)) {
        const IntervalSet s = IntervalSet::prefix(p);
        cuts.push_back(s.first());
        if (s.intervals().back().hi < addressMax(family))
            cuts.push_back(s.intervals().back().hi + 1);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t i = 0; i < cuts.size(); ++i) {
        const U128 hi = i + 1 < cuts.size() ? cuts[i + 1] - 1 : addressMax(family);
        const IpAddress a = addressFromU128(cuts[i], family);
        m_typesKnown = m_typesKnown && host.localKnown(a).has_value();
        m_types.push_back({ { cuts[i], hi }, host.addressType(a) });
    }
    for (const char* lo : { "127.0.0.1", "::1" })
        if (IpAddress::parse(lo)->family == family)
            m_hostAddresses = m_hostAddresses.united(IntervalSet::single(toU128(*IpAddress::parse(lo))));
    for (const HostInterface& i : host.interfaces())
        for (const IpPrefix& a : i.addresses)
            if (a.network.family == family)
                m_hostAddresses = m_hostAddresses.united(IntervalSet::single(toU128(a.network)));
    for (const HostRoute& r : host.routes())
        if (r.preferredSource && r.preferredSource->family == family)
            m_hostAddresses = m_hostAddresses.united(IntervalSet::single(toU128(*r.preferredSource)));

    m_callers.resize(rules.tables.size());
    for (std::size_t t = 0; t < rules.tables.size(); ++t) {
        const auto& chains = rules.tables[t].chains;
        m_callers[t].resize(chains.size());
        for (std::size_t c = 0; c < chains.size(); ++c)
            for (std::size_t r = 0; r < chains[c].rules.size(); ++r) {
                const CompiledTarget& target = chains[c].rules[r].target;
                if ((target.action == Action::Jump || target.action == Action::Goto) && target.chain >= 0
                    && static_cast<std::size_t>(target.chain) < chains.size())
                    m_callers[t][static_cast<std::size_t>(target.chain)].push_back({ c, r });
            }
    }
}

std::optional<IntervalSet> ChainReach::addressTypeSet(std::uint32_t bits) const
{
    if (!m_typesKnown)
        return std::nullopt;
    std::vector<Interval> out;
    for (const auto& [atom, type] : m_types)
        if (type & bits)
            out.push_back(atom);
    return IntervalSet::fromIntervals(std::move(out));
}

bool ChainReach::restrict(Box& b, const Predicate& p) const
{
    const U128 max = addressMax(m_family);
    auto narrow = [&](Dim d, const IntervalSet& set) { at(b, d) = at(b, d).intersected(set); };
    switch (p.field) {
    case Field::Always:
    case Field::OutInterface:
    case Field::Fragment:
    case Field::TcpFlags:
    case Field::IcmpType:
    case Field::Mark: return true; // decided from the packet, not a box: no narrowing
    case Field::Opaque: return p.opaqueAlwaysTrue;
    case Field::Src:
    case Field::Dst:
        if (p.prefixes.empty() || p.prefixes[0].length < 0 || p.prefixes[0].network.family != m_family)
            return true;
        narrow(p.field == Field::Src ? Dim::Src : Dim::Dst,
            complementIn(IntervalSet::prefix(p.prefixes[0]), max, p.negated));
        return true;
    case Field::SrcRange:
    case Field::DstRange:
        if (p.range.first.family != m_family)
            return true;
        narrow(p.field == Field::SrcRange ? Dim::Src : Dim::Dst,
            complementIn(IntervalSet::range(toU128(p.range.first), toU128(p.range.last)), max, p.negated));
        return true;
    case Field::Protocol:
        if (p.value != 0)
            narrow(Dim::Proto, complementIn(IntervalSet::single(p.value), 255, p.negated));
        else if (p.negated)
            at(b, Dim::Proto) = {};
        return true;
    case Field::SrcPort:
    case Field::DstPort:
        narrow(Dim::Proto, portProtocols()); // a port match fails without ports, negated or not
        narrow(p.field == Field::SrcPort ? Dim::Sport : Dim::Dport, complementIn(portSet(p.ports), 65535, p.negated));
        return true;
    case Field::AnyPort: narrow(Dim::Proto, portProtocols()); return true;
    case Field::InInterface: {
        std::vector<Interval> ids;
        for (std::size_t i = 0; i < m_ingress.size(); ++i)
            if (!m_ingress[i].empty() && p.iface.matches(m_ingress[i]))
                ids.push_back({ i, i });
        // A local process's packet can come back in through lo: its in-device is not its ingress id.
        narrow(Dim::Ingress,
            complementIn(IntervalSet::fromIntervals(std::move(ids)), m_ingressCount - 1, p.negated)
                .united(m_localIngress));
        return true;
    }
    case Field::SrcAddrType:
    case Field::DstAddrType: {
        const std::optional<IntervalSet> set = addressTypeSet(p.value);
        if (!set)
            return false;
        narrow(p.field == Field::SrcAddrType ? Dim::Src : Dim::Dst, complementIn(*set, max, p.negated));
        return true;
    }
    default: return false;
    }
}

std::optional<Box> ChainReach::ruleBox(const CompiledRule& rule, bool prefix) const
{
    Box b = fullBox(m_family, m_ingressCount);
    for (const Predicate& p : rule.predicates)
        if (!restrict(b, p) && prefix)
            break;
    for (const IntervalSet& s : b)
        if (s.empty())
            return std::nullopt;
    return b;
}

const BoxList& ChainReach::entry(std::size_t table, std::size_t chain)
{
    const std::pair key { table, chain };
    if (auto it = m_entries.find(key); it != m_entries.end())
        return it->second;
    const CompiledChain& c = m_rules.tables[table].chains[chain];
    BoxList out;
    if (c.builtin || !m_busy.insert(key).second) { // a loop cannot happen in iptables; if it does, widen
        out.push_back(fullBox(m_family, m_ingressCount));
    } else {
        for (const auto& [caller, rule] : m_callers[table][chain]) {
            const std::optional<Box> jump = ruleBox(m_rules.tables[table].chains[caller].rules[rule], false);
            if (!jump)
                continue;
            const BoxList callerEntry = entry(table, caller); // a copy: the map may grow meanwhile
            for (Box b : callerEntry)
                if (intersectInto(b, *jump))
                    out.push_back(std::move(b));
        }
        compact(out);
        if (out.size() > kMaxEntryBoxes)
            out = { boundingBox(out) };
        m_busy.erase(key);
    }
    return m_entries[key] = std::move(out);
}

void ChainReach::collectNat()
{
    m_natCollected = true;
    const U128 max = addressMax(m_family);
    for (std::size_t t = 0; t < m_rules.tables.size(); ++t) {
        if (m_rules.tables[t].name != "nat")
            continue;
        const auto& chains = m_rules.tables[t].chains;
        for (std::size_t c = 0; c < chains.size(); ++c)
            for (const CompiledRule& r : chains[c].rules) {
                const CompiledTarget& target = r.target;
                NatRule n;
                switch (target.action) {
                case Action::Dnat:
                case Action::Snat:
                    n.landing = target.natAddress && target.natAddress->family == m_family
                        ? IntervalSet::single(toU128(*target.natAddress))
                        : IntervalSet::range(0, max);
                    break;
                case Action::Masquerade:
                case Action::Redirect: n.landing = m_hostAddresses; break;
                case Action::Netmap:
                    n.landing = target.netmap && target.netmap->length >= 0 && target.netmap->network.family == m_family
                        ? IntervalSet::prefix(*target.netmap)
                        : IntervalSet::range(0, max);
                    break;
                default: continue;
                }
                if (target.natPorts)
                    n.ports = IntervalSet::range(target.natPorts->first, target.natPorts->last);
                const std::optional<Box> own = ruleBox(r, false);
                if (!own)
                    continue;
                for (Box b : entry(t, c))
                    if (intersectInto(b, *own))
                        n.matched.push_back(std::move(b));
                const bool toDst = target.action == Action::Dnat || target.action == Action::Redirect;
                const bool toSrc = target.action == Action::Snat || target.action == Action::Masquerade;
                if (!toSrc)
                    m_dnat.push_back(n); // NETMAP maps either side, depending on its hook
                if (!toDst)
                    m_snat.push_back(std::move(n));
            }
    }
}

// The original first packets whose header, after any DNAT and SNAT of the first packet, can lie in `seen`.
void ChainReach::preimage(const Box& seen, BoxList& out)
{
    if (!m_natCollected)
        collectNat();
    BoxList unSnat { seen };
    for (const NatRule& n : m_snat) {
        if (!n.landing.intersects(at(seen, Dim::Src)) || (n.ports && !n.ports->intersects(at(seen, Dim::Sport))))
            continue;
        for (const Box& m : n.matched) {
            Box b = seen;
            at(b, Dim::Src) = at(m, Dim::Src);
            at(b, Dim::Sport) = n.ports ? at(m, Dim::Sport) : at(m, Dim::Sport).intersected(at(seen, Dim::Sport));
            if (!at(b, Dim::Sport).empty() && !boxContains(seen, b))
                unSnat.push_back(std::move(b));
        }
    }
    for (const Box& s : unSnat) {
        out.push_back(s);
        for (const NatRule& n : m_dnat) {
            if (!n.landing.intersects(at(s, Dim::Dst)) || (n.ports && !n.ports->intersects(at(s, Dim::Dport))))
                continue;
            for (const Box& m : n.matched) {
                Box b = m;
                for (Dim d : { Dim::Ingress, Dim::Proto, Dim::Src, Dim::Sport })
                    at(b, d) = at(b, d).intersected(at(s, d));
                if (!n.ports)
                    at(b, Dim::Dport) = at(b, Dim::Dport).intersected(at(s, Dim::Dport));
                if (std::none_of(b.begin(), b.end(), [](const IntervalSet& x) { return x.empty(); })
                    && !(subset(at(b, Dim::Dst), at(s, Dim::Dst)) && boxContains(s, b)))
                    out.push_back(std::move(b));
            }
        }
    }
}

void ChainReach::originals(const Box& seen, bool nat, BoxList& out)
{
    preimage(seen, out);
    if (!nat)
        preimage(swapped(seen, m_ingressCount), out);
}

} // namespace model::diff::detail
