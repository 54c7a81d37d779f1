#include "model/fix/verify.h"

#include "model/engine/engine.h"
#include "model/engine/hostmodel.h"
#include "model/fix/applyplans.h"

#include <algorithm>
#include <map>

namespace model::fix {

namespace {

using engine::Fate;

bool sameFlow(const engine::Packet& a, const engine::Packet& b) { return a.describe() == b.describe(); }

std::string verdictText(const FlowVerdict& v)
{
    return std::string(engine::fateName(v.fate)) + (v.deciding.empty() ? std::string() : " (" + v.deciding + ")");
}

std::vector<TargetCheck> checkTargets(
    const Snapshot& before, const Snapshot& after, const Snapshot& fixed, const std::vector<FixPlan>& plans)
{
    const auto eb = engine::Engine::fromSnapshot(before);
    const auto ea = engine::Engine::fromSnapshot(after);
    const auto ef = engine::Engine::fromSnapshot(fixed);
    std::vector<TargetCheck> out;
    for (const FixPlan& plan : plans)
        for (const TargetFlow& t : plan.targets)
            out.push_back(TargetCheck { plan.findingId, t.label, t.packet, t.wanted, verdictOf(eb->traceFlow(t.packet)),
                verdictOf(ea->traceFlow(t.packet)), verdictOf(ef->traceFlow(t.packet)) });
    return out;
}

bool isTarget(const std::vector<TargetCheck>& targets, const engine::Packet& p)
{
    return std::any_of(targets.begin(), targets.end(), [&](const TargetCheck& t) { return sameFlow(t.packet, p); });
}

// A peer on the ingress interface's own link (a route through it without a gateway), not one routed in
// from elsewhere: a fix for a LAN peer may open the path for its neighbours, never for the Internet.
bool onLink(const engine::HostModel& host, const engine::Packet& p)
{
    const auto& routes = host.routes();
    return std::any_of(routes.begin(), routes.end(), [&](const engine::HostRoute& r) {
        return r.device == p.inInterface && !r.gateway && r.destination.length > 0 && r.type == "unicast"
            && r.destination.contains(p.header.src);
    });
}

bool inScope(const std::vector<TargetCheck>& targets, const engine::HostModel& host, const engine::Packet& p)
{
    return std::any_of(targets.begin(), targets.end(), [&](const TargetCheck& t) {
        return t.wanted == Fate::Accept && t.packet.fromLocalProcess == p.fromLocalProcess
            && t.packet.inInterface == p.inInterface && t.packet.header.dst == p.header.dst
            && (t.packet.header.src == p.header.src || onLink(host, p));
    });
}

void appendChanges(std::string& out, const char* title, const std::vector<const FlowChange*>& changes,
    const std::map<std::string, FlowVerdict>& before)
{
    if (changes.empty())
        return;
    out += title;
    constexpr std::size_t kShown = 20;
    for (std::size_t i = 0; i < changes.size() && i < kShown; ++i) {
        const FlowChange& c = *changes[i];
        out += "  " + c.label + ": " + verdictText(c.from) + " -> " + verdictText(c.to);
        if (const auto it = before.find(c.label); it != before.end())
            out += std::string("; before the upgrade ") + engine::fateName(it->second.fate);
        out += '\n';
    }
    if (changes.size() > kShown)
        out += "  ... and " + std::to_string(changes.size() - kShown) + " more\n";
}

std::string summarize(const FixVerification& v)
{
    std::string out = "Verification in the model (the fix applied to the after snapshot):\n";
    for (const TargetCheck& t : v.targets)
        out += std::string(t.met() ? "  OK   " : "  FAIL ") + "[" + t.findingId + "] " + t.label + ": wanted "
            + engine::fateName(t.wanted) + ", before " + engine::fateName(t.before.fate) + ", after "
            + engine::fateName(t.after.fate) + ", with the fix " + verdictText(t.fixed) + '\n';
    out += "  " + std::to_string(v.targetsMet) + " of " + std::to_string(v.targets.size()) + " target flows as wanted; "
        + std::to_string(v.probesCompared) + " probe flows compared; " + std::to_string(v.sideEffects.size())
        + " other flows change fate; " + std::to_string(v.securityProblems) + " opened that were closed before.\n";
    std::map<std::string, FlowVerdict> before;
    std::vector<const FlowChange*> problems;
    std::vector<const FlowChange*> scoped;
    std::vector<const FlowChange*> other;
    for (const SideEffect& s : v.sideEffects) {
        before[s.change.label] = s.before;
        (s.securityProblem() ? problems : s.opened ? scoped : other).push_back(&s.change);
    }
    appendChanges(out, "SECURITY: the fix opens flows that were closed before the upgrade:\n", problems, before);
    appendChanges(out, "Also opened, on the same interface and destination as a target:\n", scoped, before);
    appendChanges(out, "Other flows the fix changes:\n", other, before);
    std::vector<const FlowChange*> upgrade;
    for (const FlowChange& c : v.openedByUpgrade)
        upgrade.push_back(&c);
    appendChanges(out, "Open now but not before the upgrade, with or without the fix:\n", upgrade, before);
    out += v.ok() ? "Result: the fix does what it should and nothing it should not.\n"
                  : "Result: the fix is NOT proven; read the lines above before running it.\n";
    return out;
}

} // namespace

FixVerification verifyPlans(const Snapshot& before, const Snapshot& after, const std::vector<FixPlan>& plans)
{
    std::vector<engine::Packet> extra;
    for (const FixPlan& plan : plans)
        for (const TargetFlow& t : plan.targets)
            extra.push_back(t.packet);
    return verifyPlans(before, after, plans, probeDiffWith(std::move(extra)));
}

FixVerification verifyPlans(
    const Snapshot& before, const Snapshot& after, const std::vector<FixPlan>& plans, const FlowDiffFunction& diff)
{
    FixVerification v;
    auto fixed = applyPlans(after, plans);
    if (!fixed) {
        v.error = fixed.error().toString();
        v.summary = "The fix could not be applied to the after snapshot: " + v.error + '\n';
        return v;
    }
    v.targets = checkTargets(before, after, *fixed, plans);
    v.targetsMet = static_cast<int>(
        std::count_if(v.targets.begin(), v.targets.end(), [](const TargetCheck& t) { return t.met(); }));
    const FlowDiff changed = diff(after, *fixed);
    const FlowDiff sinceBefore = diff(before, *fixed);
    const engine::HostModel host = engine::HostModel::fromSnapshot(*fixed);
    v.probesCompared = changed.compared;
    std::map<std::string, FlowVerdict> beforeFate;
    for (const FlowChange& c : sinceBefore.changes)
        beforeFate[c.label] = c.from;
    for (const FlowChange& c : changed.changes) {
        if (isTarget(v.targets, c.packet))
            continue;
        SideEffect s { c, c.to, false, false };
        if (const auto it = beforeFate.find(c.label); it != beforeFate.end())
            s.before = it->second;
        s.opened = c.to.fate == Fate::Accept && s.before.fate != Fate::Accept;
        s.withinTargetScope = inScope(v.targets, host, c.packet);
        v.securityProblems += s.securityProblem() ? 1 : 0;
        v.sideEffects.push_back(std::move(s));
    }
    for (const FlowChange& c : sinceBefore.changes) {
        const bool changedByFix = std::any_of(
            changed.changes.begin(), changed.changes.end(), [&](const FlowChange& x) { return x.label == c.label; });
        if (!changedByFix && !isTarget(v.targets, c.packet) && c.to.fate == Fate::Accept && c.from.fate != Fate::Accept)
            v.openedByUpgrade.push_back(c);
    }
    v.summary = summarize(v);
    return v;
}

} // namespace model::fix
