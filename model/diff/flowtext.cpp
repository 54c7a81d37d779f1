#include "model/diff/flowtext.h"

#include <algorithm>

namespace model::diff {

using namespace model::engine;

namespace {

constexpr std::size_t kShown = 6; // prefixes named before "... and N more"

std::string join(const std::vector<std::string>& items, std::size_t limit = SIZE_MAX)
{
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < limit; ++i)
        out += (i ? ", " : "") + items[i];
    if (items.size() > limit)
        out += ", ... (" + std::to_string(items.size() - limit) + " more)";
    return out;
}

std::string namePrefix(const IpPrefix& p, const HostModel& host)
{
    const std::string cidr = p.toString();
    const int width = p.network.isV6() ? 128 : 32;
    if (p.length == width) {
        if (const HostEndpoint* e = host.endpoint(p.network))
            return "container " + e->container + ' ' + p.network.toString()
                + (e->network.empty() ? "" : " on network " + e->network);
        for (const auto& i : host.interfaces())
            for (const auto& a : i.addresses)
                if (a.network == p.network)
                    return "host address " + p.network.toString() + " (" + i.name + ')';
        return p.network.toString();
    }
    for (const auto& i : host.interfaces())
        for (const auto& a : i.addresses)
            if (a.length == p.length && a.withLength(a.length) == p && i.bridge) {
                for (const auto& e : host.endpoints())
                    if (e.bridge == i.name && !e.network.empty())
                        return "docker network " + e.network + ' ' + cidr;
                return "bridge " + i.name + ' ' + cidr;
            }
    for (const auto& r : host.routes())
        if (r.destination == p && r.device.rfind("tailscale", 0) == 0)
            return "tailnet " + cidr;
    return cidr;
}

std::vector<std::string> names(const IntervalSet& set, Family family, const HostModel& host)
{
    std::vector<std::string> out;
    for (const IpPrefix& p : prefixesOf(set, family))
        out.push_back(namePrefix(p, host));
    return out;
}

// A set as a few prefixes with a few single-address holes: "172.17.0.0/16 except 172.17.0.1, 172.17.255.255"
// reads better than the sixteen prefixes that cover it exactly.
struct Shape {
    IntervalSet cover;
    IntervalSet holes;
    std::size_t cost = 0;
};

Shape shapeOf(const IntervalSet& set, Family family)
{
    constexpr U128 kSlack = 2;
    const U128 max = addressMax(family);
    std::vector<Interval> filled;
    for (const Interval& i : set.intervals()) {
        if (!filled.empty() && i.lo - filled.back().hi - 1 <= kSlack)
            filled.back().hi = i.hi;
        else
            filled.push_back(i);
    }
    std::vector<Interval> cover;
    for (const Interval& i : filled) {
        Interval best = i;
        std::size_t bestCount = prefixesOf(IntervalSet::range(i.lo, i.hi), family).size();
        for (U128 down = 0; down <= kSlack && down <= i.lo; ++down)
            for (U128 up = 0; up <= kSlack && i.hi + up <= max && i.hi + up >= i.hi; ++up) {
                const std::size_t n = prefixesOf(IntervalSet::range(i.lo - down, i.hi + up), family).size();
                if (n < bestCount) {
                    bestCount = n;
                    best = { i.lo - down, i.hi + up };
                }
            }
        cover.push_back(best);
    }
    Shape s;
    s.cover = IntervalSet::fromIntervals(std::move(cover));
    s.holes = s.cover.subtracted(set);
    s.cost = prefixesOf(s.cover, family).size() + prefixesOf(s.holes, family).size();
    return s;
}

std::string describeAddresses(const IntervalSet& set, Family family, const HostModel& host)
{
    const IntervalSet all = IntervalSet::range(0, addressMax(family));
    if (set == all)
        return "any";
    const Shape in = shapeOf(set, family);
    const Shape out = shapeOf(all.subtracted(set), family);
    const bool complement = out.cost < in.cost;
    const Shape& s = complement ? out : in;
    std::string text = (complement ? "any except " : "") + join(names(s.cover, family, host), kShown);
    if (!s.holes.empty())
        text += (complement ? ", but including " : " except ") + join(names(s.holes, family, host), kShown);
    return text;
}

std::string ranges(const IntervalSet& set)
{
    std::vector<std::string> items;
    for (const Interval& i : set.intervals())
        items.push_back(i.lo == i.hi
                ? std::to_string(static_cast<unsigned>(i.lo))
                : std::to_string(static_cast<unsigned>(i.lo)) + '-' + std::to_string(static_cast<unsigned>(i.hi)));
    return join(items, kShown * 2);
}

std::string describePorts(const IntervalSet& set)
{
    const IntervalSet all = IntervalSet::range(0, 65535);
    if (set == all)
        return "any";
    const IntervalSet rest = all.subtracted(set);
    if (rest.intervals().size() < set.intervals().size())
        return "any except " + ranges(rest);
    return ranges(set);
}

std::string describeProtocols(const IntervalSet& set)
{
    auto list = [](const IntervalSet& s) {
        std::vector<std::string> items;
        for (const Interval& i : s.intervals())
            for (U128 v = i.lo; v <= i.hi && items.size() < 40; ++v)
                items.push_back(protocolName(static_cast<std::uint8_t>(v)));
        return items;
    };
    const IntervalSet all = IntervalSet::range(1, 255);
    if (set == all)
        return "any protocol";
    const IntervalSet rest = all.subtracted(set);
    const auto in = list(set);
    const auto out = list(rest);
    if (out.size() < in.size())
        return "any protocol except " + join(out);
    return join(in, 8);
}

} // namespace

