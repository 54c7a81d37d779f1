// Building a HostModel: captured snapshot facts first, then what the rules imply.
#include "model/engine/hostmodel.h"

#include <algorithm>

namespace model::engine {

namespace {

std::optional<IpPrefix> interfaceAddress(const InterfaceAddress& a)
{
    auto addr = IpAddress::parse(a.address);
    if (!addr)
        return std::nullopt;
    IpPrefix p = IpPrefix::host(*addr);
    p.length = a.prefixLength;
    p.mask = p.withLength(a.prefixLength).mask;
    return p; // network keeps the host bits: it is the interface's own address
}

std::optional<HostRoute> capturedRoute(const Route& r)
{
    HostRoute out;
    const bool v6 = r.ipv6 || r.destination.find(':') != std::string::npos;
    const std::string dest = r.destination == "default" ? (v6 ? "::/0" : "0.0.0.0/0") : r.destination;
    auto prefix = IpPrefix::parse(dest);
    if (!prefix)
        return std::nullopt;
    out.destination = *prefix;
    out.device = r.device;
    if (!r.gateway.empty())
        out.gateway = IpAddress::parse(r.gateway);
    if (!r.preferredSource.empty())
        out.preferredSource = IpAddress::parse(r.preferredSource);
    out.type = r.type.empty() ? std::string("unicast") : r.type;
    if (r.table == "local" && r.type.empty())
        out.type = "local";
    out.metric = r.metric;
    out.origin = "captured";
    return out;
}

void addDocker(HostModel& host, const DockerState& docker, bool interfacesCaptured)
{
    if (!docker.networks)
        return;
    for (const auto& net : *docker.networks) {
        if (net.driver != "bridge" || net.bridgeName.empty())
            continue;
        HostInterface bridge;
        bridge.name = net.bridgeName;
        bridge.bridge = true;
        for (const auto& s : net.subnets) {
            auto subnet = IpPrefix::parse(s.subnet);
            auto gw = IpAddress::parse(s.gateway);
            if (!subnet || !gw || interfacesCaptured)
                continue;
            IpPrefix a = IpPrefix::host(*gw);
            a.length = subnet->length;
            a.mask = subnet->mask;
            bridge.addresses.push_back(a);
        }
        host.addInterface(std::move(bridge));
        for (const auto& e : net.endpoints) {
            for (const auto* text : { &e.ipv4, &e.ipv6 }) {
                auto prefix = IpPrefix::parse(*text);
                if (prefix)
                    host.addEndpoint(HostEndpoint { prefix->network, e.containerName, net.name, net.bridgeName });
            }
        }
    }
}

} // namespace

HostModel HostModel::fromSnapshot(const Snapshot& snapshot)
{
    HostModel host;
    host.m_routesCaptured = snapshot.routes.has_value();
    if (snapshot.interfaces) {
        host.m_interfacesCaptured = true;
        for (const auto& i : *snapshot.interfaces) {
            HostInterface hi;
            hi.name = i.name;
            hi.master = i.master;
            hi.bridge = i.linkType == "bridge"
                || std::find(i.flags.begin(), i.flags.end(), "BRIDGE") != i.flags.end();
            for (const auto& a : i.addresses)
                if (auto p = interfaceAddress(a))
                    hi.addresses.push_back(*p);
            host.addInterface(std::move(hi));
        }
    }
    if (snapshot.routes) {
        for (const auto& r : *snapshot.routes)
            if (auto hr = capturedRoute(r))
                host.addRoute(std::move(*hr));
    }
    if (snapshot.docker)
        addDocker(host, *snapshot.docker, host.m_interfacesCaptured);
    if (snapshot.ipsets) {
        host.m_ipsetsCaptured = true;
        host.m_ipsets = *snapshot.ipsets;
    }
    host.m_sysctls = snapshot.sysctls;
    for (const auto* rs : { snapshot.ipv4.get(), snapshot.ipv6.get() })
        if (rs)
            host.inferFromRuleset(*rs);
    return host;
}

void HostModel::inferFromRuleset(const Ruleset& ruleset)
{
    // Docker writes "-s <subnet> ! -o <bridge> -j MASQUERADE" per network: the bridge and its subnet.
    if (const Table* nat = ruleset.table("nat"); nat && !m_interfacesCaptured) {
        for (const auto& chain : nat->chains) {
            for (const auto& rule : chain.rules) {
                if (rule.target.name != "MASQUERADE" || !rule.source || rule.source->negated || !rule.outInterface
                    || !rule.outInterface->negated || interface(rule.outInterface->value))
                    continue;
                auto subnet = IpPrefix::parse(rule.source->value);
                if (!subnet || subnet->length <= 0 || subnet->length >= (subnet->network.isV6() ? 127 : 31))
                    continue;
                IpAddress gw = subnet->network;
                gw.lo += 1;
                IpPrefix a = IpPrefix::host(gw);
                a.length = subnet->length;
                a.mask = subnet->mask;
                addInterface(HostInterface { rule.outInterface->value, { a }, true, {} });
                m_assumptions.push_back("bridge " + rule.outInterface->value + " with " + subnet->toString()
                    + " and local address " + gw.toString() + " inferred from its MASQUERADE rule");
            }
        }
    }
    inferDefaultRoute(ruleset.family);
}

void HostModel::inferDefaultRoute(Family family)
{
    if (m_routesCaptured)
        return;
    const bool hasDefault = std::any_of(m_routes.begin(), m_routes.end(), [&](const HostRoute& r) {
        return r.destination.network.family == family && r.destination.length == 0;
    });
    if (hasDefault)
        return;
    std::string uplink = "eth0";
    for (const auto& i : m_interfaces) {
        const bool hasFamily = std::any_of(i.addresses.begin(), i.addresses.end(),
            [&](const IpPrefix& p) { return p.network.family == family; });
        if (hasFamily && !i.bridge && i.master.empty() && i.name != "lo" && i.name.rfind("veth", 0) != 0
            && i.name.rfind("tailscale", 0) != 0) {
            uplink = i.name;
            break;
        }
    }
    HostRoute r;
    r.destination = *IpPrefix::parse(family == Family::IPv4 ? "0.0.0.0/0" : "::/0");
    r.device = uplink;
    r.origin = "assumed default route: routes not captured";
    addRoute(std::move(r));
    m_assumptions.push_back(std::string("routes not captured: assumed a default route (") + familyName(family)
        + ") out of " + uplink);
}

} // namespace model::engine
