#include "model/parse/docker.h"

#include "model/parse/jsonreader.h"

namespace model::parse {

using detail::JsonView;

namespace {

constexpr std::string_view kBridgeOption = "com.docker.network.bridge.";

bool optionFlag(const std::map<std::string, std::string>& options, const std::string& key, bool fallback)
{
    const auto it = options.find(key);
    if (it == options.end() || it->second.empty())
        return fallback;
    return it->second == "true" || it->second == "1";
}

std::string optionValue(const std::map<std::string, std::string>& options, const std::string& key)
{
    const auto it = options.find(key);
    return it == options.end() ? std::string() : it->second;
}

std::vector<std::string> splitList(const std::string& value, char separator)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto end = std::min(value.find(separator, start), value.size());
        if (end > start)
            out.push_back(value.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// "172.18.0.2/16" -> "172.18.0.2"
std::string withoutPrefix(const std::string& cidr)
{
    return cidr.substr(0, cidr.find('/'));
}

DockerEndpoint readEndpoint(const std::string& id, const JsonView& e)
{
    e.requireObject("an object");
    DockerEndpoint endpoint;
    endpoint.containerId = id;
    endpoint.containerName = e["Name"].string();
    endpoint.ipv4 = withoutPrefix(e["IPv4Address"].string());
    endpoint.ipv6 = withoutPrefix(e["IPv6Address"].string());
    endpoint.mac = e["MacAddress"].string();
    return endpoint;
}

DockerNetwork readNetwork(const JsonView& n)
{
    n.requireObject("an object (one network)");
    DockerNetwork net;
    net.id = n["Id"].string();
    net.name = n["Name"].string();
    net.driver = n["Driver"].string();
    net.scope = n["Scope"].string();
    net.created = n["Created"].string();
    net.internal = n["Internal"].boolean(false);
    net.enableIPv4 = n["EnableIPv4"].boolean(true); // absent before Docker 28: IPv4 was always on
    net.enableIPv6 = n["EnableIPv6"].boolean(false);
    net.ingress = n["Ingress"].boolean(false);
    for (const auto& c : n["IPAM"]["Config"].elements()) {
        c.requireObject("an object (one IPAM config)");
        DockerSubnet subnet;
        subnet.subnet = c["Subnet"].string();
        subnet.gateway = c["Gateway"].string();
        subnet.ipv6 = subnet.subnet.find(':') != std::string::npos;
        if (!subnet.subnet.empty())
            net.subnets.push_back(std::move(subnet));
    }
    net.options = n["Options"].stringMap();
    net.labels = n["Labels"].stringMap();
    const std::string prefix(kBridgeOption);
    net.icc = optionFlag(net.options, prefix + "enable_icc", true);
    net.masquerade = optionFlag(net.options, prefix + "enable_ip_masquerade", true);
    net.gatewayModeIPv4 = optionValue(net.options, prefix + "gateway_mode_ipv4");
    net.gatewayModeIPv6 = optionValue(net.options, prefix + "gateway_mode_ipv6");
    net.trustedHostInterfaces = splitList(optionValue(net.options, prefix + "trusted_host_interfaces"), ':');
    net.hostBindingIPv4 = optionValue(net.options, prefix + "host_binding_ipv4");
    for (const auto& [id, e] : n["Containers"].members())
        net.endpoints.push_back(readEndpoint(id, e));
    net.bridgeName = dockerBridgeName(net);
    return net;
}

// "80/tcp" -> {80, "tcp"}
std::pair<int, std::string> containerPortKey(const std::string& key)
{
    const auto slash = key.find('/');
    const std::string number = key.substr(0, slash);
    const std::string protocol = slash == std::string::npos ? std::string("tcp") : key.substr(slash + 1);
    int port = 0;
    for (char c : number) {
        if (c < '0' || c > '9' || port > 65535)
            return { 0, protocol };
        port = port * 10 + (c - '0');
    }
    return { port, protocol };
}

std::vector<PublishedPort> readPortMap(const JsonView& ports)
{
    std::vector<PublishedPort> out;
    for (const auto& [key, bindings] : ports.members()) {
        const auto [containerPort, protocol] = containerPortKey(key);
        for (const auto& b : bindings.elements()) {
            b.requireObject("an object (one port binding)");
            PublishedPort p;
            p.protocol = protocol;
            p.containerPort = containerPort;
            p.hostIp = b["HostIp"].string();
            p.hostPort = static_cast<int>(b["HostPort"].integer(0));
            out.push_back(std::move(p));
        }
    }
    return out;
}

DockerContainer readContainer(const JsonView& c)
{
    c.requireObject("an object (one container)");
    DockerContainer container;
    container.id = c["Id"].string();
    container.name = c["Name"].string();
    if (!container.name.empty() && container.name.front() == '/')
        container.name.erase(0, 1);
    container.image = c["Config"]["Image"].string();
    container.running = c["State"]["Running"].boolean(false);
    for (const auto& [network, settings] : c["NetworkSettings"]["Networks"].members()) {
        settings.requireObject("an object (one network attachment)");
        if (auto v4 = settings["IPAddress"].string(); !v4.empty())
            container.networkAddresses.emplace(network, std::move(v4));
        if (auto v6 = settings["GlobalIPv6Address"].string(); !v6.empty())
            container.networkAddressesV6.emplace(network, std::move(v6));
    }
    // A running container lists what is bound now; a stopped one only what it asks for.
    container.ports = readPortMap(c["NetworkSettings"]["Ports"]);
    if (container.ports.empty())
        container.ports = readPortMap(c["HostConfig"]["PortBindings"]);
    return container;
}

} // namespace

std::string dockerBridgeName(const DockerNetwork& network)
{
    if (network.driver != "bridge")
        return {};
    const std::string named = optionValue(network.options, std::string(kBridgeOption) + "name");
    if (!named.empty())
        return named;
    if (network.name == "bridge")
        return "docker0";
    return "br-" + network.id.substr(0, 12);
}

Result<std::vector<DockerNetwork>> parseDockerNetworks(std::string_view text) noexcept
{
    return detail::guardShape<std::vector<DockerNetwork>>(text, [](const JsonView& root) {
        root.requireArray("an array of networks (docker network inspect)");
        std::vector<DockerNetwork> out;
        for (const auto& n : root.elements())
            out.push_back(readNetwork(n));
        return out;
    });
}

Result<std::vector<DockerContainer>> parseDockerContainers(std::string_view text) noexcept
{
    return detail::guardShape<std::vector<DockerContainer>>(text, [](const JsonView& root) {
        root.requireArray("an array of containers (docker inspect)");
        std::vector<DockerContainer> out;
        for (const auto& c : root.elements())
            out.push_back(readContainer(c));
        return out;
    });
}

Result<DockerVersionInfo> parseDockerVersion(std::string_view text) noexcept
{
    return detail::guardShape<DockerVersionInfo>(text, [](const JsonView& root) {
        root.requireObject("an object (docker version --format '{{json .}}')");
        if (!root.has("Client") && !root.has("Server"))
            throw detail::ShapeError { "", "expected \"Client\" or \"Server\" (docker version --format '{{json .}}')" };
        const JsonView server = root["Server"];
        DockerVersionInfo info;
        info.serverVersion = server["Version"].optString();
        info.apiVersion = server["ApiVersion"].optString();
        info.kernelVersion = server["KernelVersion"].optString();
        return info;
    });
}

Result<DockerInfo> parseDockerInfo(std::string_view text) noexcept
{
    return detail::guardShape<DockerInfo>(text, [](const JsonView& root) {
        root.requireObject("an object (docker info --format '{{json .}}')");
        if (!root.has("ServerVersion") && !root.has("Swarm"))
            throw detail::ShapeError { "", "expected \"ServerVersion\" or \"Swarm\" (docker info --format '{{json .}}')" };
        DockerInfo info;
        info.serverVersion = root["ServerVersion"].optString();
        info.swarmNodeState = root["Swarm"]["LocalNodeState"].optString();
        info.securityOptions = root["SecurityOptions"].strings();
        info.firewallDriver = root["FirewallBackend"]["Driver"].optString();
        info.kernelVersion = root["KernelVersion"].optString();
        info.name = root["Name"].optString();
        return info;
    });
}

Result<DockerDaemonOptions> parseDaemonJson(std::string_view text) noexcept
{
    auto result = detail::guardShape<DockerDaemonOptions>(text, [](const JsonView& root) {
        root.requireObject("an object (daemon.json)");
        DockerDaemonOptions options;
        options.iptables = root["iptables"].optBoolean();
        options.ip6tables = root["ip6tables"].optBoolean();
        options.userlandProxy = root["userland-proxy"].optBoolean();
        options.allowDirectRouting = root["allow-direct-routing"].optBoolean();
        options.ipForward = root["ip-forward"].optBoolean();
        options.ipForwardNoDrop = root["ip-forward-no-drop"].optBoolean();
        options.icc = root["icc"].optBoolean();
        options.ipv6 = root["ipv6"].optBoolean();
        options.firewallBackend = root["firewall-backend"].optString();
        return options;
    });
    if (result)
        result.value().rawJson = std::string(text);
    return result;
}

} // namespace model::parse
