// Checks 1 and 2: traffic routed straight to container addresses, stopped by Docker 28's raw PREROUTING drop
// or by a network's DROP for unpublished ports.
#include "model/findings/checkutil.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <tuple>

namespace model::findings {

using namespace model::engine;

namespace {

// The peers of one interface reaching the containers of one network.
struct RouteGroup {
    std::string iface;
    std::string peerSubnet;
    std::string peerName;
    std::string network;
    std::string bridge;
    std::string bridgeSubnet;
    bool unpublished = false; // some of its flows go to ports Docker did not publish
};

std::vector<RouteGroup> groupsOf(const std::vector<const TracedFlow*>& flows)
{
    std::map<std::tuple<std::string, std::string, std::string>, RouteGroup> groups;
    for (const TracedFlow* t : flows) {
        const FlowProbe& p = t->probe;
        auto [it, added] = groups.emplace(std::tuple { p.peerInterface, p.peerSubnet, p.bridge },
            RouteGroup { p.peerInterface, p.peerSubnet, p.peerName, p.network, p.bridge, p.bridgeSubnet, false });
        it->second.unpublished = it->second.unpublished || !p.publishedPort;
    }
    std::vector<RouteGroup> out;
    for (auto& [key, g] : groups)
        out.push_back(std::move(g));
    return out;
}

fix::RuleChange dockerUserAccept(const RouteGroup& g, const std::string& why)
{
    return insertRule(
        "filter", "DOCKER-USER", { "-i", g.iface, "-s", g.peerSubnet, "-o", g.bridge, "-j", "ACCEPT" }, why);
}

std::string impactText(const std::vector<RouteGroup>& groups, bool changed, const char* what)
{
    std::map<std::string, std::vector<std::string>> peersByNetwork;
    for (const auto& g : groups)
        peersByNetwork[g.network].push_back(g.peerName + " peers on " + g.iface + " (" + g.peerSubnet + ")");
    std::vector<std::string> parts;
    for (const auto& [network, peers] : peersByNetwork)
        parts.push_back(joinWords(peers) + (changed ? " can no longer reach " : " cannot reach ") + what
            + " of containers on " + network + " by their addresses");
    return joinWords(parts);
}

fix::FixOption rawExemption(const std::vector<RouteGroup>& groups)
{
    fix::FixOption o;
    o.id = "raw-exemption";
    o.title = "Exempt the routed peers in raw PREROUTING and accept them in DOCKER-USER";
    o.tradeoffs
        = "Works on every Docker 28 release and needs no restart. The published ports become reachable on the "
          "container addresses from that subnet; with the DOCKER-USER rule (added where unpublished ports are to "
          "be reached) every port is, as routed access was before 28.0. raw rules do not survive a reboot: a "
          "systemd unit ordered after docker.service re-applies them (Docker itself never flushes raw "
          "PREROUTING or DOCKER-USER).";
    for (const auto& g : groups) {
        o.rules.push_back(
            insertRule("raw", "PREROUTING", { "-i", g.iface, "-s", g.peerSubnet, "-d", g.bridgeSubnet, "-j", "ACCEPT" },
                "lets " + g.peerName + " packets for " + g.network
                    + " past Docker's per-container DROP, which raw runs before filter"));
        if (g.unpublished) // only where unpublished ports are to be reached: nothing more is opened
            o.rules.push_back(
                dockerUserAccept(g, "accepts them in filter before the network's DROP for unpublished ports"));
    }
    o.persistUnit = true;
    o.recommended = true;
    return o;
}

fix::FixOption trustedInterfaces(const std::vector<RouteGroup>& groups)
{
    fix::FixOption o;
    o.id = "trusted-host-interfaces";
    o.title = "Re-create the network with com.docker.network.bridge.trusted_host_interfaces";
    o.tradeoffs = "Docker's own way (28.2.0 and later). The network must be removed and re-created, so its containers "
                  "are stopped and reconnected. Only published ports become reachable on the container addresses; "
                  "unpublished ports stay dropped by the network's DROP rule unless a DOCKER-USER rule accepts them.";
    std::map<std::string, std::vector<std::string>> byNetwork;
    std::map<std::string, std::string> subnets;
    for (const auto& g : groups) {
        auto& ifaces = byNetwork[g.network];
        if (std::find(ifaces.begin(), ifaces.end(), g.iface) == ifaces.end())
            ifaces.push_back(g.iface);
        subnets[g.network] = g.bridgeSubnet;
    }
    for (const auto& [network, ifaces] : byNetwork) {
        std::string list;
        for (const auto& i : ifaces)
            list += (list.empty() ? "" : ":") + i;
        o.manual.push_back(fix::ManualStep { "Re-create " + network + " trusting " + joinWords(ifaces),
            "The option takes a colon-separated list of interfaces whose packets may reach the containers' published "
            "ports directly. Stop the network's containers first and start them again afterwards (or re-run compose).",
            { "docker network inspect " + network + "   # note its subnet, options and containers",
                "docker network rm " + network,
                "docker network create -d bridge --subnet " + subnets[network]
                    + " -o com.docker.network.bridge.trusted_host_interfaces=" + list + " " + network } });
    }
    return o;
}

fix::FixOption allowDirectRouting()
{
    fix::FixOption o;
    o.id = "allow-direct-routing";
    o.title = "Set allow-direct-routing in daemon.json";
    o.tradeoffs = "Docker's own switch (28.2.0 and later) for the whole daemon: every interface and every network "
                  "lose the per-container raw DROP. dockerd must restart (containers restart unless live-restore is "
                  "on). Unpublished ports stay dropped by each network's DROP rule.";
    o.manual.push_back(fix::ManualStep { "Set allow-direct-routing in /etc/docker/daemon.json",
        "Add the key to the existing JSON object, then restart dockerd.",
        { "# /etc/docker/daemon.json: { ..., \"allow-direct-routing\": true }", "systemctl restart docker" } });
    return o;
}

fix::FixOption gatewayMode(const std::vector<RouteGroup>& groups)
{
    fix::FixOption o;
    o.id = "gateway-mode";
    o.title = "Re-create the network with gateway mode nat-unprotected";
    o.tradeoffs = "No raw DROP and no per-network DROP: every port of every container on the network is reachable "
                  "from anywhere that can route to it, not only from the trusted peers. The network must be "
                  "re-created. ('routed' goes further and stops NAT for the network.)";
    std::map<std::string, std::string> subnets;
    for (const auto& g : groups)
        subnets[g.network] = g.bridgeSubnet;
    for (const auto& [network, subnet] : subnets)
        o.manual.push_back(fix::ManualStep { "Re-create " + network + " with gateway_mode_ipv4=nat-unprotected",
            "Stop the network's containers first and start them again afterwards.",
            { "docker network rm " + network,
                "docker network create -d bridge --subnet " + subnet
                    + " -o com.docker.network.bridge.gateway_mode_ipv4=nat-unprotected " + network } });
    return o;
}

bool decidedInRawPrerouting(const TracedFlow& t)
{
    const RuleRef& d = t.after.deciding;
    return t.after.fate == Fate::Drop && !t.after.decidedByReply && d.table == "raw" && d.chain == "PREROUTING";
}

// The DROP Docker writes per network for packets from elsewhere to ports it did not publish.
bool decidedByNetworkDrop(const TracedFlow& t, const AnalysisContext& ctx)
{
    const RuleRef& d = t.after.deciding;
    if (t.after.fate != Fate::Drop || d.table != "filter" || d.chain != "DOCKER" || d.index <= 0)
        return false;
    return ctx.ruleEvidence(d, Family::IPv4, {}).provenance == Provenance::Docker;
}

} // namespace

void checkDirectRouting(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    std::vector<const TracedFlow*> hit;
    for (const TracedFlow& t : ctx.flows())
        if (t.probe.kind == FlowKind::DirectToContainer && decidedInRawPrerouting(t)
            && (!ctx.before() || t.brokeByChange()))
            hit.push_back(&t);
    if (hit.empty())
        return;
    const bool changed = ctx.before() != nullptr;
    const auto groups = groupsOf(hit);
    Finding f;
    f.id = "direct-routing-raw-drop";
    f.severity = changed ? Severity::High : Severity::Medium;
    std::vector<std::string> ifaces;
    for (const auto& g : groups)
        if (std::find(ifaces.begin(), ifaces.end(), g.iface) == ifaces.end())
            ifaces.push_back(g.iface);
    f.title = "Docker drops traffic routed straight to container addresses from " + joinWords(ifaces);
    f.explanation = "Since 28.0 Docker adds a rule per container in raw PREROUTING that drops packets for the "
                    "container's address arriving on any interface but its bridge (moby#49325). raw runs before "
                    "filter, so no DOCKER-USER rule can let them through: only a raw-table exemption, a network or "
                    "daemon option, or a gateway mode can.";
    f.impact = impactText(groups, changed, "any port");
    if (!changed)
        f.impact += " (only the published ports on the host's own address work)";
    addFlowEvidence(ctx, f, hit, changed ? "drops the flow after the upgrade" : "drops the flow");
    f.fixes = { rawExemption(groups), trustedInterfaces(groups), allowDirectRouting(), gatewayMode(groups) };
    for (const TracedFlow* t : hit)
        f.targets.push_back(targetOf(*t));
    out.push_back(std::move(f));
}

namespace {

// Without a before snapshot: which of these flows a later rule would accept if Docker's DROP were not there. The
// engine answers that on the ruleset without the DROP.
std::vector<std::pair<const TracedFlow*, RuleRef>> acceptedWithoutDrop(
    const AnalysisContext& ctx, const std::vector<const TracedFlow*>& dropped)
{
    std::vector<std::pair<const TracedFlow*, RuleRef>> out;
    std::map<std::string, std::shared_ptr<const Engine>> engines; // per DROP rule removed
    for (const TracedFlow* t : dropped) {
        const RuleRef& d = t->after.deciding;
        auto& engine = engines[d.chain + "#" + std::to_string(d.index)];
        if (!engine) {
            Ruleset without = *ctx.after().ipv4;
            for (auto& table : without.tables)
                if (table.name == d.table)
                    for (auto& chain : table.chains)
                        if (chain.name == d.chain && d.index > 0
                            && static_cast<std::size_t>(d.index) <= chain.rules.size())
                            chain.rules.erase(chain.rules.begin() + (d.index - 1));
            engine = std::make_shared<const Engine>(
                std::make_shared<const Ruleset>(std::move(without)), ctx.after().ipv6, ctx.afterEngine().host());
        }
        const FlowResult r = engine->traceFlow(t->probe.packet);
        if (r.fate == Fate::Accept && !r.deciding.empty() && !r.deciding.isPolicy())
            out.emplace_back(t, r.deciding);
    }
    return out;
}

std::vector<fix::FixOption> unpublishedFixes(const std::vector<RouteGroup>& groups)
{
    fix::FixOption userRule;
    userRule.id = "docker-user-accept";
    userRule.title = "Accept the routed peers in DOCKER-USER";
    userRule.tradeoffs = "No restart, survives dockerd restarts (Docker never flushes DOCKER-USER) but not a reboot "
                         "without the systemd unit. Opens every port of the network's containers to that subnet.";
    for (const auto& g : groups)
        userRule.rules.push_back(dockerUserAccept(
            g, "accepts " + g.peerName + " traffic to " + g.network + " before Docker's DROP for unpublished ports"));
    userRule.persistUnit = true;
    userRule.recommended = true;
    fix::FixOption publish;
    publish.id = "publish-ports";
    publish.title = "Publish the ports that must be reachable";
    publish.tradeoffs = "Docker's own model: only the published ports open, and they open to everyone who can reach "
                        "the host's address, not only to the routed peers. Containers must be re-created.";
    publish.manual.push_back(fix::ManualStep { "Publish the ports with -p (or ports: in compose)",
        "Re-create each container with the port published; bind it to one host address to limit who can reach it.",
        { "docker run ... -p <host-port>:<container-port> ..." } });
    return { userRule, publish };
}

// The flows Docker's per-network DROP stops that were accepted before, or (without a before snapshot) that a
// later rule would accept; laterAccepts gets those rules.
void collectUnpublished(
    const AnalysisContext& ctx, std::vector<const TracedFlow*>& hit, std::vector<RuleRef>& laterAccepts)
{
    if (ctx.before()) {
        for (const TracedFlow& t : ctx.flows())
            if (t.probe.kind == FlowKind::DirectToContainer && decidedByNetworkDrop(t, ctx) && t.brokeByChange())
                hit.push_back(&t);
    } else if (ctx.after().ipv4) {
        std::vector<const TracedFlow*> dropped;
        for (const TracedFlow& t : ctx.flows())
            if (t.probe.kind == FlowKind::DirectToContainer && decidedByNetworkDrop(t, ctx))
                dropped.push_back(&t);
        for (const auto& [t, rule] : acceptedWithoutDrop(ctx, dropped)) {
            hit.push_back(t);
            if (std::find(laterAccepts.begin(), laterAccepts.end(), rule) == laterAccepts.end())
                laterAccepts.push_back(rule);
        }
    }
}

} // namespace

void checkUnpublishedPortDrop(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    std::vector<const TracedFlow*> hit;
    std::vector<RuleRef> laterAccepts;
    collectUnpublished(ctx, hit, laterAccepts);
    if (hit.empty())
        return;
    const auto groups = groupsOf(hit);
    Finding f;
    f.id = "unpublished-port-drop";
    f.severity = ctx.before() ? Severity::High : Severity::Medium;
    f.title = ctx.before()
        ? "Docker's per-network DROP now stops traffic to unpublished container ports that used to be accepted"
        : "Docker's per-network DROP stops traffic to unpublished container ports that a later rule accepts";
    std::vector<std::string> acceptedBy;
    for (const TracedFlow* t : hit)
        if (t->before
            && std::find(acceptedBy.begin(), acceptedBy.end(), t->before->deciding.qualified()) == acceptedBy.end())
            acceptedBy.push_back(t->before->deciding.qualified());
    for (const RuleRef& r : laterAccepts)
        acceptedBy.push_back(r.qualified());
    f.explanation
        = std::string("Docker 28 ends each network's part of its DOCKER chain with a DROP for packets from other "
                      "interfaces to ports it did not publish. That DROP decides flows that a later rule ")
        + (ctx.before() ? "used to accept (before: " : "would accept (") + joinWords(acceptedBy)
        + "). DOCKER-USER runs before it, so an ACCEPT there restores them.";
    f.impact = impactText(groups, ctx.before() != nullptr, "unpublished ports");
    addFlowEvidence(ctx, f, hit, ctx.before() ? "drops the flow after the upgrade" : "drops the flow");
    std::set<std::string> seen;
    for (const TracedFlow* t : hit)
        if (t->before && seen.insert(t->before->deciding.qualified()).second)
            f.rules.push_back(
                ctx.ruleEvidence(t->before->deciding, Family::IPv4, "accepted the flow before the upgrade", true));
    for (const RuleRef& r : laterAccepts)
        f.rules.push_back(ctx.ruleEvidence(r, Family::IPv4, "would accept the flow, but runs after Docker's DROP"));
    f.fixes = unpublishedFixes(groups);
    for (const TracedFlow* t : hit)
        f.targets.push_back(targetOf(*t));
    out.push_back(std::move(f));
}

} // namespace model::findings
