#pragma once

// The semantic diff of two snapshots of one host: every connection attempt (first packet of a connection, state
// NEW, TCP SYN, traced with its reply) whose fate differs, grouped into flow classes. Exact, not sampled: the
// header space (ingress x protocol x source x destination x ports, IPv4 and IPv6) is cut into boxes whose
// packets take one path through both snapshots, by tracing one packet per box and recording the conditions its
// paths depend on (engine::PathRecorder). A box whose fates differ becomes part of a class; classes merge boxes
// with the same fates and deciding rules into the largest boxes the truth allows.
//
// computeFlowDiff() is a pure function of the two engines; run it off the GUI thread. The progress callback is
// called on the calling thread a few times a second and can cancel. The result is an immutable value.

#include "model/diff/rulediff.h"
#include "model/engine/engine.h"
#include "model/engine/pathrecorder.h"

#include <functional>
#include <optional>

namespace model::diff {

struct FlowDiffOptions {
    bool ipv4 = true;
    bool ipv6 = true;
    // Safety valve for pathological rulesets: beyond this many boxes the diff stops and says it is incomplete.
    std::size_t maxBoxes = 20'000'000;
    // Search only the attempts that can meet a changed rule or policy (see flowprune.h). Off: the whole header
    // space, for checking that the two agree.
    bool prune = true;
    // Let a match of one of several rules with equal targets stand for them all where that leaves the fates and
    // deciding rules as traced (engine::PathRecorder::wideCondition). Off: every path is searched on its own, for
    // checking that the two agree.
    bool widenGroups = true;
};

// What a connection attempt met in one snapshot.
struct FlowSide {
    engine::Fate fate = engine::Fate::Drop;
    engine::RuleRef deciding; // empty when DEPENDS
    bool decidedByReply = false; // the reply was stopped: the client sees a drop
    std::string rejectWith; // REJECT's --reject-with, when rejected
    std::vector<std::string> dependsOn; // DEPENDS: what could not be decided
    bool operator==(const FlowSide&) const = default;
};

// Where the first packet of a connection comes from.
struct Ingress {
    std::string name; // the device the engine is given ("eth0", "br-*" for any other br- device, "*")
    std::string label; // "eth0", "any other br-+ interface", "any other interface", "local process"
    bool localProcess = false;
};

// A rule-level diff row (or a chain's policy, row = -1) of RuleDiff::chains.
struct RowLink {
    Family family = Family::IPv4;
    int chain = 0;
    int row = -1;
    bool operator==(const RowLink&) const = default;
    auto operator<=>(const RowLink&) const = default;
};

struct FlowClass {
    int id = 0; // 1-based, in sorted order; DEPENDS classes are numbered after the changed ones
    Family family = Family::IPv4;
    engine::Box box; // Ingress: indices into FlowDiff::ingress; Proto: protocol numbers; addresses; ports
    FlowSide before;
    FlowSide after;
    bool opened = false; // newly accepted: a security change
    bool closed = false; // accepted before, not after
    bool toContainer = false; // closed traffic that reached a container or a published port before
    engine::Packet witness; // one concrete attempt inside the class
    engine::FlowResult witnessBefore;
    engine::FlowResult witnessAfter;
    std::vector<RowLink> rules; // rule rows on the witness paths: deciding, or changed/added/removed/moved
    int regions = 0; // disjoint boxes merged into this class
};

struct FlowDiff {
    std::vector<Ingress> ingress;
    std::vector<FlowClass> classes; // fate changed; closed-to-containers first, then opened, then the rest
    std::vector<FlowClass> depends; // the fate depends on something not captured, on one side or both
    RuleDiff rulesV4;
    RuleDiff rulesV6;
    std::size_t boxes = 0; // boxes traced (each: one attempt in both snapshots)
    bool incomplete = false; // maxBoxes reached

    const RuleDiff& rules(Family family) const noexcept { return family == Family::IPv4 ? rulesV4 : rulesV6; }
    // The classes (ids) whose witness paths involve a rule row.
    std::vector<int> classesOfRow(const RowLink& row) const;
    bool changed() const noexcept { return !classes.empty() || !depends.empty(); }
    // The index into `ingress` that stands for the packet's ingress; -1 when none does.
    int ingressOf(const engine::Packet& packet) const;
    // The class (changed or DEPENDS) the connection attempt belongs to; null when its fate did not change.
    const FlowClass* classOf(const engine::Packet& packet) const;
};

// What one traced attempt met, in the terms of a class side.
FlowSide sideOf(const engine::FlowResult& flow);

// Called with the fraction done (0..1); returning false cancels.
using FlowDiffProgress = std::function<bool(double)>;

// nullopt when cancelled.
std::optional<FlowDiff> computeFlowDiff(const engine::Engine& before, const engine::Engine& after,
    const FlowDiffOptions& options = {}, const FlowDiffProgress& progress = {});

namespace detail {
// One box of packets with one fate and deciding rule per side (internal to the diff, shared by its parts).
struct Region {
    Family family = Family::IPv4;
    engine::Box box;
    FlowSide before;
    FlowSide after;
    engine::Packet witness; // traced again for the classes' witnesses: the traces of every region cost gigabytes
    bool realisticWitness = true; // no loopback, multicast, network or broadcast address where avoidable
};
// Merges regions with equal sides into classes, traces their witnesses, sorts them and links them to the rule rows.
void buildClasses(
    std::vector<Region> regions, FlowDiff& diff, const engine::Engine& before, const engine::Engine& after);
} // namespace detail

} // namespace model::diff
