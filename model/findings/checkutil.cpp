#include "model/findings/checkutil.h"

namespace model::findings {

fix::RuleChange insertRule(
    std::string table, std::string chain, std::vector<std::string> spec, std::string why, Family family)
{
    fix::RuleChange r;
    r.family = family;
    r.table = std::move(table);
    r.chain = std::move(chain);
    r.where = fix::RuleChange::Where::Insert;
    r.position = 1;
    r.spec = std::move(spec);
    r.why = std::move(why);
    return r;
}

fix::TargetFlow targetOf(const TracedFlow& flow, engine::Fate wanted)
{
    return fix::TargetFlow { flow.probe.label, flow.probe.packet, wanted };
}

void addFlowEvidence(
    const AnalysisContext& ctx, Finding& f, const std::vector<const TracedFlow*>& flows, const std::string& role)
{
    std::set<std::string> seen;
    for (const auto& r : f.rules)
        seen.insert(r.table + "/" + r.chain + ":" + r.text);
    for (const TracedFlow* flow : flows) {
        if (f.flows.size() < ctx.options().maxFlowsPerFinding)
            f.flows.push_back(ctx.flowEvidence(*flow));
        const engine::RuleRef& ref = flow->after.deciding;
        if (ref.empty())
            continue;
        EvidenceRule e = ctx.ruleEvidence(ref, flow->probe.packet.family, role);
        if (seen.insert(e.table + "/" + e.chain + ":" + e.text).second)
            f.rules.push_back(std::move(e));
    }
}

std::string joinWords(const std::vector<std::string>& words)
{
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0)
            out += i + 1 == words.size() ? " and " : ", ";
        out += words[i];
    }
    return out;
}

std::vector<std::string> distinct(const std::vector<const TracedFlow*>& flows, std::string FlowProbe::*field)
{
    std::set<std::string> values;
    for (const TracedFlow* f : flows)
        if (!(f->probe.*field).empty())
            values.insert(f->probe.*field);
    return { values.begin(), values.end() };
}

int jumpIndex(const Chain& chain, std::string_view target)
{
    for (std::size_t i = 0; i < chain.rules.size(); ++i)
        if (chain.rules[i].target.kind != Target::Kind::None && chain.rules[i].target.name == target)
            return static_cast<int>(i);
    return -1;
}

} // namespace model::findings
