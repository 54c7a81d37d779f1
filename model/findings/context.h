#pragma once

// What every check works from: both snapshots, an engine for each, and the catalogue of connection attempts
// traced in both. Built once per analyse() call; read-only afterwards.

#include "model/engine/engine.h"
#include "model/findings/finding.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace model::findings {

struct TracedFlow {
    FlowProbe probe;
    engine::FlowResult after;
    std::optional<engine::FlowResult> before;

    bool brokeByChange() const; // accepted before, not accepted after
    bool blockedAfter() const { return after.fate != engine::Fate::Accept; }
};

class AnalysisContext final {
public:
    AnalysisContext(const Snapshot& after, const Snapshot* before, const AnalyseOptions& options);

    const Snapshot& after() const noexcept { return m_after; }
    const Snapshot* before() const noexcept { return m_before; }
    const engine::Engine& afterEngine() const noexcept { return *m_afterEngine; }
    const engine::Engine* beforeEngine() const noexcept { return m_beforeEngine.get(); }
    const std::vector<TracedFlow>& flows() const noexcept { return m_flows; }
    const AnalyseOptions& options() const noexcept { return m_options; }

    // Major version of Docker in a snapshot: reported, or read from the ruleset's layout; nullopt if neither.
    static std::optional<int> dockerMajor(const Snapshot& snapshot);
    std::string dockerVersionText() const; // "28.5.2", or "unknown"

    // The rule a trace names, with its provenance, from the after (or before) ruleset.
    EvidenceRule ruleEvidence(
        const engine::RuleRef& ref, Family family, std::string role, bool beforeSide = false) const;
    EvidenceFlow flowEvidence(const TracedFlow& flow) const;
    static FlowFate fateOf(const engine::FlowResult& result);

private:
    const Snapshot& m_after;
    const Snapshot* m_before;
    AnalyseOptions m_options;
    std::shared_ptr<const engine::Engine> m_afterEngine;
    std::shared_ptr<const engine::Engine> m_beforeEngine;
    std::vector<TracedFlow> m_flows;
};

// The rule a trace names, with its provenance, looked up in the engine's ruleset.
EvidenceRule ruleEvidenceIn(const engine::Engine* engine, const engine::RuleRef& ref, Family family, std::string role);

// Evidence for a rule found by position in a ruleset (structural checks).
EvidenceRule ruleAt(const Ruleset& ruleset, const Table& table, const Chain& chain, int index0, std::string role);
EvidenceRule policyOf(const Ruleset& ruleset, const Table& table, const Chain& chain, std::string role);

// The checks; each appends what it finds.
void checkDirectRouting(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkUnpublishedPortDrop(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkHostForwardRule(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkTailscaleOrder(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkDns(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkSwarmIngress(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkStaleChains(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkIpv6AndBackends(const AnalysisContext& ctx, std::vector<Finding>& out);
void checkUnreachableRules(const AnalysisContext& ctx, std::vector<Finding>& out);

} // namespace model::findings
