// Check 5: can each network's containers still reach the nameservers they use, by the path Docker uses?
#include "model/findings/checkutil.h"

#include <algorithm>

namespace model::findings {

using namespace model::engine;

namespace {

void addDnsRules(fix::FixOption& o, const TracedFlow& t)
{
    const FlowProbe& p = t.probe;
    const bool hostPath = p.packet.fromLocalProcess;
    for (const char* proto : { "udp", "tcp" }) {
        std::vector<std::string> spec = hostPath
            ? std::vector<std::string> { "-d", p.nameserver, "-p", proto, "--dport", "53", "-j", "ACCEPT" }
            : std::vector<std::string> { "-i", p.bridge, "-d", p.nameserver, "-p", proto, "--dport", "53", "-j",
                  "ACCEPT" };
        fix::RuleChange r = insertRule("filter", hostPath ? "OUTPUT" : "DOCKER-USER", spec,
            std::string("lets ") + (hostPath ? "Docker's embedded resolver" : p.network + "'s containers") + " query "
                + p.nameserver + " over " + proto);
        if (std::none_of(o.rules.begin(), o.rules.end(),
                [&](const fix::RuleChange& x) { return x.spec == r.spec && x.chain == r.chain; }))
            o.rules.push_back(std::move(r));
        if (!t.after.decidedByReply)
            continue;
        std::vector<std::string> back = hostPath
            ? std::vector<std::string> { "-s", p.nameserver, "-p", proto, "--sport", "53", "-m", "conntrack",
                  "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT" }
            : std::vector<std::string> { "-o", p.bridge, "-s", p.nameserver, "-p", proto, "--sport", "53", "-m",
                  "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT" };
        fix::RuleChange reply = insertRule("filter", hostPath ? "INPUT" : "DOCKER-USER", back,
            "accepts the nameserver's answers, which the firewall stops now");
        if (std::none_of(
                o.rules.begin(), o.rules.end(), [&](const fix::RuleChange& x) { return x.spec == reply.spec; }))
            o.rules.push_back(std::move(reply));
    }
}

} // namespace

void checkDns(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    std::vector<const TracedFlow*> hit;
    for (const TracedFlow& t : ctx.flows())
        if (t.probe.kind == FlowKind::Dns && t.blockedAfter())
            hit.push_back(&t);
    if (hit.empty())
        return;
    const bool changed = std::any_of(hit.begin(), hit.end(), [](const TracedFlow* t) { return t->brokeByChange(); });
    const bool hostPath
        = std::any_of(hit.begin(), hit.end(), [](const TracedFlow* t) { return t->probe.packet.fromLocalProcess; });
    const bool forwardPath
        = std::any_of(hit.begin(), hit.end(), [](const TracedFlow* t) { return !t->probe.packet.fromLocalProcess; });
    const auto networks = distinct(hit, &FlowProbe::network);
    const auto servers = distinct(hit, &FlowProbe::nameserver);
    Finding f;
    f.id = "dns-unreachable";
    f.severity = changed ? Severity::High : Severity::Medium;
    f.title = "Containers on " + joinWords(networks) + " cannot reach nameserver " + joinWords(servers);
    if (hostPath)
        f.explanation += "Since 28.0 Docker's embedded resolver (127.0.0.11) forwards the queries of user-defined "
                         "networks from the host's own namespace: they leave through OUTPUT with the host's address, "
                         "not through FORWARD, and the rule shown stops them there. ";
    if (forwardPath)
        f.explanation += "Containers on the default bridge (and user-defined networks before 28.0) send their queries "
                         "themselves, through FORWARD like any other traffic, and the rule shown stops them there.";
    f.impact = "Name resolution fails inside containers on " + joinWords(networks)
        + (changed ? " since the upgrade" : "") + ": anything that looks up a host name breaks";
    addFlowEvidence(ctx, f, hit, "stops the DNS query");
    fix::FixOption o;
    o.id = "accept-dns";
    o.title = "Accept DNS to the nameservers on the path Docker uses";
    o.tradeoffs = "Opens only port 53 to the listed nameservers. Survives dockerd restarts, not a reboot without the "
                  "systemd unit.";
    for (const TracedFlow* t : hit)
        addDnsRules(o, *t);
    o.persistUnit = true;
    o.recommended = true;
    f.fixes.push_back(std::move(o));
    for (const TracedFlow* t : hit)
        f.targets.push_back(targetOf(*t));
    out.push_back(std::move(f));
}

} // namespace model::findings
