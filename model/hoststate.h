#pragma once

// Host facts besides the rulesets: interfaces, routes, resolvers, ipsets, Docker.
// std::optional members distinguish "not captured" (nullopt) from "captured and empty".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace model {

struct InterfaceAddress {
    std::string address; // 10.0.0.10 or fd00::1
    int prefixLength = 0;
    bool ipv6 = false;
    std::string scope; // global, link, host
};

struct Interface {
    std::string name;
    int index = 0;
    std::vector<std::string> flags; // UP, LOOPBACK, ...
    std::string linkType; // ether, loopback, none
    std::string master; // bridge this interface is enslaved to
    std::vector<InterfaceAddress> addresses;
};

struct Route {
    std::string destination; // "default" or a CIDR
    std::string gateway; // empty when directly connected
    std::string device;
    std::string preferredSource;
    std::string type; // unicast, local, broadcast, blackhole, unreachable, ...
    std::string table; // main, local, ...
    std::string protocol; // kernel, static, ...
    int metric = 0;
    bool ipv6 = false;
};

struct ResolvConf {
    std::vector<std::string> nameservers;
    std::vector<std::string> search;
    std::vector<std::string> options;
};

struct IpSet {
    std::string name;
    std::string type; // hash:net, hash:ip, ...
    std::string family; // inet, inet6
    std::vector<std::string> createOptions; // the rest of the "create" line
    std::vector<std::string> members; // as written after "add NAME"
    bool operator==(const IpSet&) const = default;
};

struct PublishedPort {
    std::string protocol; // tcp, udp, sctp
    std::string hostIp; // "" or 0.0.0.0 / :: for all
    int hostPort = 0;
    int containerPort = 0;
};

struct DockerEndpoint {
    std::string containerId;
    std::string containerName;
    std::string ipv4; // without prefix length
    std::string ipv6;
    std::string mac;
};

struct DockerSubnet {
    std::string subnet; // CIDR
    std::string gateway;
    bool ipv6 = false;
};

struct DockerNetwork {
    std::string id;
    std::string name;
    std::string driver; // bridge, overlay, host, null, macvlan
    std::string scope; // local, swarm
    std::string created; // ISO 8601 as Docker reports it; orders network creation
    std::string bridgeName; // docker0, br-<id12>, or com.docker.network.bridge.name
    std::vector<DockerSubnet> subnets;
    bool internal = false;
    bool enableIPv4 = true;
    bool enableIPv6 = false;
    bool ingress = false;
    bool icc = true; // com.docker.network.bridge.enable_icc
    bool masquerade = true; // com.docker.network.bridge.enable_ip_masquerade
    std::string gatewayModeIPv4; // nat (default), nat-unprotected, routed, isolated
    std::string gatewayModeIPv6;
    std::vector<std::string> trustedHostInterfaces; // com.docker.network.bridge.trusted_host_interfaces
    std::string hostBindingIPv4; // com.docker.network.bridge.host_binding_ipv4
    std::map<std::string, std::string> options; // every driver option, verbatim
    std::map<std::string, std::string> labels;
    std::vector<DockerEndpoint> endpoints;
};

struct DockerContainer {
    std::string id;
    std::string name;
    std::string image;
    bool running = true;
    std::map<std::string, std::string> networkAddresses; // network name -> IPv4
    std::map<std::string, std::string> networkAddressesV6;
    std::vector<PublishedPort> ports;
};

// Daemon options relevant to the rules Docker writes. nullopt = not known (daemon.json not captured).
struct DockerDaemonOptions {
    std::optional<bool> iptables;
    std::optional<bool> ip6tables;
    std::optional<bool> userlandProxy;
    std::optional<bool> allowDirectRouting;
    std::optional<bool> ipForward;
    std::optional<bool> ipForwardNoDrop;
    std::optional<bool> icc;
    std::optional<bool> ipv6;
    std::optional<std::string> firewallBackend;
    std::string rawJson; // daemon.json as captured
};

struct DockerState {
    std::optional<std::string> version; // server version, e.g. 28.5.2
    std::optional<std::string> apiVersion;
    std::optional<bool> swarmActive;
    std::optional<std::string> swarmNodeState; // Swarm.LocalNodeState: inactive, active, pending, error, locked
    std::vector<std::string> securityOptions; // docker info SecurityOptions ("name=seccomp,profile=builtin")
    std::optional<std::string> firewallDriver; // docker info FirewallBackend.Driver (28.x): iptables, nftables
    std::optional<std::string> kernelVersion; // as the daemon reports it
    DockerDaemonOptions daemon;
    std::optional<std::vector<DockerNetwork>> networks;
    std::optional<std::vector<DockerContainer>> containers;

    const DockerNetwork* networkByBridge(const std::string& bridge) const;
    const DockerNetwork* networkByName(const std::string& name) const;
};

} // namespace model
