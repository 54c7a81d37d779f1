#include "model/findings/flowcatalogue.h"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace model::findings {

using namespace model::engine;

namespace {

constexpr std::uint16_t kClientPort = 40000;

struct ContainerEndpoint {
    std::string name;
    std::string network;
    std::string bridge;
    std::string bridgeSubnet;
    bool defaultBridge = false;
    IpAddress address;
    std::vector<PublishedPort> ports;
};

struct Peer {
    std::string iface;
    IpPrefix subnet;
    IpAddress address;
    std::string name; // tailnet, LAN, Internet, ...
    bool internet = false;
};

std::string peerNameFor(const std::string& iface)
{
    if (iface.rfind("tailscale", 0) == 0)
        return "tailnet";
    if (iface.rfind("wg", 0) == 0)
        return "WireGuard peer";
    if (iface.rfind("flannel", 0) == 0 || iface.rfind("cni", 0) == 0)
        return "cluster peer";
    return "LAN";
}

// Published ports from the nat table's DNAT rules when docker inspect was not captured.
std::vector<PublishedPort> portsFromNat(const Ruleset* rules, const std::string& address)
{
    std::vector<PublishedPort> out;
    const Table* nat = rules ? rules->table("nat") : nullptr;
    const Chain* docker = nat ? nat->chain("DOCKER") : nullptr;
    if (!docker)
        return out;
    for (const Rule& r : docker->rules) {
        const Option* to = r.target.name == "DNAT" ? r.target.option("--to-destination") : nullptr;
        if (!to || to->args.empty() || to->args[0].rfind(address + ":", 0) != 0 || !r.protocol)
            continue;
        const Match* m = r.match(r.protocol->value);
        const Option* dport = m ? m->option("--dport") : nullptr;
        if (!dport || dport->args.empty())
            continue;
        PublishedPort p;
        p.protocol = r.protocol->value;
        p.hostPort = std::atoi(dport->args[0].c_str());
        p.containerPort = std::atoi(to->args[0].substr(address.size() + 1).c_str());
        out.push_back(p);
    }
    return out;
}

const DockerContainer* inspectedContainer(const Snapshot& s, const DockerEndpoint& e)
{
    if (!s.docker->containers)
        return nullptr;
    for (const auto& dc : *s.docker->containers)
        if (dc.name == e.containerName || (!e.containerId.empty() && dc.id == e.containerId))
            return &dc;
    return nullptr;
}

std::vector<ContainerEndpoint> containerEndpoints(const Snapshot& s)
{
    std::vector<ContainerEndpoint> out;
    if (!s.docker || !s.docker->networks)
        return out;
    for (const DockerNetwork& n : *s.docker->networks) {
        if (n.driver != "bridge" || n.bridgeName.empty())
            continue;
        std::string subnet;
        for (const auto& sn : n.subnets)
            if (!sn.ipv6 && subnet.empty())
                subnet = sn.subnet;
        for (const DockerEndpoint& e : n.endpoints) {
            auto address = IpAddress::parse(e.ipv4);
            if (!address)
                continue;
            const DockerContainer* inspected = inspectedContainer(s, e);
            if (inspected && !inspected->running)
                continue;
            ContainerEndpoint c { e.containerName, n.name, n.bridgeName, subnet,
                n.bridgeName == "docker0" || n.name == "bridge", *address, {} };
            c.ports = inspected ? inspected->ports : portsFromNat(s.ipv4.get(), e.ipv4);
            out.push_back(std::move(c));
        }
    }
    return out;
}

bool isDockerInterface(const Snapshot& s, const HostInterface& i)
{
    if (i.name == "lo" || !i.master.empty() || i.name.rfind("veth", 0) == 0 || i.name == "docker0"
        || i.name.rfind("br-", 0) == 0 || i.name == "docker_gwbridge")
        return true;
    return s.docker && s.docker->networkByBridge(i.name) != nullptr;
}

// A stand-in address for the peers on a prefix: the 50th host, or the first candidate that is not the host's own.
std::optional<IpAddress> peerAddress(const IpPrefix& prefix, const HostModel& host)
{
    if (prefix.length < 0 || prefix.length > 29 || prefix.network.isV6())
        return std::nullopt;
    for (std::uint32_t offset : { 50u, 20u, 2u }) {
        const IpAddress a = IpAddress::fromV4(prefix.network.v4() + offset);
        if (prefix.contains(a) && !host.isLocal(a))
            return a;
    }
    return std::nullopt;
}

std::vector<Peer> peers(const Snapshot& s, const HostModel& host)
{
    std::vector<Peer> out;
    std::set<std::string> seen;
    auto add = [&](const std::string& iface, const IpPrefix& prefix) {
        auto address = peerAddress(prefix, host);
        if (address && seen.insert(iface + prefix.toString()).second)
            out.push_back(Peer { iface, prefix, *address, peerNameFor(iface), false });
    };
    for (const HostInterface& i : host.interfaces()) {
        if (isDockerInterface(s, i))
            continue;
        for (const IpPrefix& a : i.addresses)
            if (!a.network.isV6() && a.length >= 0 && a.length < 32)
                add(i.name, a.withLength(a.length));
        for (const HostRoute& r : host.routes())
            if (r.device == i.name && r.type == "unicast" && !r.gateway && r.destination.length > 0)
                add(i.name, r.destination);
    }
    for (const HostRoute& r : host.routes())
        if (r.destination.length == 0 && !r.destination.network.isV6() && !r.device.empty()) {
            out.push_back(
                Peer { r.device, r.destination, IpAddress::fromV4(0xcb007107u), "Internet", true }); // 203.0.113.7
            break;
        }
    return out;
}

Packet packetFor(const std::string& in, IpAddress src, IpAddress dst, std::uint8_t proto, std::uint16_t dport)
{
    Packet p;
    p.family = Family::IPv4;
    p.inInterface = in;
    p.fromLocalProcess = in.empty();
    p.header.src = src;
    p.header.dst = dst;
    p.header.protocol = proto;
    p.header.sport = kClientPort;
    p.header.dport = dport;
    p.header.tcpFlags = proto == Proto::Tcp ? TcpFlag::Syn : 0;
    return p;
}

std::string portText(int port, const std::string& proto) { return std::to_string(port) + "/" + proto; }

void directFlows(const Peer& peer, const ContainerEndpoint& c, std::vector<FlowProbe>& out)
{
    std::vector<std::pair<int, std::string>> ports;
    for (const auto& p : c.ports)
        if (std::find(ports.begin(), ports.end(), std::pair { p.containerPort, p.protocol }) == ports.end())
            ports.emplace_back(p.containerPort, p.protocol);
    const std::size_t published = ports.size();
    for (int candidate : { 22, 2222, 10022 })
        if (std::find(ports.begin(), ports.end(), std::pair { candidate, std::string("tcp") }) == ports.end()) {
            ports.emplace_back(candidate, "tcp");
            break;
        }
    for (std::size_t i = 0; i < ports.size(); ++i) {
        const auto& [port, proto] = ports[i];
        FlowProbe f;
        f.kind = FlowKind::DirectToContainer;
        f.publishedPort = i < published;
        f.label = peer.name + " " + peer.address.toString() + " on " + peer.iface + " -> container " + c.name + " "
            + c.address.toString() + ":" + portText(port, proto) + " on " + c.network
            + (f.publishedPort ? " (published port, routed directly)" : " (not published)");
        f.packet = packetFor(peer.iface, peer.address, c.address, protocolFromName(proto).value_or(Proto::Tcp),
            static_cast<std::uint16_t>(port));
        out.push_back(std::move(f));
    }
}

void publishedFlows(const Peer& peer, const ContainerEndpoint& c, const HostModel& host, std::vector<FlowProbe>& out)
{
    auto hostAddress = host.primaryAddress(peer.iface, Family::IPv4);
    if (!hostAddress)
        return;
    for (const auto& p : c.ports) {
        if (p.hostIp == "::" || (!p.hostIp.empty() && p.hostIp != "0.0.0.0" && p.hostIp != hostAddress->toString()))
            continue;
        FlowProbe f;
        f.kind = FlowKind::PublishedPort;
        f.publishedPort = true;
        f.label = peer.name + " " + peer.address.toString() + " on " + peer.iface + " -> " + hostAddress->toString()
            + ":" + portText(p.hostPort, p.protocol) + " (published port of " + c.name + " on " + c.network + ")";
        f.packet = packetFor(peer.iface, peer.address, *hostAddress, protocolFromName(p.protocol).value_or(Proto::Tcp),
            static_cast<std::uint16_t>(p.hostPort));
        out.push_back(std::move(f));
    }
}

void egressFlows(const Peer& peer, const ContainerEndpoint& c, std::vector<FlowProbe>& out)
{
    FlowProbe f;
    f.kind = peer.internet ? FlowKind::ContainerEgress : FlowKind::ContainerToPeer;
    const IpAddress dst = peer.internet ? IpAddress::fromV4(0x01010101u) : peer.address; // 1.1.1.1
    f.label = "container " + c.name + " " + c.address.toString() + " on " + c.network + " -> " + peer.name + " "
        + dst.toString() + ":443/tcp" + (peer.internet ? " via " : " on ") + peer.iface;
    f.packet = packetFor(c.bridge, c.address, dst, Proto::Tcp, 443);
    out.push_back(std::move(f));
}

std::vector<std::string> nameserversFor(const Snapshot& s, const ContainerEndpoint& c)
{
    std::vector<std::string> servers;
    for (const auto& ns : s.resolv->nameservers) {
        auto a = IpAddress::parse(ns);
        if (!a || a->isV6())
            continue;
        // The default bridge cannot use a loopback resolver: Docker gives its containers Google's instead.
        servers.push_back((a->v4() >> 24) == 127 && c.defaultBridge ? std::string("8.8.8.8") : ns);
    }
    std::sort(servers.begin(), servers.end());
    servers.erase(std::unique(servers.begin(), servers.end()), servers.end());
    return servers;
}

void dnsFlows(const Snapshot& s, const HostModel& host, const ContainerEndpoint& c, std::optional<int> major,
    std::vector<FlowProbe>& out)
{
    if (!s.resolv)
        return;
    for (const auto& ns : nameserversFor(s, c)) {
        const IpAddress dst = *IpAddress::parse(ns);
        const bool loopback = (dst.v4() >> 24) == 127;
        // Since 28.0 the embedded resolver of user-defined networks forwards from the host's namespace.
        const bool hostNamespace = !c.defaultBridge && (loopback || major.value_or(28) >= 28);
        FlowProbe f;
        f.kind = FlowKind::Dns;
        f.nameserver = ns;
        if (hostNamespace) {
            const RouteDecision route = host.route(dst);
            IpAddress src = route.source.value_or(IpAddress::fromV4(0x7f000001u));
            if (!route.source)
                if (auto primary = host.primaryAddress(route.device, Family::IPv4))
                    src = *primary;
            f.packet = packetFor({}, src, dst, Proto::Udp, 53);
            f.label = "DNS of network " + c.network + ": Docker's embedded resolver, from the host " + src.toString()
                + " -> nameserver " + ns + ":53/udp";
        } else {
            f.packet = packetFor(c.bridge, c.address, dst, Proto::Udp, 53);
            f.label = "DNS of network " + c.network + ": container " + c.name + " " + c.address.toString()
                + " -> nameserver " + ns + ":53/udp";
        }
        out.push_back(std::move(f));
    }
}

void namePeer(FlowProbe& f, const ContainerEndpoint& c, const std::vector<Peer>& allPeers)
{
    f.network = c.network;
    f.bridge = c.bridge;
    f.bridgeSubnet = c.bridgeSubnet;
    f.container = c.name;
    for (const Peer& peer : allPeers) {
        const bool fromPeer = f.packet.inInterface == peer.iface && peer.subnet.contains(f.packet.header.src);
        const bool toPeer = f.packet.inInterface == c.bridge && peer.subnet.contains(f.packet.header.dst)
            && (!peer.internet || f.kind == FlowKind::ContainerEgress);
        if (fromPeer || toPeer) {
            f.peerInterface = peer.iface;
            f.peerSubnet = peer.subnet.toString();
            f.peerName = peer.name;
            return;
        }
    }
}

} // namespace

std::vector<FlowProbe> catalogueFlows(const Snapshot& snapshot, const HostModel& host, std::optional<int> dockerMajor)
{
    std::vector<FlowProbe> out;
    const std::vector<ContainerEndpoint> containers = containerEndpoints(snapshot);
    const std::vector<Peer> allPeers = peers(snapshot, host);
    std::set<std::string> dnsDone;
    for (const ContainerEndpoint& c : containers) {
        const std::size_t first = out.size();
        for (const Peer& peer : allPeers) {
            if (!peer.internet)
                directFlows(peer, c, out);
            publishedFlows(peer, c, host, out);
            egressFlows(peer, c, out);
        }
        if (dnsDone.insert(c.network).second)
            dnsFlows(snapshot, host, c, dockerMajor, out);
        for (std::size_t i = first; i < out.size(); ++i)
            namePeer(out[i], c, allPeers);
    }
    return out;
}

} // namespace model::findings
