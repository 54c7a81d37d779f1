#pragma once

// The flow comparison behind fix verification: which connection attempts change fate between two
// snapshots. The default compares a broad, deterministic probe set; anything with the FlowDiffFunction
// signature (the exact semantic diff, for one) can take its place. Pure functions; thread-safe.

#include "model/engine/packet.h"
#include "model/engine/trace.h"
#include "model/snapshot.h"

#include <functional>
#include <string>
#include <vector>

namespace model::fix {

struct FlowVerdict {
    engine::Fate fate = engine::Fate::Drop;
    std::string deciding; // "filter/DOCKER-USER: -A DOCKER-USER ...", "reply filter/FORWARD: ..."
    bool operator==(const FlowVerdict&) const = default;
};

// One connection attempt whose fate differs between two snapshots.
struct FlowChange {
    std::string label; // Packet::describe()
    engine::Packet packet;
    FlowVerdict from;
    FlowVerdict to;
};

struct FlowDiff {
    int compared = 0; // how many flows (or flow classes) were compared
    std::vector<FlowChange> changes; // only fate changes, in a deterministic order
};

using FlowDiffFunction = std::function<FlowDiff(const Snapshot& from, const Snapshot& to)>;

// Every combination of ingress (each interface, and a local process), source and destination address
// (the host's, the Docker networks' and containers', those in rules, those of the extra packets and one
// Internet address), destination port (published, in rules, of the extra packets) and tcp/udp, plus one
// ICMP echo per address pair. Sources fit the ingress: a bridge sends from its network, a local process
// from the host's addresses, any other interface from addresses that are neither.
std::vector<engine::Packet> probePackets(
    const std::vector<const Snapshot*>& snapshots, const std::vector<engine::Packet>& extra);

FlowVerdict verdictOf(const engine::FlowResult& result);

// Traces the probe set of both snapshots (plus extra) in each and returns the probes whose fate differs.
FlowDiff probeDiff(const Snapshot& from, const Snapshot& to, const std::vector<engine::Packet>& extra = {});

// probeDiff bound to a set of extra packets (the fix's target flows).
FlowDiffFunction probeDiffWith(std::vector<engine::Packet> extra);

} // namespace model::fix
