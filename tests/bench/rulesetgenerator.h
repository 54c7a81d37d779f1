#pragma once

// Writes large, realistic iptables-save dumps for benchmarks, without using the model: a kube-proxy node
// (every service with endpoints, cluster IPs, node ports) and a Docker host with many networks and ports.

#include <string>

namespace bench {

// kube-proxy in iptables mode; 5,000 services give about 70,000 rules in about 7 MB.
std::string kubeProxyRuleset(int services);

// A Docker 28 host: networks bridges with their subnets, and published ports spread over them.
std::string dockerHostRuleset(int networks, int publishedPorts);

} // namespace bench
