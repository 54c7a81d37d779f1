#pragma once

// The Diagram view's layout: the netfilter pipeline of one snapshot drawn left to right, with up to two traced
// paths (before and after) overlaid. Everything a painter needs is computed here - node rectangles, edge
// polylines, labels, path marks - so the view only turns it into items. Plain values, deterministic for the
// same input, safe to compute on any thread and to move across threads.
//
// Geometry is in abstract units (roughly pixels at a 9 pt font): text widths are estimated from character
// counts with kCharWidth, so the painter must draw text at most that wide per character (it elides otherwise).

#include "model/engine/trace.h"
#include "model/snapshot.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace model::diagram {

inline constexpr double kCharWidth = 7.0;
inline constexpr double kTitleCharWidth = 8.2; // titles are bold and a little larger
inline constexpr double kLineHeight = 16.0;

struct Point {
    double x = 0;
    double y = 0;
    bool operator==(const Point&) const = default;
};

struct Rect {
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;

    double right() const noexcept { return x + width; }
    double bottom() const noexcept { return y + height; }
    bool intersects(const Rect& o) const noexcept
    {
        return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom();
    }
    bool contains(const Rect& o) const noexcept
    {
        return x <= o.x && y <= o.y && o.right() <= right() && o.bottom() <= bottom();
    }
    // On the border or inside, with a tolerance for rounding.
    bool touches(Point p, double tolerance = 0.5) const noexcept
    {
        return p.x >= x - tolerance && p.x <= right() + tolerance && p.y >= y - tolerance
            && p.y <= bottom() + tolerance;
    }
};

// Which of the overlaid paths pass somewhere: bit 0 the "before" path, bit 1 the "after" path.
namespace PathBit {
    inline constexpr std::uint8_t Before = 1;
    inline constexpr std::uint8_t After = 2;
}

struct Node {
    enum class Kind : std::uint8_t {
        Ingress, // a host interface packets come in on (left edge)
        Hook, // PREROUTING ... POSTROUTING: a frame around its tables' chains
        Routing, // the routing decision
        LocalProcess, // sockets of the host itself, between INPUT and OUTPUT
        BuiltinChain, // a table's built-in chain for the hook ("nat PREROUTING")
        UserChain, // a user chain reached by -j/-g, expanded because a path runs through it (or all fit)
        Collapsed, // several untouched user chains shown as a count ("+12 chains")
        Egress, // a host interface packets leave by (right edge)
        Network, // a Docker network: bridge and subnets, a frame around its containers
        Container, // a container on a Docker network
        More, // "+N more" interfaces, networks or containers left out to keep the picture readable
    };
    Kind kind = Kind::BuiltinChain;
    std::string id; // unique: "hook:FORWARD", "chain:FORWARD/filter/DOCKER", "in:eth0", "container:web" ...
    std::string parent; // the frame node that contains this one (hook or network), else empty
    std::string title; // first line, drawn bold
    std::vector<std::string> lines; // further lines: counts, addresses, path annotations
    Rect rect;
    int depth = 0; // user chains: jump depth below the built-in chain

    // Chains only.
    std::string hook;
    std::string table;
    std::string chain;
    std::vector<std::string> members; // Collapsed: the chains it stands for, sorted

    std::uint8_t paths = 0; // PathBit values
    std::uint8_t decidedHere = 0; // PathBit values: the deciding rule of that path is in this chain
    std::uint8_t onlyIn = 0; // a chain on a path but not in the drawn ruleset: PathBit of the path it came from
};

struct Edge {
    enum class Kind : std::uint8_t {
        Flow, // packet flow between pipeline stages or from table to table within a hook
        Jump, // -j to a user chain
        Goto, // -g to a user chain
        Collapsed, // to a "+N chains" node
        Member, // from a network frame to an edge interface, or similar grouping lines
    };
    Kind kind = Kind::Flow;
    std::string from;
    std::string to;
    std::vector<Point> points; // first on `from`'s rectangle, last on `to`'s
    std::uint8_t paths = 0;
};

// A deciding rule of one path, spelled out in full (the node carries a short mark).
struct Decision {
    std::uint8_t path = 0; // PathBit
    std::string node; // id of the chain node; empty for a decision outside any chain (routing)
    std::string fate; // ACCEPT, DROP, REJECT, DEPENDS
    std::string table;
    std::string chain;
    int rule = 0; // 1-based; 0 for a policy or a non-rule decision
    std::string text; // RuleRef::display()
};

// A header rewrite on a path: "DNAT 10.0.0.10:8080 -> 172.18.0.2:80" at the chain that did it.
struct Rewrite {
    std::uint8_t path = 0;
    std::string node;
    std::string text;
};

struct Layout {
    std::vector<Node> nodes; // frames before the nodes they contain
    std::vector<Edge> edges;
    std::vector<Decision> decisions;
    std::vector<Rewrite> rewrites;
    std::vector<std::string> captions; // one line per path: "before: ACCEPT - delivered to container web ..."
    Rect bounds; // encloses every node and edge
    std::string family; // "ipv4" / "ipv6": the ruleset drawn

    const Node* node(const std::string& id) const noexcept;
};

// A path to overlay: the trace of one packet in the "before" or "after" snapshot.
struct PathInput {
    const engine::Outcome* outcome = nullptr;
    std::string ingress; // the interface the packet came in on; empty with fromLocalProcess
    bool fromLocalProcess = false;
};

struct LayoutOptions {
    // Without any path, user chains are all expanded when at most this many would be drawn; else collapsed.
    int expandAllUpTo = 16;
    int maxInterfaces = 6; // per side
    int maxNetworks = 5;
    int maxContainersPerNetwork = 4;
    // Asked before each table of each hook; once it says yes, the layout is abandoned and what is returned is
    // incomplete (to be thrown away).
    std::function<bool()> stop;
};

// The pipeline of `snapshot` (its IPv4 ruleset, or IPv6 when that is the only one or the paths are IPv6) with
// the given paths overlaid. Chains a path runs through are always drawn, even when the snapshot lacks them
// (the "before" path on the "after" ruleset); such nodes say so (onlyIn).
Layout computeLayout(const Snapshot& snapshot, const PathInput& before, const PathInput& after,
    const LayoutOptions& options = {});

// Kernel order of the tables at a hook (by netfilter priority: raw, mangle, nat for DNAT, filter, security,
// nat for SNAT). Only the tables that have a built-in chain at that hook.
std::vector<std::string> tablesAt(engine::Hook hook);

} // namespace model::diagram
