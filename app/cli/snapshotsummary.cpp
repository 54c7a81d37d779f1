#include "app/cli/snapshotsummary.h"

#include <map>
#include <sstream>

namespace cli {

using nlohmann::json;

namespace {

json rulesetSummary(const model::Ruleset& rs)
{
    static const char* const kFormats[] = { "iptables-save", "iptables -S", "iptables -L" };
    json j;
    j["backend"] = model::backendName(rs.backend);
    j["format"] = kFormats[static_cast<int>(rs.format)];
    j["rules"] = rs.ruleCount();
    j["tables"] = json::array();
    std::map<std::string, std::size_t> byProvenance;
    for (const auto& t : rs.tables) {
        std::size_t rules = 0;
        for (const auto& c : t.chains) {
            rules += c.rules.size();
            for (const auto& r : c.rules)
                ++byProvenance[model::provenanceName(r.provenance)];
        }
        j["tables"].push_back({ { "name", t.name.empty() ? std::string("(unnamed)") : t.name }, { "chains", t.chains.size() }, { "rules", rules } });
    }
    j["rulesByProvenance"] = byProvenance;
    j["truncatedAtLine"] = rs.truncatedAtLine ? json(*rs.truncatedAtLine) : json(nullptr);
    return j;
}

json networkSummary(const model::DockerNetwork& n)
{
    json subnets = json::array();
    for (const auto& s : n.subnets)
        subnets.push_back(s.subnet);
    json flags = json::array();
    const auto flag = [&](bool on, const char* name) {
        if (on)
            flags.push_back(name);
    };
    flag(n.internal, "internal");
    flag(!n.enableIPv4, "no-ipv4");
    flag(n.enableIPv6, "ipv6");
    flag(n.ingress, "ingress");
    flag(!n.icc, "no-icc");
    flag(!n.masquerade, "no-masquerade");
    if (!n.gatewayModeIPv4.empty())
        flags.push_back("gateway-mode-ipv4=" + n.gatewayModeIPv4);
    if (!n.gatewayModeIPv6.empty())
        flags.push_back("gateway-mode-ipv6=" + n.gatewayModeIPv6);
    if (!n.trustedHostInterfaces.empty())
        flags.push_back("trusted-host-interfaces=" + nlohmann::json(n.trustedHostInterfaces).dump());
    return { { "name", n.name }, { "driver", n.driver }, { "bridge", n.bridgeName }, { "subnets", subnets }, { "flags", flags },
        { "endpoints", n.endpoints.size() } };
}

json containerSummary(const model::DockerContainer& c)
{
    json addresses = json::array();
    for (const auto& [network, address] : c.networkAddresses)
        addresses.push_back(network + ' ' + address);
    for (const auto& [network, address] : c.networkAddressesV6)
        addresses.push_back(network + ' ' + address);
    json ports = json::array();
    for (const auto& p : c.ports)
        ports.push_back((p.hostIp.empty() ? std::string() : (p.hostIp.find(':') != std::string::npos ? '[' + p.hostIp + "]:" : p.hostIp + ':'))
            + std::to_string(p.hostPort) + "->" + std::to_string(p.containerPort) + '/' + p.protocol);
    return { { "name", c.name }, { "image", c.image }, { "running", c.running }, { "addresses", addresses }, { "ports", ports } };
}

json dockerSummary(const model::DockerState& d)
{
    json j;
    j["version"] = d.version ? json(*d.version) : json(nullptr);
    j["swarm"] = d.swarmNodeState ? json(*d.swarmNodeState) : json(nullptr);
    j["networks"] = json::array();
    for (const auto& n : d.networks.value_or(std::vector<model::DockerNetwork> {}))
        j["networks"].push_back(networkSummary(n));
    j["containers"] = json::array();
    for (const auto& c : d.containers.value_or(std::vector<model::DockerContainer> {}))
        j["containers"].push_back(containerSummary(c));
    json daemon = json::object();
    const auto option = [&](const char* name, const std::optional<bool>& value) {
        if (value)
            daemon[name] = *value;
    };
    option("iptables", d.daemon.iptables);
    option("ip6tables", d.daemon.ip6tables);
    option("userland-proxy", d.daemon.userlandProxy);
    option("allow-direct-routing", d.daemon.allowDirectRouting);
    option("ip-forward", d.daemon.ipForward);
    option("ip-forward-no-drop", d.daemon.ipForwardNoDrop);
    option("icc", d.daemon.icc);
    option("ipv6", d.daemon.ipv6);
    if (d.daemon.firewallBackend)
        daemon["firewall-backend"] = *d.daemon.firewallBackend;
    j["daemon"] = daemon;
    return j;
}

// Everything the snapshot does not know, in the words a user would look for.
json unknownParts(const model::Snapshot& s)
{
    json unknown = json::array();
    const auto missing = [&](bool isMissing, const char* what) {
        if (isMissing)
            unknown.push_back(what);
    };
    missing(!s.ipv4, "IPv4 ruleset (iptables)");
    missing(!s.ipv6, "IPv6 ruleset (ip6tables)");
    missing(!s.ipsets, "ipsets");
    missing(!s.interfaces, "interfaces and addresses");
    missing(!s.routes, "routes");
    missing(!s.resolv, "resolv.conf");
    missing(!s.docker, "Docker state");
    if (s.docker) {
        missing(!s.docker->version, "Docker version");
        missing(!s.docker->networks, "Docker networks");
        missing(!s.docker->containers, "Docker containers");
        missing(!s.source(model::SourceKind::DaemonJson), "Docker daemon options (daemon.json)");
    }
    for (const char* key : { "net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables" })
        if (!s.sysctl(key))
            unknown.push_back(std::string("sysctl ") + key);
    missing(!s.kernelRelease, "kernel release");
    missing(!s.iptablesVersion, "iptables version");
    return unknown;
}

} // namespace

json snapshotSummary(const model::Snapshot& s)
{
    json j;
    j["meta"] = { { "hostname", s.meta.hostname }, { "label", s.meta.label }, { "takenAt", s.meta.takenAt },
        { "takenFrom", s.meta.takenFrom }, { "chainsightVersion", s.meta.chainsightVersion }, { "predicted", s.meta.predicted } };
    j["ipv4"] = s.ipv4 ? rulesetSummary(*s.ipv4) : json(nullptr);
    j["ipv6"] = s.ipv6 ? rulesetSummary(*s.ipv6) : json(nullptr);
    j["docker"] = s.docker ? dockerSummary(*s.docker) : json(nullptr);
    j["ipsets"] = s.ipsets ? json(s.ipsets->size()) : json(nullptr);
    j["interfaces"] = s.interfaces ? json(s.interfaces->size()) : json(nullptr);
    j["routes"] = s.routes ? json(s.routes->size()) : json(nullptr);
    j["nameservers"] = s.resolv ? json(s.resolv->nameservers) : json(nullptr);
    j["sysctls"] = s.sysctls;
    j["unknown"] = unknownParts(s);
    json truncated = json::array();
    for (const auto& [name, rs] : { std::pair { "ipv4", s.ipv4 }, std::pair { "ipv6", s.ipv6 } })
        if (rs && rs->truncatedAtLine)
            truncated.push_back(std::string(name) + " ruleset truncated at line " + std::to_string(*rs->truncatedAtLine));
    j["truncated"] = truncated;
    j["notes"] = s.notes;
    j["sources"] = json::array();
    for (const auto& r : s.sources)
        j["sources"].push_back({ { "kind", r.kind }, { "origin", r.origin }, { "variant", r.variant }, { "absent", r.absent },
            { "bytes", r.text.size() }, { "sha256", r.sha256 } });
    return j;
}

} // namespace cli
