#pragma once

// The connection attempts a host's users care about, derived from its snapshot: peers behind each non-Docker
// interface (from its addresses and routes) to every container directly and to its published ports, containers
// to the Internet and to those peers, and each network's name resolution by the path Docker uses for it.
// Pure function of its inputs.

#include "model/engine/hostmodel.h"
#include "model/findings/finding.h"

#include <optional>
#include <vector>

namespace model::findings {

// dockerMajor: the Docker major version (decides the DNS path of user-defined networks); nullopt = unknown.
std::vector<FlowProbe> catalogueFlows(
    const Snapshot& snapshot, const engine::HostModel& host, std::optional<int> dockerMajor);

} // namespace model::findings
