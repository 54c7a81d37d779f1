#pragma once

// Parsers for what the Docker CLI and daemon configuration say about a host. Each is noexcept and returns
// the value or a ParseError: Empty, Binary, InvalidJson (with line and column) or JsonShape (with the
// JSON-pointer path of the offending value in the message, e.g. "/0/IPAM/Config: expected an array").

#include "model/hoststate.h"
#include "model/result.h"

#include <string_view>
#include <vector>

namespace model::parse {

// `docker network inspect $(docker network ls -q)`: a JSON array of networks.
Result<std::vector<DockerNetwork>> parseDockerNetworks(std::string_view text) noexcept;

// `docker inspect $(docker ps -aq)`: a JSON array of containers.
Result<std::vector<DockerContainer>> parseDockerContainers(std::string_view text) noexcept;

// What `docker version --format '{{json .}}'` and `docker info --format '{{json .}}'` add to a DockerState.
struct DockerVersionInfo {
    std::optional<std::string> serverVersion; // nullopt when the daemon did not answer
    std::optional<std::string> apiVersion;
    std::optional<std::string> kernelVersion;
};
Result<DockerVersionInfo> parseDockerVersion(std::string_view text) noexcept;

struct DockerInfo {
    std::optional<std::string> serverVersion;
    std::optional<std::string> swarmNodeState;
    std::vector<std::string> securityOptions;
    std::optional<std::string> firewallDriver;
    std::optional<std::string> kernelVersion;
    std::optional<std::string> name; // the daemon's host name
};
Result<DockerInfo> parseDockerInfo(std::string_view text) noexcept;

// /etc/docker/daemon.json. Only options that change the rules Docker writes are read; the text is kept.
Result<DockerDaemonOptions> parseDaemonJson(std::string_view text) noexcept;

// The bridge device Docker uses for a network: the com.docker.network.bridge.name option, docker0 for the
// default "bridge" network, otherwise "br-" and the first 12 characters of the id. Empty for non-bridge drivers.
std::string dockerBridgeName(const DockerNetwork& network);

} // namespace model::parse
