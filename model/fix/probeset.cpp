#include "model/fix/probeset.h"

#include "model/engine/engine.h"

#include <algorithm>
#include <map>
#include <set>

namespace model::fix {

namespace {

using engine::IpAddress;
using engine::IpPrefix;
using engine::Packet;

constexpr std::uint16_t kProbeSourcePort = 40000;
const char* const kElsewhereV4 = "198.51.100.7"; // TEST-NET-2: a host somewhere on the Internet

struct Facts {
    std::set<std::string> ingresses; // interface names
    std::map<std::string, std::vector<IpPrefix>> bridgeSubnets; // Docker bridge -> its subnets
    std::set<IpAddress> local;
    std::set<IpAddress> addresses; // every candidate, local ones included
    std::set<std::uint16_t> ports;
};

bool usable(const IpAddress& a)
{
    if (a.isV6())
        return !(a.hi == 0 && a.lo == 1) && (a.hi >> 54) != 0x3fa; // ::1, fe80::/10
    return (a.v4() >> 24) != 127 && a.v4() != 0;
}

void addAddress(Facts& f, std::string_view text)
{
    if (auto a = IpAddress::parse(text.substr(0, text.find('/'))); a && usable(*a))
        f.addresses.insert(*a);
}

// A representative address of a prefix: itself for a host prefix, else the first address after the network.
void addPrefix(Facts& f, const std::string& text)
{
    const auto p = IpPrefix::parse(text);
    if (!p || p->length == 0)
        return;
    IpAddress a = p->network;
    const int hostBits = (a.isV6() ? 128 : 32) - p->length;
    if (hostBits > 0 && p->length > 0)
        a.lo += 1;
    if (usable(a))
        f.addresses.insert(a);
}

void addPorts(Facts& f, const std::string& text)
{
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t end = std::min(text.find_first_of(",:", pos), text.size());
        const std::string part = text.substr(pos, end - pos);
        if (!part.empty() && part.size() <= 5
            && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            const int n = std::stoi(part);
            if (n > 0 && n < 65536)
                f.ports.insert(static_cast<std::uint16_t>(n));
        }
        if (end < text.size() && text[end] == ':') // a range: its first port is enough
            break;
        pos = end + 1;
    }
}

void addRuleFacts(Facts& f, const Ruleset& rs)
{
    for (const Table& t : rs.tables)
        for (const Chain& c : t.chains)
            for (const Rule& r : c.rules) {
                for (const auto* m : { &r.source, &r.destination })
                    if (*m)
                        addPrefix(f, (*m)->value);
                for (const auto* m : { &r.inInterface, &r.outInterface })
                    if (*m && (*m)->value.find('+') == std::string::npos)
                        f.ingresses.insert((*m)->value);
                for (const Match& match : r.matches)
                    for (const Option& o : match.options)
                        if ((o.name == "--dport" || o.name == "--dports" || o.name == "--destination-port"
                                || o.name == "--destination-ports")
                            && !o.args.empty())
                            addPorts(f, o.args.front());
                if (const Option* to = r.target.option("--to-destination"); to && !to->args.empty()) {
                    const std::string& d = to->args.front();
                    const auto colon = d.rfind(':');
                    addAddress(f, d.substr(0, colon));
                    if (colon != std::string::npos)
                        addPorts(f, d.substr(colon + 1));
                }
            }
}

void addDockerFacts(Facts& f, const DockerState& d)
{
    for (const DockerNetwork& n : d.networks.value_or(std::vector<DockerNetwork> {})) {
        if (n.bridgeName.empty())
            continue;
        f.ingresses.insert(n.bridgeName);
        auto& subnets = f.bridgeSubnets[n.bridgeName];
        for (const DockerSubnet& s : n.subnets) {
            const auto p = IpPrefix::parse(s.subnet);
            if (!p)
                continue;
            subnets.push_back(*p);
            addAddress(f, s.gateway);
            if (n.endpoints.empty() && !p->network.isV6()) { // an address a future container would get
                IpAddress a = p->network;
                a.lo += 2;
                f.addresses.insert(a);
            }
        }
        for (const DockerEndpoint& e : n.endpoints) {
            addAddress(f, e.ipv4);
            addAddress(f, e.ipv6);
        }
    }
    for (const DockerContainer& c : d.containers.value_or(std::vector<DockerContainer> {}))
        for (const PublishedPort& p : c.ports)
            for (const int port : { p.hostPort, p.containerPort })
                if (port > 0 && port < 65536)
                    f.ports.insert(static_cast<std::uint16_t>(port));
}

void addSnapshotFacts(Facts& f, const Snapshot& s)
{
    for (const Interface& i : s.interfaces.value_or(std::vector<Interface> {})) {
        if (i.linkType == "loopback" || i.name == "lo")
            continue;
        if (i.master.empty())
            f.ingresses.insert(i.name);
        for (const InterfaceAddress& a : i.addresses)
            if (auto ip = IpAddress::parse(a.address); ip && usable(*ip) && a.scope != "link") {
                f.local.insert(*ip);
                f.addresses.insert(*ip);
                addPrefix(f, a.address + '/' + std::to_string(a.prefixLength)); // a neighbour on that link
            }
    }
    for (const Route& r : s.routes.value_or(std::vector<Route> {}))
        if (r.destination != "default" && r.type != "local" && r.type != "broadcast")
            addPrefix(f, r.destination);
    if (s.docker)
        addDockerFacts(f, *s.docker);
    for (const RulesetPtr& rs : { s.ipv4, s.ipv6 })
        if (rs)
            addRuleFacts(f, *rs);
}

std::vector<IpAddress> sourcesFor(const Facts& f, const std::string& ingress)
{
    std::vector<IpAddress> out;
    const auto bridge = f.bridgeSubnets.find(ingress);
    for (const IpAddress& a : f.addresses) {
        if (f.local.count(a))
            continue;
        bool inDocker = false;
        bool inThisBridge = false;
        for (const auto& [name, subnets] : f.bridgeSubnets)
            for (const IpPrefix& p : subnets)
                if (p.contains(a)) {
                    inDocker = true;
                    inThisBridge = inThisBridge || name == ingress;
                }
        if (bridge != f.bridgeSubnets.end() ? inThisBridge : !inDocker)
            out.push_back(a);
    }
    return out;
}

void addProbes(
    std::vector<Packet>& out, const Facts& f, const std::string& ingress, const std::vector<IpAddress>& sources)
{
    for (const IpAddress& src : sources)
        for (const IpAddress& dst : f.addresses) {
            if (dst == src || dst.family != src.family)
                continue;
            Packet p;
            p.family = src.family;
            p.inInterface = ingress;
            p.fromLocalProcess = ingress.empty();
            p.header.src = src;
            p.header.dst = dst;
            p.header.sport = kProbeSourcePort;
            for (const std::uint8_t proto : { engine::Proto::Tcp, engine::Proto::Udp })
                for (const std::uint16_t port : f.ports) {
                    p.header.protocol = proto;
                    p.header.dport = port;
                    p.header.tcpFlags = proto == engine::Proto::Tcp ? engine::TcpFlag::Syn : 0;
                    out.push_back(p);
                }
            p.header.protocol = src.isV6() ? engine::Proto::Icmpv6 : engine::Proto::Icmp;
            p.header.sport = 0;
            p.header.dport = 0;
            p.header.tcpFlags = 0;
            p.header.icmpType = src.isV6() ? 128 : 8;
            out.push_back(p);
        }
}

} // namespace

