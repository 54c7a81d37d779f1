// The semantic diff's search: boxes of packets, one traced attempt per box, split by the recorded path conditions.
#include "model/diff/flowdiff.h"

#include "model/diff/flowprune.h"

#include <algorithm>
#include <chrono>
#include <set>

namespace model::diff {

using namespace model::engine;

namespace {

constexpr std::array<std::uint8_t, 5> kPortProtocols { Proto::Tcp, Proto::Udp, Proto::Sctp, 136, 33 };

std::uint8_t icmpOf(Family f) { return f == Family::IPv4 ? Proto::Icmp : Proto::Icmpv6; }

template <typename F> void forEachPredicate(const Engine& e, Family family, F&& f)
{
    const CompiledRuleset* rules = e.compiled(family);
    if (!rules)
        return;
    for (const auto& t : rules->tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules) {
                for (const auto& p : r.predicates)
                    f(p, r.target);
                if (r.predicates.empty())
                    f(Predicate {}, r.target);
            }
}

// What the rules and hosts mention: the values a witness is best taken from, and the ingress names.
struct Landmarks {
    std::vector<std::pair<U128, int>> addresses; // value, priority (lower first)
    std::vector<U128> dports;
    std::set<std::uint8_t> protocols;
};

Landmarks landmarks(const Engine& before, const Engine& after, Family family)
{
    Landmarks m;
    const int width = family == Family::IPv4 ? 32 : 128;
    auto addAddress = [&](const IpAddress& a, int priority) {
        if (a.family == family)
            m.addresses.emplace_back(toU128(a), priority);
    };
    std::set<std::uint16_t> ports;
    for (const Engine* e : { &before, &after }) {
        for (const auto& ep : e->host().endpoints())
            addAddress(ep.address, 0);
        for (const auto& i : e->host().interfaces())
            for (const auto& a : i.addresses)
                addAddress(a.network, 2);
        forEachPredicate(*e, family, [&](const Predicate& p, const CompiledTarget& t) {
            if (t.natAddress)
                addAddress(*t.natAddress, 1);
            if ((p.field == Field::Protocol || p.field == Field::CtProto) && p.value != 0 && p.value < 256)
                m.protocols.insert(static_cast<std::uint8_t>(p.value));
            if (p.field == Field::DstPort || p.field == Field::AnyPort || p.field == Field::CtOrigDstPort)
                for (const auto& r : p.ports)
                    ports.insert(r.first);
            if ((p.field == Field::Src || p.field == Field::Dst) && !p.prefixes.empty() && p.prefixes[0].length > 0) {
                IpAddress a = p.prefixes[0].network;
                if (p.prefixes[0].length < width - 1)
                    a = addressFromU128(toU128(a) + 1, family);
                addAddress(a, 3);
            }
        });
    }
    for (const char* text : { "203.0.113.7", "2001:db8::7" })
        addAddress(*IpAddress::parse(text), 4);
    std::stable_sort(
        m.addresses.begin(), m.addresses.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    m.dports.assign(ports.begin(), ports.end());
    return m;
}

std::vector<Ingress> ingressList(const Engine& before, const Engine& after)
{
    std::set<std::string> exact;
    std::set<std::string> prefixes;
    for (const Engine* e : { &before, &after }) {
        for (const auto& i : e->host().interfaces())
            if (i.name != "lo")
                exact.insert(i.name);
        for (Family f : { Family::IPv4, Family::IPv6 })
            forEachPredicate(*e, f, [&](const Predicate& p, const CompiledTarget&) {
                if (p.field != Field::InInterface && p.field != Field::OutInterface)
                    return;
                if (p.iface.prefix)
                    prefixes.insert(p.iface.name);
                else if (p.iface.name != "lo")
                    exact.insert(p.iface.name);
            });
    }
    std::vector<Ingress> out;
    for (const auto& name : exact)
        out.push_back({ name, name, false });
    for (const auto& p : prefixes)
        if (!p.empty())
            out.push_back({ p + "*", "any other " + p + "+ interface", false });
    out.push_back({ "*", "any other interface", false });
    out.push_back({ std::string(), "local process", true });
    return out;
}

// Protocol classes: each protocol a rule names on its own, then the others with ports, then the rest.
std::vector<IntervalSet> protocolClasses(const std::set<std::uint8_t>& named, Family family)
{
    std::set<std::uint8_t> own = named;
    own.insert({ Proto::Tcp, Proto::Udp, icmpOf(family) });
    std::vector<IntervalSet> out;
    IntervalSet taken;
    for (std::uint8_t p : own) {
        out.push_back(IntervalSet::single(p));
        taken = taken.united(out.back());
    }
    IntervalSet ported;
    for (std::uint8_t p : kPortProtocols)
        if (!own.count(p))
            ported = ported.united(IntervalSet::single(p));
    if (!ported.empty())
        out.push_back(ported);
    const IntervalSet rest = IntervalSet::range(1, 255).subtracted(taken).subtracted(ported);
    if (!rest.empty())
        out.push_back(rest);
    return out;
}

// Values in order of preference, looked up by value: the most preferred one inside a set, in time logarithmic in
// the number of values per interval of the set (a witness is picked for every box traced).
class Preferred final {
public:
    Preferred() = default;
    explicit Preferred(const std::vector<U128>& inOrder)
    {
        for (std::size_t i = 0; i < inOrder.size(); ++i)
            m_values.push_back({ inOrder[i], i });
        std::sort(m_values.begin(), m_values.end());
        m_values.erase(std::unique(m_values.begin(), m_values.end(),
                           [](const Entry& a, const Entry& b) { return a.value == b.value; }),
            m_values.end()); // sorted by value, then rank: the first of equal values has the best rank
        m_best.emplace_back(m_values.size());
        for (std::size_t i = 0; i < m_values.size(); ++i)
            m_best[0][i] = i;
        for (std::size_t len = 2; len <= m_values.size(); len *= 2) {
            const std::vector<std::size_t>& prev = m_best.back();
            std::vector<std::size_t> level(m_values.size() - len + 1);
            for (std::size_t i = 0; i < level.size(); ++i)
                level[i] = better(prev[i], prev[i + len / 2]);
            m_best.push_back(std::move(level));
        }
    }

    std::optional<U128> firstIn(const IntervalSet& set) const
    {
        std::optional<std::size_t> best;
        for (const Interval& i : set.intervals()) {
            const auto lo = std::lower_bound(
                m_values.begin(), m_values.end(), i.lo, [](const Entry& e, U128 v) { return e.value < v; });
            const auto hi = std::upper_bound(
                lo, m_values.end(), i.hi, [](U128 v, const Entry& e) { return v < e.value; });
            if (lo == hi)
                continue;
            const std::size_t found = bestIn(static_cast<std::size_t>(lo - m_values.begin()),
                static_cast<std::size_t>(hi - m_values.begin()));
            best = best ? better(*best, found) : found;
            if (m_values[*best].rank == 0)
                break;
        }
        return best ? std::optional<U128>(m_values[*best].value) : std::nullopt;
    }

private:
    struct Entry {
        U128 value;
        std::size_t rank;
        auto operator<=>(const Entry&) const = default;
    };
    std::size_t better(std::size_t a, std::size_t b) const { return m_values[b].rank < m_values[a].rank ? b : a; }
    std::size_t bestIn(std::size_t from, std::size_t to) const // [from, to), not empty
    {
        std::size_t level = 0;
        while ((std::size_t { 2 } << level) <= to - from)
            ++level;
        return better(m_best[level][from], m_best[level][to - (std::size_t { 1 } << level)]);
    }

    std::vector<Entry> m_values;
    std::vector<std::vector<std::size_t>> m_best; // [k][i]: the best of m_values[i, i + 2^k)
};

// A value inside the set, not a network address where there is room.
U128 inner(const IntervalSet& set)
{
    for (const Interval& i : set.intervals())
        if (i.hi - i.lo >= 2)
            return i.lo + 1;
    return set.first();
}

// Addresses a witness should not show when the set holds others: loopback, unspecified, multicast and reserved,
// the limited broadcast, and the network and broadcast addresses of the subnets the host and the rules name.
IntervalSet unrealisticAddresses(const Engine& before, const Engine& after, Family family)
{
    const int width = family == Family::IPv4 ? 32 : 128;
    std::vector<Interval> out;
    auto prefix = [&](const char* text) {
        if (const auto p = IpPrefix::parse(text); p && p->network.family == family)
            out.push_back(IntervalSet::prefix(*p).intervals().front());
    };
    for (const char* text : { "0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/3", "::/128", "::1/128", "ff00::/8" })
        prefix(text);
    auto ends = [&](const IpPrefix& p) {
        if (p.network.family != family || p.length < 1 || p.length > width - 2)
            return;
        const Interval range = IntervalSet::prefix(p).intervals().front();
        out.push_back({ range.lo, range.lo });
        out.push_back({ range.hi, range.hi });
    };
    for (const Engine* e : { &before, &after }) {
        for (const auto& i : e->host().interfaces())
            for (const auto& a : i.addresses)
                ends(a);
        for (const auto& r : e->host().routes())
            ends(r.destination);
        forEachPredicate(*e, family, [&](const Predicate& p, const CompiledTarget&) {
            if (p.field == Field::Src || p.field == Field::Dst)
                for (const IpPrefix& q : p.prefixes)
                    ends(q);
        });
    }
    return IntervalSet::fromIntervals(std::move(out));
}

class Search final {
public:
    Search(
        const Engine& before, const Engine& after, Family family, const std::vector<Ingress>& ingress, bool widenGroups)
        : m_widenGroups(widenGroups)
        , m_before(before)
        , m_after(after)
        , m_family(family)
        , m_partBefore(before.host(), family)
        , m_partAfter(after.host(), family)
        , m_marks(landmarks(before, after, family))
        , m_unrealistic(unrealisticAddresses(before, after, family))
    {
        std::vector<std::string> names;
        for (const Ingress& in : ingress)
            names.push_back(in.localProcess ? std::string() : in.name);
        m_partBefore.setIngress(names, before.host());
        m_partAfter.setIngress(names, after.host());
        if (const CompiledRuleset* rules = before.compiled(family))
            m_partBefore.prepareInterfaces(*rules);
        if (const CompiledRuleset* rules = after.compiled(family))
            m_partAfter.prepareInterfaces(*rules);
        std::vector<U128> addresses;
        for (const auto& [v, priority] : m_marks.addresses)
            addresses.push_back(v);
        m_addresses = Preferred(addresses);
        // Sources read best as an outside client: the documentation addresses first.
        std::vector<std::pair<U128, int>> sources = m_marks.addresses;
        std::stable_sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) {
            return (a.second == 4 ? -1 : a.second) < (b.second == 4 ? -1 : b.second);
        });
        addresses.clear();
        for (const auto& [v, priority] : sources)
            addresses.push_back(v);
        m_sources = Preferred(addresses);
        m_dports = Preferred(std::vector<U128>(m_marks.dports.begin(), m_marks.dports.end()));
        m_sport = Preferred({ 40000 });
    }

