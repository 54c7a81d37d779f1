// Checks 3 and 4: a host rule or Tailscale's ts-forward deciding FORWARD traffic before Docker's ACCEPTs.
#include "model/findings/checkutil.h"

#include <algorithm>
#include <cctype>

namespace model::findings {

using namespace model::engine;

namespace {

bool isHostProvenance(Provenance p)
{
    return p == Provenance::Unknown || p == Provenance::CloudImage || p == Provenance::Ufw
        || p == Provenance::Firewalld;
}

bool containerFlow(const FlowProbe& p)
{
    return p.kind == FlowKind::ContainerEgress || p.kind == FlowKind::PublishedPort
        || p.kind == FlowKind::ContainerToPeer;
}

std::vector<std::string> dockerBridges(const Snapshot& s)
{
    std::vector<std::string> out;
    if (s.docker && s.docker->networks)
        for (const auto& n : *s.docker->networks)
            if (n.driver == "bridge" && !n.internal && !n.bridgeName.empty())
                out.push_back(n.bridgeName);
    return out;
}

// The rule specification after "-A CHAIN ".
std::vector<std::string> specWords(const std::string& text)
{
    std::vector<std::string> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t start = text.find_first_not_of(' ', pos);
        if (start == std::string::npos)
            break;
        const std::size_t end = text.find(' ', start);
        words.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        pos = end == std::string::npos ? text.size() : end;
    }
    if (words.size() >= 2 && (words[0] == "-A" || words[0] == "-I"))
        words.erase(words.begin(), words.begin() + 2);
    return words;
}

std::string joined(const std::vector<std::string>& words)
{
    std::string out;
    for (const auto& w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

fix::FixOption hostRuleFix(const AnalysisContext& ctx, const std::vector<const TracedFlow*>& hit)
{
    fix::FixOption o;
    o.id = "docker-user-accept";
    o.title = "Accept container traffic to the uplink in DOCKER-USER";
    o.tradeoffs = "DOCKER-USER runs before the host rule, survives dockerd restarts, not a reboot without the systemd "
                  "unit. Restricting -o to the uplink keeps Docker's isolation between networks. With br_netfilter "
                  "loaded, traffic between containers of one network also crosses FORWARD and may need "
                  "-i <bridge> -o <bridge> as well.";
    const auto uplinks = distinct(hit, &FlowProbe::peerInterface);
    for (const auto& bridge : dockerBridges(ctx.after()))
        for (const auto& uplink : uplinks)
            o.rules.push_back(insertRule("filter", "DOCKER-USER", { "-i", bridge, "-o", uplink, "-j", "ACCEPT" },
                "accepts traffic from " + bridge + " to " + uplink
                    + " (and the replies of published ports) before the host's rule in FORWARD"));
    o.persistUnit = true;
    o.recommended = true;
    return o;
}

// Fixes the user applies by hand: an upgrade past 28.0.0, or moving the host rule back below Docker's.
void addManualHostFixes(
    const AnalysisContext& ctx, const RuleRef& hostRule, const EvidenceRule& rule, std::vector<fix::FixOption>& fixes)
{
    if (ctx.dockerVersionText() == "28.0.0") {
        fix::FixOption upgrade;
        upgrade.id = "upgrade-docker";
        upgrade.title = "Upgrade Docker to 28.0.1 or later";
        upgrade.tradeoffs = "Fixes the order for good: 28.0.1 moved Docker's ACCEPTs into DOCKER-FORWARD, jumped to "
                            "from the top of FORWARD. Needs a package upgrade and a dockerd restart.";
        upgrade.manual.push_back({ "Upgrade the Docker packages", "Use the distribution's package manager.",
            { "apt-get install --only-upgrade docker-ce docker-ce-cli   # or dnf upgrade docker-ce" } });
        fixes.push_back(upgrade);
    }
    if (hostRule.chain == "FORWARD") {
        const std::string spec = joined(specWords(rule.text));
        fix::FixOption reappend;
        reappend.id = "reappend-host-rule";
        reappend.title = "Move the host rule back to the end of FORWARD";
        reappend.tradeoffs
            = "Restores the old order, but Docker 28.0.0 appends again whenever it creates a network, so "
              "it must be repeated after every network creation and dockerd restart.";
        reappend.manual.push_back({ "Delete and re-append the host rule", "Run after dockerd has created its networks.",
            { "iptables -D FORWARD " + spec, "iptables -A FORWARD " + spec } });
        fixes.push_back(reappend);
    }
}

std::string hostRuleImpact(const std::vector<const TracedFlow*>& hit)
{
    std::vector<std::string> broken;
    auto has = [&](FlowKind kind) {
        return std::any_of(hit.begin(), hit.end(), [&](const TracedFlow* t) { return t->probe.kind == kind; });
    };
    if (has(FlowKind::ContainerEgress))
        broken.push_back("containers cannot reach the Internet");
    if (has(FlowKind::ContainerToPeer))
        broken.push_back("containers cannot reach hosts on " + joinWords(distinct(hit, &FlowProbe::peerInterface)));
    if (has(FlowKind::PublishedPort))
        broken.push_back("connections to published ports time out");
    std::string impact = joinWords(broken);
    if (!impact.empty())
        impact[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(impact[0])));
    return impact;
}

std::vector<fix::FixOption> tailscaleFixes(const std::vector<const TracedFlow*>& hit)
{
    fix::FixOption mark;
    mark.id = "ts-forward-mark";
    mark.title = "Mark container traffic to the tailnet so ts-forward accepts it";
    mark.tradeoffs = "Works whichever daemon started last. tailscaled rebuilds ts-forward when it restarts, so the "
                     "rule must be re-applied (systemd unit ordered after tailscaled and docker).";
    for (const TracedFlow* t : hit)
        if (t->probe.kind == FlowKind::ContainerToPeer && !t->probe.peerSubnet.empty()) {
            std::vector<std::string> spec { "-i", t->probe.bridge, "-d", t->probe.peerSubnet, "-j", "MARK",
                "--set-xmark", "0x40000/0xff0000" };
            if (std::none_of(
                    mark.rules.begin(), mark.rules.end(), [&](const fix::RuleChange& r) { return r.spec == spec; }))
                mark.rules.push_back(insertRule("filter", "ts-forward", spec,
                    "gives " + t->probe.network
                        + "'s traffic to the tailnet Tailscale's mark, which ts-forward accepts"));
        }
    mark.persistUnit = true;
    mark.recommended = !mark.rules.empty();
    fix::FixOption restart;
    restart.id = "restart-docker";
    restart.title = "Restart dockerd so its chains come before ts-forward";
    restart.tradeoffs
        = "28.0.1 and later put DOCKER-FORWARD above ts-forward when dockerd starts last. Undone the next "
          "time tailscaled restarts; containers restart unless live-restore is on.";
    restart.manual.push_back({ "Restart dockerd after tailscaled", "Or order docker.service after tailscaled.service.",
        { "systemctl restart docker" } });
    fix::FixOption stateless;
    stateless.id = "disable-stateful-filtering";
    stateless.title = "Turn off Tailscale's stateful filtering";
    stateless.tradeoffs = "Tailnet peers may then open connections to anything this host forwards to.";
    stateless.manual.push_back({ "Disable stateful filtering", "", { "tailscale set --stateful-filtering=false" } });
    restart.recommended = !mark.recommended;
    return { mark, restart, stateless };
}

} // namespace

void checkHostForwardRule(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    std::vector<const TracedFlow*> hit;
    const engine::RuleRef* hostRule = nullptr;
    for (const TracedFlow& t : ctx.flows()) {
        const RuleRef& d = t.after.deciding;
        if (!containerFlow(t.probe) || !t.blockedAfter() || d.table != "filter" || d.index <= 0 || d.isPolicy())
            continue;
        if (!isHostProvenance(ctx.ruleEvidence(d, t.probe.packet.family, {}).provenance)
            || (ctx.before() && !t.brokeByChange()))
            continue;
        hit.push_back(&t);
        hostRule = hostRule ? hostRule : &d;
    }
    if (hit.empty())
        return;
    const bool byReply
        = std::any_of(hit.begin(), hit.end(), [](const TracedFlow* t) { return t->after.decidedByReply; });
    const EvidenceRule rule = ctx.ruleEvidence(*hostRule, Family::IPv4, {});
    Finding f;
    f.id = "host-forward-rule-before-docker";
    f.severity = ctx.before() ? Severity::Critical : Severity::High;
    f.title = "A host rule in " + hostRule->chain + " now runs before Docker's ACCEPT and blocks container traffic";
    f.explanation = "The rule `" + rule.text + "` (" + provenanceName(rule.provenance)
        + (rule.provenanceReason.empty() ? "" : ": " + rule.provenanceReason)
        + ") decides these flows before Docker's rules accept them. Docker 28.0.0 appends its per-network ACCEPT "
          "rules to FORWARD instead of inserting them, so a REJECT or DROP the host put at the end of FORWARD now "
          "comes first; 28.0.1 and later accept from DOCKER-FORWARD, jumped to from the top.";
    if (byReply)
        f.explanation
            += " For published ports the connection attempt itself gets through; it is the container's reply, "
               "leaving through the bridge, that the rule rejects, so the client just times out.";
    f.impact = hostRuleImpact(hit);
    addFlowEvidence(ctx, f, hit, ctx.before() ? "blocks the flow after the upgrade" : "blocks the flow");
    f.fixes.push_back(hostRuleFix(ctx, hit));
    addManualHostFixes(ctx, *hostRule, rule, f.fixes);
    for (const TracedFlow* t : hit)
        f.targets.push_back(targetOf(*t));
    out.push_back(std::move(f));
}

void checkTailscaleOrder(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    std::vector<const TracedFlow*> hit;
    for (const TracedFlow& t : ctx.flows()) {
        const RuleRef& d = t.after.deciding;
        if (t.probe.peerInterface.rfind("tailscale", 0) != 0 || !t.blockedAfter() || d.table != "filter"
            || d.index <= 0)
            continue;
        if (ctx.ruleEvidence(d, Family::IPv4, {}).provenance != Provenance::Tailscale
            || (ctx.before() && !t.brokeByChange()))
            continue;
        hit.push_back(&t);
    }
    if (hit.empty())
        return;
    const Table* filter = ctx.after().ipv4 ? ctx.after().ipv4->table("filter") : nullptr;
    const Chain* forward = filter ? filter->chain("FORWARD") : nullptr;
    int tsAt = forward ? jumpIndex(*forward, "ts-forward") : -1;
    int dockerAt = -1;
    for (const char* chain : { "DOCKER-USER", "DOCKER-FORWARD", "DOCKER" })
        if (int i = forward ? jumpIndex(*forward, chain) : -1; i >= 0 && (dockerAt < 0 || i < dockerAt))
            dockerAt = i;
    const bool tailscaleFirst = tsAt >= 0 && (dockerAt < 0 || tsAt < dockerAt);
    Finding f;
    f.id = "tailscale-forward-order";
    f.severity = Severity::High;
    f.title = "Tailscale's ts-forward drops container <-> tailnet traffic before Docker's rules accept it";
    f.explanation = std::string(tailscaleFirst
                            ? "tailscaled started (or restarted) after dockerd: its jump to ts-forward sits above "
                              "Docker's chains in FORWARD, "
                              "so ts-forward decides first."
                            : "dockerd started after tailscaled, yet a ts-forward rule still decides these flows "
                              "before one of Docker's "
                              "ACCEPTs (Docker 28.0.0 appends its per-network ACCEPTs after the ts-forward jump).")
        + " With stateful filtering on, ts-forward drops new connections from containers to the tailnet. Which daemon "
          "started last decides the order, so the breakage can come and go with restarts.";
    f.impact = "Containers cannot open connections to tailnet peers";
    addFlowEvidence(ctx, f, hit, "drops the flow");
    if (forward && tsAt >= 0)
        f.rules.push_back(
            ruleAt(*ctx.after().ipv4, *filter, *forward, tsAt, "sends FORWARD traffic to Tailscale's chain"));
    f.fixes = tailscaleFixes(hit);
    for (const TracedFlow* t : hit)
        f.targets.push_back(targetOf(*t));
    out.push_back(std::move(f));
}

} // namespace model::findings
