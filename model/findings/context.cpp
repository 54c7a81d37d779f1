#include "model/findings/context.h"

#include "model/findings/flowcatalogue.h"

#include <cstdlib>

namespace model::findings {

using namespace model::engine;

const char* severityName(Severity s) noexcept
{
    switch (s) {
    case Severity::Critical: return "critical";
    case Severity::High: return "high";
    case Severity::Medium: return "medium";
    case Severity::Low: return "low";
    case Severity::Info: break;
    }
    return "info";
}

bool TracedFlow::brokeByChange() const { return before && before->fate == Fate::Accept && after.fate != Fate::Accept; }

AnalysisContext::AnalysisContext(const Snapshot& after, const Snapshot* before, const AnalyseOptions& options)
    : m_after(after)
    , m_before(before)
    , m_options(options)
    , m_afterEngine(Engine::fromSnapshot(after))
    , m_beforeEngine(before ? Engine::fromSnapshot(*before) : nullptr)
{
    std::vector<FlowProbe> probes = catalogueFlows(after, m_afterEngine->host(), dockerMajor(after));
    for (const auto& extra : options.extraFlows)
        probes.push_back(extra);
    m_flows.reserve(probes.size());
    for (auto& probe : probes) {
        if (options.stop && options.stop())
            break; // analyse() sees the same answer and stops too
        TracedFlow t { std::move(probe), {}, std::nullopt };
        t.after = m_afterEngine->traceFlow(t.probe.packet);
        if (m_beforeEngine)
            t.before = m_beforeEngine->traceFlow(t.probe.packet);
        m_flows.push_back(std::move(t));
    }
}

std::optional<int> AnalysisContext::dockerMajor(const Snapshot& snapshot)
{
    if (snapshot.docker && snapshot.docker->version && !snapshot.docker->version->empty())
        return std::atoi(snapshot.docker->version->c_str());
    const Table* filter = snapshot.ipv4 ? snapshot.ipv4->table("filter") : nullptr;
    if (!filter || !filter->chain("DOCKER"))
        return std::nullopt;
    // Only 28.x writes DOCKER-FORWARD or per-container drops in raw PREROUTING.
    if (filter->chain("DOCKER-FORWARD"))
        return 28;
    const Table* raw = snapshot.ipv4->table("raw");
    const Chain* pre = raw ? raw->chain("PREROUTING") : nullptr;
    if (pre)
        for (const Rule& r : pre->rules)
            if (r.provenance == Provenance::Docker && r.target.name == "DROP")
                return 28;
    return 27;
}

std::string AnalysisContext::dockerVersionText() const
{
    if (m_after.docker && m_after.docker->version)
        return *m_after.docker->version;
    return "unknown";
}

EvidenceRule ruleEvidenceIn(const Engine* engine, const RuleRef& ref, Family family, std::string role)
{
    EvidenceRule e;
    e.family = family;
    e.table = ref.table;
    e.chain = ref.chain;
    e.index = ref.index;
    e.role = std::move(role);
    e.text = ref.isPolicy() ? "policy " + ref.policy : (ref.text.empty() ? ref.other : ref.text);
    const RulesetPtr rules = engine ? engine->ruleset(family) : nullptr;
    const Table* table = rules ? rules->table(ref.table) : nullptr;
    const Chain* chain = table ? table->chain(ref.chain) : nullptr;
    if (chain && ref.index > 0 && static_cast<std::size_t>(ref.index) <= chain->rules.size()) {
        e.provenance = chain->rules[static_cast<std::size_t>(ref.index - 1)].provenance;
        e.provenanceReason = chain->rules[static_cast<std::size_t>(ref.index - 1)].provenanceReason;
    } else if (chain) {
        e.provenance = chain->provenance;
        e.provenanceReason = chain->provenanceReason;
    }
    return e;
}

EvidenceRule AnalysisContext::ruleEvidence(const RuleRef& ref, Family family, std::string role, bool beforeSide) const
{
    return ruleEvidenceIn(beforeSide ? m_beforeEngine.get() : m_afterEngine.get(), ref, family, std::move(role));
}

FlowFate AnalysisContext::fateOf(const FlowResult& result)
{
    return FlowFate { result.fate, result.qualifiedDeciding(), result.decidedByReply };
}

EvidenceFlow AnalysisContext::flowEvidence(const TracedFlow& flow) const
{
    EvidenceFlow e;
    e.probe = flow.probe;
    e.after = fateOf(flow.after);
    if (flow.before)
        e.before = fateOf(*flow.before);
    return e;
}

EvidenceRule ruleAt(const Ruleset& ruleset, const Table& table, const Chain& chain, int index0, std::string role)
{
    const Rule& r = chain.rules.at(static_cast<std::size_t>(index0));
    return EvidenceRule { ruleset.family, table.name, chain.name, index0 + 1, r.text, r.provenance, r.provenanceReason,
        std::move(role) };
}

EvidenceRule policyOf(const Ruleset& ruleset, const Table& table, const Chain& chain, std::string role)
{
    return EvidenceRule { ruleset.family, table.name, chain.name, 0, ":" + chain.name + " " + chain.policy,
        chain.provenance, chain.provenanceReason, std::move(role) };
}

} // namespace model::findings
