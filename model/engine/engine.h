#pragma once

// The traversal engine: follows a packet through every hook and table of a host's iptables rulesets
// exactly as netfilter does (see SEMANTICS.md), and says what happened to it and why.
//
// Build one Engine per snapshot (compiling is the expensive part), then call trace()/traceFlow() as
// often as needed. An Engine is immutable; trace() is a pure function of (engine, packet) and may be
// called from many threads at once.

#include "model/engine/compiled.h"
#include "model/engine/hostmodel.h"
#include "model/engine/pathrecorder.h"
#include "model/engine/trace.h"
#include "model/snapshot.h"

#include <memory>

namespace model::engine {

struct EngineOptions {
    // Upper bound on the paths followed when matches cannot be decided (statistic, limit, ipsets ...).
    int maxOutcomes = 64;
    // Long runs of exact-value rules are dispatched by lookup (see IndexedRun); off only to check that.
    bool chainIndex = true;
    std::size_t minIndexedRun = 8;
};

class Engine final {
public:
    Engine(RulesetPtr ipv4, RulesetPtr ipv6, HostModel host, EngineOptions options = {});

    // Compiles the snapshot's rulesets; the host model comes from its interfaces, routes, Docker state,
    // ipsets and sysctls, with inferences from the rules where those were not captured.
    static std::shared_ptr<const Engine> fromSnapshot(const Snapshot& snapshot, EngineOptions options = {});

    // One packet. Thread-safe.
    TraceResult trace(const Packet& packet) const { return traceWith(packet, nullptr); }

    // A connection attempt: the packet as NEW, then (if it got through) the reply as ESTABLISHED with the
    // translation the first packet established. Thread-safe.
    FlowResult traceFlow(const Packet& first) const { return traceFlow(first, nullptr); }
    // The same, noting in `recorder` the conditions on the first packet's header under which every packet
    // takes this same path (see PathRecorder).
    FlowResult traceFlow(const Packet& first, PathRecorder* recorder) const;

    const HostModel& host() const noexcept { return m_host; }
    const CompiledRuleset* compiled(Family family) const noexcept;
    RulesetPtr ruleset(Family family) const noexcept;

private:
    TraceResult traceWith(const Packet& packet, PathRecorder* recorder) const;

    std::shared_ptr<const CompiledRuleset> m_v4;
    std::shared_ptr<const CompiledRuleset> m_v6;
    HostModel m_host;
    EngineOptions m_options;
};

} // namespace model::engine