ClassText describeClass(const FlowDiff& diff, const FlowClass& c, const HostModel& before, const HostModel& after)
{
    ClassText t;
    std::size_t local = 0, others = 0, chosen = 0;
    for (const Interval& i : at(c.box, Dim::Ingress).intervals())
        for (U128 v = i.lo; v <= i.hi; ++v) {
            const Ingress& in = diff.ingress[static_cast<std::size_t>(v)];
            t.ingressNames.push_back(in.label);
            ++chosen;
            (in.localProcess ? local : others) += 1;
        }
    const std::size_t interfaces = diff.ingress.size() - 1;
    if (others == interfaces && local == 1)
        t.ingress = "any interface or local process";
    else if (others == interfaces)
        t.ingress = "any interface";
    else
        t.ingress = join(t.ingressNames);
    (void)chosen;
    t.protocol = describeProtocols(at(c.box, Dim::Proto));
    // Names come from the after host when it knows the address, else from the before host.
    const HostModel& host = after.interfaces().empty() ? before : after;
    t.src = describeAddresses(at(c.box, Dim::Src), c.family, host);
    t.dst = describeAddresses(at(c.box, Dim::Dst), c.family, host);
    for (const auto& p : prefixesOf(at(c.box, Dim::Src), c.family))
        t.srcCidrs.push_back(p.toString());
    for (const auto& p : prefixesOf(at(c.box, Dim::Dst), c.family))
        t.dstCidrs.push_back(p.toString());
    bool ports = false;
    for (std::uint8_t p : { Proto::Tcp, Proto::Udp, Proto::Sctp, std::uint8_t { 136 }, std::uint8_t { 33 } })
        ports = ports || at(c.box, Dim::Proto).contains(p);
    if (ports) {
        t.sport = describePorts(at(c.box, Dim::Sport));
        t.dport = describePorts(at(c.box, Dim::Dport));
    }
    return t;
}

std::string describeFate(const FlowSide& side)
{
    std::string out = fateName(side.fate);
    if (side.fate == Fate::Reject && !side.rejectWith.empty())
        out += " (" + side.rejectWith + ')';
    if (side.decidedByReply)
        out += " (the reply is stopped)";
    if (side.fate == Fate::Depends && !side.dependsOn.empty())
        out += " (on " + join(side.dependsOn) + ')';
    return out;
}

std::string describeRule(const FlowSide& side)
{
    if (side.deciding.empty())
        return "-";
    return (side.decidedByReply ? "reply " : "") + side.deciding.qualified();
}

} // namespace model::diff