std::vector<Packet> probePackets(const std::vector<const Snapshot*>& snapshots, const std::vector<Packet>& extra)
{
    Facts f;
    f.addresses.insert(*IpAddress::parse(kElsewhereV4));
    for (const Snapshot* s : snapshots)
        addSnapshotFacts(f, *s);
    for (const Packet& p : extra) {
        if (!p.fromLocalProcess && !p.inInterface.empty())
            f.ingresses.insert(p.inInterface);
        for (const IpAddress& a : { p.header.src, p.header.dst })
            if (usable(a))
                f.addresses.insert(a);
        if (p.header.dport != 0)
            f.ports.insert(p.header.dport);
    }
    std::vector<Packet> out;
    for (const std::string& ingress : f.ingresses)
        addProbes(out, f, ingress, sourcesFor(f, ingress));
    addProbes(out, f, std::string(), std::vector<IpAddress>(f.local.begin(), f.local.end()));
    // The extra packets themselves, exactly as given, when the grid does not hold them already.
    for (const Packet& p : extra)
        if (std::none_of(out.begin(), out.end(), [&](const Packet& q) { return q.describe() == p.describe(); }))
            out.push_back(p);
    return out;
}

FlowVerdict verdictOf(const engine::FlowResult& result)
{
    return FlowVerdict { result.fate, result.qualifiedDeciding() };
}

FlowDiff probeDiff(const Snapshot& from, const Snapshot& to, const std::vector<Packet>& extra)
{
    const auto a = engine::Engine::fromSnapshot(from);
    const auto b = engine::Engine::fromSnapshot(to);
    FlowDiff diff;
    for (const Packet& p : probePackets({ &from, &to }, extra)) {
        ++diff.compared;
        const FlowVerdict va = verdictOf(a->traceFlow(p));
        const FlowVerdict vb = verdictOf(b->traceFlow(p));
        if (va.fate != vb.fate)
            diff.changes.push_back(FlowChange { p.describe(), p, va, vb });
    }
    return diff;
}

FlowDiffFunction probeDiffWith(std::vector<Packet> extra)
{
    return [extra = std::move(extra)](const Snapshot& from, const Snapshot& to) { return probeDiff(from, to, extra); };
}

} // namespace model::fix