    // A routable, realistic address of the set: the most preferred landmark, else an inner address; loopback,
    // multicast, network and broadcast addresses only when the set holds nothing else.
    U128 pickAddress(const IntervalSet& set, const Preferred& preferred) const
    {
        // The most preferred address of the set is the most preferred realistic one when it is realistic itself:
        // the set need not be cut (the unrealistic addresses are thousands of intervals on large hosts).
        if (const std::optional<U128> best = preferred.firstIn(set); best && !m_unrealistic.contains(*best))
            return *best;
        const IntervalSet plain = set.subtracted(m_unrealistic);
        const IntervalSet& from = plain.empty() ? set : plain;
        return preferred.firstIn(from).value_or(inner(from));
    }

    bool realistic(const Header& h) const
    {
        return !m_unrealistic.contains(toU128(h.src)) && !m_unrealistic.contains(toU128(h.dst));
    }

    std::vector<Box> startBoxes(const std::vector<Ingress>& ingress) const
    {
        std::vector<Box> out;
        const U128 max = addressMax(m_family);
        for (const IntervalSet& proto : protocolClasses(m_marks.protocols, m_family)) {
            Box b;
            at(b, Dim::Ingress) = IntervalSet::range(0, ingress.size() - 1);
            at(b, Dim::Proto) = proto;
            at(b, Dim::Src) = IntervalSet::range(0, max);
            at(b, Dim::Dst) = IntervalSet::range(0, max);
            // Protocols without ports get the full port ranges too: nothing looks at them, and classes of
            // several protocols then merge.
            at(b, Dim::Sport) = IntervalSet::range(0, 65535);
            at(b, Dim::Dport) = IntervalSet::range(0, 65535);
            out.push_back(std::move(b));
        }
        return out;
    }

