#include "model/predict/dockersetup.h"

#include "model/parse/iptables.h"

#include <algorithm>

namespace model::predict {

namespace {

ParseError setupError(std::string message)
{
    return ParseError { ErrorCode::JsonShape, 0, 0, std::move(message), "snapshot" };
}

std::string withoutPrefix(std::string_view cidr) { return std::string(cidr.substr(0, cidr.find('/'))); }

bool isDefaultBridge(const DockerNetwork& n)
{
    const auto it = n.options.find("com.docker.network.bridge.default_bridge");
    return (it != n.options.end() && it->second == "true") || n.name == "bridge";
}

NetworkSpec networkSpec(const DockerNetwork& n)
{
    NetworkSpec s;
    s.name = n.name;
    s.bridge = n.bridgeName;
    for (const auto& sub : n.subnets) {
        std::string& slot = sub.ipv6 ? s.subnet6 : s.subnet4;
        if (slot.empty())
            slot = sub.subnet;
    }
    if (!n.enableIPv4)
        s.subnet4.clear();
    if (!n.enableIPv6)
        s.subnet6.clear();
    s.isDefault = isDefaultBridge(n);
    s.internal = n.internal;
    s.icc = n.icc;
    s.masquerade = n.masquerade;
    if (!n.gatewayModeIPv4.empty())
        s.gatewayMode4 = n.gatewayModeIPv4;
    if (!n.gatewayModeIPv6.empty())
        s.gatewayMode6 = n.gatewayModeIPv6;
    s.trustedHostInterfaces = n.trustedHostInterfaces;
    s.hostBindingIPv4 = n.hostBindingIPv4 == "0.0.0.0" ? std::string() : n.hostBindingIPv4;
    for (const auto& e : n.endpoints)
        s.endpoints.push_back(EndpointSpec { e.containerName, e.ipv4, e.ipv6, {} });
    return s;
}

// "172.18.0.2:80" or "[fd00::2]:80"
bool splitDestination(std::string_view to, std::string& address, int& port)
{
    std::size_t colon = 0;
    if (!to.empty() && to.front() == '[') {
        const auto close = to.find(']');
        if (close == std::string_view::npos)
            return false;
        address = std::string(to.substr(1, close - 1));
        colon = close + 1;
    } else {
        colon = to.rfind(':');
        if (colon == std::string_view::npos)
            return false;
        address = std::string(to.substr(0, colon));
    }
    if (colon >= to.size() || to[colon] != ':')
        return false;
    try {
        port = std::stoi(std::string(to.substr(colon + 1)));
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

EndpointSpec* endpointByAddress(std::vector<NetworkSpec>& networks, const std::string& address)
{
    for (auto& n : networks)
        for (auto& e : n.endpoints)
            if (e.ipv4 == address || e.ipv6 == address)
                return &e;
    return nullptr;
}

// Docker writes "-A DOCKER [-d HOST] ! -i BRIDGE -p P -m P --dport HP -j DNAT --to-destination C:CP".
void portsFromDnatRules(const Ruleset& rules, std::vector<NetworkSpec>& networks)
{
    const Table* nat = rules.table("nat");
    const Chain* docker = nat ? nat->chain("DOCKER") : nullptr;
    if (!docker)
        return;
    for (const auto& r : docker->rules) {
        const Option* to = r.target.option("--to-destination");
        if (r.target.name != "DNAT" || !to || to->args.empty() || !r.protocol)
            continue;
        const Match* m = r.match(r.protocol->value);
        const Option* dport = m ? m->option("--dport") : nullptr;
        PortSpec p;
        std::string address;
        if (!dport || dport->args.empty() || !splitDestination(to->args[0], address, p.containerPort))
            continue;
        try {
            p.hostPort = std::stoi(dport->args[0]);
        } catch (const std::exception&) {
            continue;
        }
        p.protocol = r.protocol->value;
        if (r.destination && !r.destination->negated)
            p.hostIp = withoutPrefix(r.destination->value);
        if (p.hostIp == "0.0.0.0" || p.hostIp == "::")
            p.hostIp.clear();
        if (EndpointSpec* e = endpointByAddress(networks, address))
            e->ports.push_back(p);
    }
}

void portsFromContainers(const std::vector<DockerContainer>& containers, std::vector<NetworkSpec>& networks)
{
    for (const auto& c : containers) {
        const auto& addresses = c.networkAddresses.empty() ? c.networkAddressesV6 : c.networkAddresses;
        if (!c.running || addresses.empty())
            continue;
        // Ports are published on the container's first network (by name) that Docker reports an address for.
        EndpointSpec* e = endpointByAddress(networks, addresses.begin()->second);
        if (!e)
            continue;
        for (const auto& p : c.ports) {
            PortSpec spec { p.protocol, p.hostIp, p.hostPort, p.containerPort };
            const bool v6Host = spec.hostIp.find(':') != std::string::npos;
            if ((v6Host && e->ipv6.empty()) || spec.hostPort == 0)
                continue; // an IPv6 binding of an IPv4-only endpoint is served by the userland proxy
            if (spec.hostIp == "0.0.0.0" || spec.hostIp == "::")
                spec.hostIp = v6Host ? std::string("::") : std::string();
            e->ports.push_back(spec);
        }
    }
}

std::vector<std::string> chainSpecs(const Ruleset& rules, const char* table, const char* chain, bool& found)
{
    std::vector<std::string> out;
    const Table* t = rules.table(table);
    const Chain* c = t ? t->chain(chain) : nullptr;
    if (!c)
        return out;
    found = true;
    const std::string head = std::string("-A ") + chain + ' ';
    for (const auto& r : c->rules) {
        const std::string text = parse::ruleText(r, chain);
        out.push_back(text.starts_with(head) ? text.substr(head.size()) : text);
    }
    return out;
}

std::optional<IngressSpec> ingressFrom(const Ruleset& rules)
{
    bool found = false;
    IngressSpec spec { chainSpecs(rules, "filter", "DOCKER-INGRESS", found),
        chainSpecs(rules, "nat", "DOCKER-INGRESS", found) };
    return found ? std::optional<IngressSpec>(std::move(spec)) : std::nullopt;
}

const std::string& filterPolicy(const Ruleset* rules, const std::string& fallback)
{
    const Table* filter = rules ? rules->table("filter") : nullptr;
    const Chain* forward = filter ? filter->chain("FORWARD") : nullptr;
    return forward ? forward->policy : fallback;
}

void readForwarding(const Snapshot& s, DockerSetup& out)
{
    static const std::string accept = "ACCEPT";
    const bool anyV6Network = std::any_of(
        out.networks.begin(), out.networks.end(), [](const NetworkSpec& n) { return !n.subnet6.empty(); });
    if (out.sourceLine)
        out.ipv4ForwardingWasOn = filterPolicy(s.ipv4.get(), accept) == "ACCEPT";
    else
        out.ipv4ForwardingWasOn = s.sysctl("net.ipv4.ip_forward").value_or("0") == "1";
    if (out.sourceLine && *out.sourceLine != DockerLine::V27_5 && anyV6Network)
        out.ipv6ForwardingWasOn = filterPolicy(s.ipv6.get(), accept) == "ACCEPT";
    else
        out.ipv6ForwardingWasOn = !anyV6Network && s.sysctl("net.ipv6.conf.all.forwarding").value_or("0") == "1";
    if (out.sourceLine && !out.ipv4ForwardingWasOn)
        out.notes.push_back("IPv4 FORWARD policy DROP taken as Docker's: IP forwarding was off before dockerd");
}

} // namespace

std::optional<DockerLine> lineFromRules(const Ruleset& ipv4) noexcept
{
    const Table* filter = ipv4.table("filter");
    if (!filter)
        return std::nullopt;
    if (filter->chain("DOCKER-FORWARD")) {
        const Table* raw = ipv4.table("raw");
        const Chain* pre = raw ? raw->chain("PREROUTING") : nullptr;
        if (pre)
            for (const auto& r : pre->rules)
                if (r.provenance == Provenance::Docker && r.target.name == "DROP" && r.protocol
                    && !(r.destination && r.destination->value.starts_with("127.")))
                    return DockerLine::V28_0_1; // per-port direct-routing DROP: before 28.2
        return DockerLine::V28_2;
    }
    if (const Chain* forward = filter->chain("FORWARD"))
        for (const auto& r : forward->rules)
            if (const Match* set = r.match("set"); set && set->option("--match-set")
                && !set->option("--match-set")->args.empty()
                && set->option("--match-set")->args[0].starts_with("docker-ext-bridges"))
                return DockerLine::V28_0_0;
    if (filter->chain("DOCKER"))
        return DockerLine::V27_5;
    return std::nullopt;
}

Result<DockerSetup> dockerSetupFromSnapshot(const Snapshot& s) noexcept
{
    try {
        if (!s.ipv4)
            return setupError("the snapshot has no IPv4 ruleset (iptables-save)");
        if (!s.docker || !s.docker->networks)
            return setupError("the snapshot has no Docker networks (docker network inspect)");
        DockerSetup out;
        const DockerDaemonOptions& d = s.docker->daemon;
        out.daemon.iptables = d.iptables.value_or(true);
        out.daemon.ip6tables = d.ip6tables.value_or(true);
        out.daemon.userlandProxy = d.userlandProxy.value_or(true);
        out.daemon.allowDirectRouting = d.allowDirectRouting.value_or(false);
        out.daemon.ipForwardNoDrop = d.ipForwardNoDrop.value_or(false);
        if (d.rawJson.empty())
            out.notes.push_back("no daemon.json: Docker's default options assumed");
        std::vector<DockerNetwork> nets;
        for (const auto& n : *s.docker->networks) {
            if (n.driver == "bridge" && !n.bridgeName.empty())
                nets.push_back(n);
        }
        std::stable_sort(nets.begin(), nets.end(), [](const DockerNetwork& a, const DockerNetwork& b) {
            if (isDefaultBridge(a) != isDefaultBridge(b))
                return isDefaultBridge(a);
            return a.created < b.created;
        });
        for (const auto& n : nets)
            out.networks.push_back(networkSpec(n));
        if (s.docker->containers) {
            portsFromContainers(*s.docker->containers, out.networks);
        } else {
            portsFromDnatRules(*s.ipv4, out.networks);
            if (s.ipv6)
                portsFromDnatRules(*s.ipv6, out.networks);
            out.notes.push_back("no docker inspect: published ports read from Docker's DNAT rules");
        }
        if (s.docker->version)
            if (auto r = parseDockerRelease(*s.docker->version))
                out.sourceLine = r->line;
        if (!out.sourceLine)
            out.sourceLine = lineFromRules(*s.ipv4);
        out.ingress = ingressFrom(*s.ipv4);
        if (out.ingress)
            out.notes.push_back("Swarm ingress: the DOCKER-INGRESS rules are carried over from the snapshot");
        readForwarding(s, out);
        return out;
    } catch (const std::exception& e) {
        return setupError(e.what());
    }
}

} // namespace model::predict
