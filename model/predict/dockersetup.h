#pragma once

// What the upgrade preview needs to know about a host's Docker installation, read from a snapshot: the
// bridge networks in creation order with their options, each container endpoint with its published ports,
// the daemon options that change the rules, and whether IP forwarding was on before Docker started.
// Published ports come from `docker inspect` when the snapshot has it, otherwise from the DNAT rules Docker
// wrote (every line writes the same DNAT rule). Pure function of the snapshot; thread-safe.

#include "model/predict/dockerrelease.h"
#include "model/result.h"
#include "model/snapshot.h"

#include <optional>
#include <string>
#include <vector>

namespace model::predict {

struct PortSpec {
    std::string protocol; // tcp, udp, sctp
    std::string hostIp; // "" for every address
    int hostPort = 0;
    int containerPort = 0;
};

struct EndpointSpec {
    std::string container;
    std::string ipv4; // without prefix length; empty when the endpoint has none
    std::string ipv6;
    std::vector<PortSpec> ports;
};

struct NetworkSpec {
    std::string name;
    std::string bridge;
    std::string subnet4; // empty: no IPv4 on this network
    std::string subnet6; // empty: no IPv6
    bool isDefault = false; // the default "bridge" network, re-created at every daemon start
    bool internal = false;
    bool icc = true;
    bool masquerade = true;
    std::string gatewayMode4 = "nat"; // nat, nat-unprotected, routed, isolated
    std::string gatewayMode6 = "nat";
    std::vector<std::string> trustedHostInterfaces;
    std::string hostBindingIPv4;
    std::vector<EndpointSpec> endpoints;

    bool has(Family family) const { return family == Family::IPv4 ? !subnet4.empty() : !subnet6.empty(); }
    const std::string& subnet(Family family) const { return family == Family::IPv4 ? subnet4 : subnet6; }
    const std::string& gatewayMode(Family family) const { return family == Family::IPv4 ? gatewayMode4 : gatewayMode6; }
};

struct DaemonSpec {
    bool iptables = true;
    bool ip6tables = true;
    bool userlandProxy = true;
    bool allowDirectRouting = false;
    bool ipForwardNoDrop = false;
};

// Swarm's routing mesh: the DOCKER-INGRESS chains' rules, which every line writes alike (REPORT.md §12), as
// rule specifications in their order. Only where the jumps to them sit differs between lines.
struct IngressSpec {
    std::vector<std::string> filterRules;
    std::vector<std::string> natRules;
};

struct DockerSetup {
    DaemonSpec daemon;
    std::vector<NetworkSpec> networks; // the default bridge first, then in creation order
    bool ipv4ForwardingWasOn = false; // before dockerd started (decides the FORWARD policy)
    bool ipv6ForwardingWasOn = false;
    std::optional<IngressSpec> ingress; // from the snapshot's DOCKER-INGRESS chains
    std::optional<DockerLine> sourceLine; // the line whose rules the snapshot holds, when recognisable
    std::vector<std::string> notes; // assumptions made while reading the snapshot
};

// JsonShape-coded error when the snapshot has no Docker networks or no IPv4 ruleset.
Result<DockerSetup> dockerSetupFromSnapshot(const Snapshot& snapshot) noexcept;

// The Docker line whose rules a ruleset holds: DOCKER-FORWARD (28.0.1+; 28.2+ when the raw DROP rules cover
// every port), the docker-ext-bridges ipset (28.0.0), the classic DOCKER chain (27.5), or nothing.
std::optional<DockerLine> lineFromRules(const Ruleset& ipv4) noexcept;

} // namespace model::predict
