#pragma once

// Docker Engine releases the upgrade preview knows, grouped into the lines whose iptables behaviour is the
// same (see the Docker rules reference, REPORT.md §2). Pure values; thread-safe.

#include "model/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace model::predict {

enum class DockerLine : std::uint8_t {
    V27_5, // 27.5.x: classic layout, per-bridge rules inserted into FORWARD
    V28_0_0, // 28.0.0: ipset rules, outgoing ACCEPT appended to FORWARD
    V28_0_1, // 28.0.1 ... 28.1.x: DOCKER-FORWARD, DOCKER-BRIDGE, DOCKER-CT; raw DROP per published port
    V28_2, // 28.2.x ... 28.5.x: raw DROP per container endpoint, allow-direct-routing, trusted interfaces
};

struct DockerRelease {
    int major = 0;
    int minor = 0;
    int patch = 0;
    DockerLine line = DockerLine::V28_2;

    std::string text() const; // "28.5.2"
    // 28.2.2 stopped adding "-j RETURN" to DOCKER-USER.
    bool addsUserChainReturn() const noexcept;
    // 28.0.2 flushes DOCKER-BRIDGE and DOCKER-CT at start.
    bool flushesBridgeChains() const noexcept;
};

// "28.5.2", "v28.0.4", "27.5" (patch 0), "28.1.1-rc1" (suffix ignored). An unknown line is an error whose
// message lists the supported lines.
Result<DockerRelease> parseDockerRelease(std::string_view text) noexcept;

const char* lineName(DockerLine line) noexcept; // "27.5.x", "28.0.0", "28.0.1-28.1.x", "28.2.x-28.5.x"
std::string supportedLinesText(); // "27.5.x, 28.0.0, 28.0.1-28.1.x, 28.2.x-28.5.x"

} // namespace model::predict