    Packet representative(const Box& b, const std::vector<Ingress>& ingress) const
    {
        Packet p;
        p.family = m_family;
        const Ingress& in = ingress[static_cast<std::size_t>(at(b, Dim::Ingress).first())];
        p.fromLocalProcess = in.localProcess;
        p.inInterface = in.name;
        Header& h = p.header;
        h.protocol = static_cast<std::uint8_t>(at(b, Dim::Proto).first());
        h.src = addressFromU128(pickAddress(at(b, Dim::Src), m_sources), m_family);
        h.dst = addressFromU128(pickAddress(at(b, Dim::Dst), m_addresses), m_family);
        h.sport = static_cast<std::uint16_t>(m_sport.firstIn(at(b, Dim::Sport)).value_or(inner(at(b, Dim::Sport))));
        h.dport = static_cast<std::uint16_t>(m_dports.firstIn(at(b, Dim::Dport)).value_or(inner(at(b, Dim::Dport))));
        if (!h.hasPorts())
            h.sport = h.dport = 0;
        h.tcpFlags = TcpFlag::Syn;
        if (h.protocol == icmpOf(m_family))
            h.icmpType = m_family == Family::IPv4 ? 8 : 128;
        return p;
    }

    // Traces the box's representative in both snapshots; returns the region that shares its paths and pushes
    // the rest of the box onto the work list.
    void step(Box box, const std::vector<Ingress>& ingress, std::vector<Box>& work, std::vector<detail::Region>& out)
    {
        const Packet rep = representative(box, ingress);
        const auto in = static_cast<std::size_t>(at(box, Dim::Ingress).first());
        PathRecorder rb(m_partBefore, rep.header, in, &box);
        PathRecorder ra(m_partAfter, rep.header, in, &box);
        rb.setGroupWidening(m_widenGroups);
        ra.setGroupWidening(m_widenGroups);
        FlowResult fb = m_before.traceFlow(rep, &rb);
        FlowResult fa = m_after.traceFlow(rep, &ra);
        // Where both fates are equal (and decided), the region is no class whatever its deciding rules: a side whose
        // path ended in a drop by an indexed run's rule may take every packet that is dropped at the same point by
        // another rule of the run (PathRecorder::dropAlternative). Each packet of the region still has the traced
        // fate on both sides, so none of them changes fate, and the search is not cut once per key of the run.
        // Working the alternative out probes every key of the run, so it is asked for only where it can widen the
        // region: where the condition already holds the box's whole key dimension there is nothing to gain.
        const bool sameFate = fb.fate == fa.fate && fb.fate != Fate::Depends;
        const auto widened = [&](PathRecorder& r) -> std::optional<Box> {
            const std::optional<Dim> d = sameFate ? r.dropDimension() : std::nullopt;
            if (!d || at(r.condition(), *d).includes(at(box, *d)))
                return std::nullopt;
            return r.dropAlternative();
        };
        const std::optional<Box> wideBefore = widened(rb);
        const std::optional<Box> wideAfter = widened(ra);
        // A side whose path met a group of rules with equal targets may take every packet that meets another rule
        // of the group instead: with the traced fate (PathRecorder::wideCondition), and with the traced deciding rule
        // too where no group of verdicts was widened and the deciding rule is no widened group's (keptCondition).
        // Where the fates differ, that rule must stay the traced one.
        const auto condition
            = [&](const PathRecorder& r, const FlowResult& f, const std::optional<Box>& wide) -> const Box& {
            if (wide)
                return *wide;
            if (sameFate && r.widened())
                return r.wideCondition();
            if (r.keptWidened() && f.fate != Fate::Depends && !r.keptDecides(f.deciding))
                return r.keptCondition();
            return r.condition();
        };
        const Box& condBefore = condition(rb, fb, wideBefore);
        const Box& condAfter = condition(ra, fa, wideAfter);
        Box region = box;
        const std::array<Dim, 5> dims { Dim::Ingress, Dim::Src, Dim::Dst, Dim::Sport, Dim::Dport };
        for (Dim d : dims)
            at(region, d) = at(box, d).intersected(at(condBefore, d)).intersected(at(condAfter, d));
        const std::array<U128, 5> repValues { in, toU128(rep.header.src), toU128(rep.header.dst), rep.header.sport,
            rep.header.dport };
        for (std::size_t i = 0; i < dims.size(); ++i)
            if (!at(region, dims[i]).contains(repValues[i])) // a recorder inconsistency: stay exact, one point
                for (std::size_t j = 0; j < dims.size(); ++j)
                    at(region, dims[j]) = IntervalSet::single(repValues[j]);
        detail::Region r { m_family, region, sideOf(fb), sideOf(fa), rep, realistic(rep.header) };
        if (!(r.before == r.after) && (r.before.fate != r.after.fate || r.before.fate == Fate::Depends))
            out.push_back(std::move(r));
        // The pieces split off first keep the rest of the box whole; later ones are confined to what the region kept
        // of the earlier dimensions. Destination ports are split before sources: a port that walks an indexed run
        // (one service per node port) is traced alone anyway, and a source cut on its path (the endpoints' own
        // addresses) then stays confined to that port instead of carrying every other port along.
        for (Dim d : { Dim::Ingress, Dim::Dst, Dim::Dport, Dim::Src, Dim::Sport }) {
            IntervalSet rest = at(box, d).subtracted(at(region, d));
            if (!rest.empty()) {
                Box piece = box;
                at(piece, d) = std::move(rest);
                work.push_back(std::move(piece));
            }
            at(box, d) = at(region, d);
        }
    }

private:
    bool m_widenGroups;
    const Engine& m_before;
    const Engine& m_after;
    Family m_family;
    HostPartition m_partBefore;
    HostPartition m_partAfter;
    Landmarks m_marks;
    IntervalSet m_unrealistic;
    Preferred m_addresses;
    Preferred m_sources;
    Preferred m_dports;
    Preferred m_sport;
};

} // namespace

