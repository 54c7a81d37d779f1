#include "model/analysis/analysis.h"

namespace model {

namespace {

    // The flow classes as connection attempts for the findings, one witness each.
    std::vector<findings::FlowProbe> probesOf(const diff::FlowDiff& flows)
    {
        std::vector<findings::FlowProbe> probes;
        for (const auto* list : { &flows.classes, &flows.depends }) {
            for (const diff::FlowClass& c : *list) {
                findings::FlowProbe p;
                p.label = "flow class " + std::to_string(c.id) + ": " + c.witness.describe();
                p.packet = c.witness;
                p.kind = findings::FlowKind::Other;
                probes.push_back(std::move(p));
            }
        }
        return probes;
    }

} // namespace

AnalysisPtr analyse(SnapshotPtr before, SnapshotPtr after, const AnalysisProgress& progress)
{
    auto result = std::make_shared<Analysis>();
    result->before = std::move(before);
    result->after = std::move(after);
    if (!result->after)
        return result;
    const auto report = [&](double fraction) { return !progress || progress(fraction); };
    // Cancelled before it started (a job still queued when the window closes is run by the closing thread).
    if (!report(0.0))
        return nullptr;
    result->engineAfter = engine::Engine::fromSnapshot(*result->after);
    if (!report(0.0))
        return nullptr;
    findings::AnalyseOptions options;
    if (result->before) {
        result->engineBefore = engine::Engine::fromSnapshot(*result->before);
        if (!report(0.05))
            return nullptr;
        // The diff takes most of the time: it gets 5 % .. 85 % of the bar.
        result->flows = diff::computeFlowDiff(*result->engineBefore, *result->engineAfter, {},
            [&](double f) { return report(0.05 + 0.8 * f); });
        if (!result->flows)
            return nullptr;
        options.extraFlows = probesOf(*result->flows);
    }
    if (!report(0.85))
        return nullptr;
    options.stop = [&report] { return !report(0.85); };
    result->findings = findings::analyse(*result->after, result->before.get(), options);
    if (!report(1.0))
        return nullptr;
    return result;
}

} // namespace model
