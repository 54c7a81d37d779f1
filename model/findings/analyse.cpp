#include "model/findings/checkutil.h"

#include <algorithm>

namespace model::findings {

using namespace model::engine;

std::vector<Finding> analyse(const Snapshot& after, const Snapshot* before, const AnalyseOptions& options)
{
    const AnalysisContext ctx(after, before, options);
    std::vector<Finding> out;
    using Check = void (*)(const AnalysisContext&, std::vector<Finding>&);
    for (const Check check : { checkDirectRouting, checkUnpublishedPortDrop, checkHostForwardRule, checkTailscaleOrder,
             checkDns, checkSwarmIngress, checkStaleChains, checkIpv6AndBackends, checkUnreachableRules }) {
        if (options.stop && options.stop())
            return {};
        check(ctx, out);
    }
    std::stable_sort(
        out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
    return out;
}

Finding explainFlow(const Snapshot& snapshot, const Packet& packet)
{
    const auto engine = Engine::fromSnapshot(snapshot);
    const FlowResult result = engine->traceFlow(packet);
    Finding f;
    EvidenceFlow flow;
    flow.probe.label = packet.describe();
    flow.probe.packet = packet;
    flow.after = AnalysisContext::fateOf(result);
    f.flows.push_back(flow);
    if (result.fate == Fate::Accept) {
        f.id = "firewall-accepts-flow";
        f.severity = Severity::Info;
        f.title = "The firewall accepts this flow; look at routing, the service or the peer";
        f.explanation = "Traced through every table and hook, the connection attempt and its reply both get through"
            + (result.deciding.empty() ? std::string(".") : " (accepted by " + result.deciding.qualified() + ").")
            + " The first packet ends up: " + result.original.primary().delivery.describe()
            + ". If it still fails, the cause is outside these rules: a route on either side, the service not "
              "listening, the peer's own firewall, or a cloud security list.";
        f.impact = "The iptables rules do not explain the breakage";
        for (const auto& a : result.original.assumptions)
            f.explanation += " Assumed: " + a + ".";
    } else {
        f.id = "firewall-blocks-flow";
        f.severity = Severity::High;
        f.title = std::string("The firewall ") + (result.fate == Fate::Reject ? "rejects" : "drops") + " this flow at "
            + result.deciding.qualified();
        f.explanation = result.decidedByReply
            ? "The connection attempt gets through; its reply is stopped on the way back, so the client times out."
            : "The connection attempt is stopped by the rule shown.";
        f.impact = "This connection cannot be made";
        if (!result.deciding.empty())
            f.rules.push_back(ruleEvidenceIn(engine.get(), result.deciding, packet.family, "decides the flow"));
    }
    return f;
}

} // namespace model::findings