FlowSide sideOf(const FlowResult& flow)
{
    FlowSide s;
    s.fate = flow.fate;
    s.deciding = flow.deciding;
    s.decidedByReply = flow.decidedByReply;
    const TraceResult& decisive = flow.decidedByReply && flow.reply ? *flow.reply : flow.original;
    if (s.fate == Fate::Reject)
        s.rejectWith = decisive.primary().rejectWith;
    if (s.fate == Fate::Depends) {
        s.dependsOn = flow.original.dependsOn;
        if (flow.reply)
            for (const auto& d : flow.reply->dependsOn)
                if (std::find(s.dependsOn.begin(), s.dependsOn.end(), d) == s.dependsOn.end())
                    s.dependsOn.push_back(d);
    }
    return s;
}

std::optional<FlowDiff> computeFlowDiff(
    const Engine& before, const Engine& after, const FlowDiffOptions& options, const FlowDiffProgress& progress)
{
    FlowDiff diff;
    diff.ingress = ingressList(before, after);
    // Comparing the rule texts and finding the changed region of a large pair take seconds: a cancel is heard
    // between chains. These asks repeat the last fraction reported, so the reports never go backwards.
    double reported = 0.0;
    const StopRequested stop = [&progress, &reported] { return progress && !progress(reported); };
    for (Family f : { Family::IPv4, Family::IPv6 }) {
        RulesetPtr b = before.ruleset(f);
        RulesetPtr a = after.ruleset(f);
        if (!b)
            b = std::make_shared<const Ruleset>();
        if (!a)
            a = std::make_shared<const Ruleset>();
        std::optional<RuleDiff> rules = diffRulesets(std::move(b), std::move(a), stop);
        if (!rules)
            return std::nullopt;
        (f == Family::IPv4 ? diff.rulesV4 : diff.rulesV6) = std::move(*rules);
    }
    std::vector<detail::Region> regions;
    std::vector<Family> families;
    if (options.ipv4)
        families.push_back(Family::IPv4);
    if (options.ipv6)
        families.push_back(Family::IPv6);
    std::chrono::steady_clock::time_point lastReport {}; // the first report comes after the first 256 boxes
    for (std::size_t fi = 0; fi < families.size(); ++fi) {
        Search search(before, after, families[fi], diff.ingress, options.widenGroups);
        std::vector<Box> starts = search.startBoxes(diff.ingress);
        if (options.prune) {
            std::vector<std::string> names;
            for (const Ingress& in : diff.ingress)
                names.push_back(in.localProcess ? std::string() : in.name);
            auto region = detail::changeRegion(before, after, families[fi], diff.rules(families[fi]), names, stop);
            if (stop())
                return std::nullopt;
            if (region)
                starts = detail::restrictToRegion(starts, *region);
        }
        for (std::size_t si = 0; si < starts.size(); ++si) {
            std::vector<Box> work { starts[si] };
            while (!work.empty()) {
                Box box = std::move(work.back());
                work.pop_back();
                search.step(std::move(box), diff.ingress, work, regions);
                if (++diff.boxes >= options.maxBoxes) {
                    diff.incomplete = true;
                    work.clear();
                }
                if (progress && (diff.boxes & 255) == 0
                    && std::chrono::steady_clock::now() - lastReport > std::chrono::milliseconds(200)) {
                    lastReport = std::chrono::steady_clock::now();
                    const double done
                        = (static_cast<double>(fi) + static_cast<double>(si) / static_cast<double>(starts.size()))
                        / static_cast<double>(families.size());
                    reported = done;
                    if (!progress(done))
                        return std::nullopt;
                }
            }
        }
    }
    detail::buildClasses(std::move(regions), diff, before, after);
    if (progress)
        progress(1.0);
    return diff;
}

} // namespace model::diff
