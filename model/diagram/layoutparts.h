#pragma once

// Internal to the diagram layout: the stages computeLayout() runs, sharing one Draft.

#include "model/diagram/layout.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace model::diagram::detail {

// Chains a path runs through, per hook and table, and the jumps it took.
struct Touched {
    std::set<std::string> chains; // chainId(...) values
    std::set<std::pair<std::string, std::string>> jumps; // chainId pairs
    std::set<std::string> interfaces; // ingress and egress interface names
    std::set<std::string> ingress;
    std::set<std::string> egress;
    std::map<std::string, std::string> containers; // container (name, else address) a path delivers to -> bridge
};

struct Draft {
    Layout layout;
    std::map<std::string, std::size_t> nodeIndex;
    std::map<std::pair<std::string, std::string>, std::size_t> edgeIndex;

    Node* find(const std::string& id);
    Node& add(Node node); // ids are unique: a second add of an id returns the first node
    Edge* findEdge(const std::string& from, const std::string& to);
    void connect(const std::string& from, const std::string& to, Edge::Kind kind);
};

std::string hookId(engine::Hook hook);
std::string chainId(engine::Hook hook, const std::string& table, const std::string& chain);
std::string builtinId(engine::Hook hook, const std::string& table); // the built-in chain of the hook
inline const std::string kRoutingId = "routing";
inline const std::string kLocalId = "local";
std::string ingressId(const std::string& iface);
std::string egressId(const std::string& iface);
std::string networkId(const std::string& bridge);
std::string containerId(const std::string& name);
std::optional<engine::Hook> hookFromName(const std::string& name) noexcept;

// pipeline.cpp: hook frames, tables' built-in chains, the user chains they reach (expanded or collapsed),
// the routing decision and the local process, then the interfaces, Docker networks and containers at the edges.
Touched touchedBy(const PathInput& before, const PathInput& after);
void buildPipeline(Draft& draft, const Ruleset* ruleset, const Touched& touched, const LayoutOptions& options);
void resolveMissing(Layout& layout); // after the overlays: which path a chain missing from the ruleset came from

// sides.cpp: interfaces on both sides, Docker networks and containers on the right, and every edge.
void buildSides(Draft& draft, const Snapshot& snapshot, const Ruleset* ruleset, const Touched& touched,
    const LayoutOptions& options);
void buildLinks(Draft& draft, const Ruleset* ruleset, const Touched& touched);

// overlay.cpp: marks one path's nodes and edges, its deciding rule and its header rewrites.
void overlayPath(Draft& draft, const PathInput& path, std::uint8_t bit);
std::string captionFor(const PathInput& path, std::uint8_t bit);

// placement.cpp: node rectangles, edge polylines and the bounds.
void place(Draft& draft);

} // namespace model::diagram::detail
