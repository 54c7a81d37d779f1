// Checks 8 and 9: an IPv6 FORWARD policy left from 27.x, two iptables backends holding rules, and rules no
// packet can reach.
#include "model/findings/checkutil.h"
#include "model/reachability.h"

#include <algorithm>

namespace model::findings {

namespace {

std::size_t appendedRules(const std::string& text)
{
    std::size_t n = 0;
    for (std::size_t pos = text.find("-A "); pos != std::string::npos; pos = text.find("-A ", pos + 3))
        if (pos == 0 || text[pos - 1] == '\n')
            ++n;
    return n;
}

void ipv6ForwardPolicy(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    const Ruleset* v6 = ctx.after().ipv6.get();
    const Table* filter = v6 ? v6->table("filter") : nullptr;
    const Chain* forward = filter ? filter->chain("FORWARD") : nullptr;
    const auto major = AnalysisContext::dockerMajor(ctx.after());
    if (!forward || forward->policy != "DROP" || major.value_or(0) < 28)
        return;
    // Docker 28 leaves the IPv6 FORWARD policy alone; a DROP there came from 27.x (or the admin).
    const bool dockerRulesInForward = std::any_of(
        forward->rules.begin(), forward->rules.end(), [](const Rule& r) { return r.provenance == Provenance::Docker; });
    const bool forwarding = ctx.after().sysctl("net.ipv6.conf.all.forwarding").value_or("0") == "1";
    Finding x;
    x.id = "ipv6-forward-policy-drop";
    x.severity = forwarding ? Severity::Medium : Severity::Low;
    x.title = "The IPv6 FORWARD policy is DROP, as Docker 27 set it; Docker 28 would leave it ACCEPT";
    x.explanation = "Docker 27.x set ip6tables' FORWARD policy to DROP on every start; 28.x no longer does. After an "
                    "in-place upgrade the DROP survives until the next reboot, when it silently becomes ACCEPT."
        + std::string(dockerRulesInForward ? "" : " No Docker rule in the IPv6 FORWARD chain relies on it.");
    x.impact = forwarding
        ? "IPv6 traffic this host routes (a Tailscale IPv6 subnet route or exit node, a VPN) is dropped now and will "
          "be "
          "forwarded unfiltered after a reboot"
        : "Nothing today (IPv6 forwarding is off or unknown), but the policy will differ after a reboot";
    x.rules.push_back(policyOf(*v6, *filter, *forward, "drops forwarded IPv6 until the next reboot"));
    const Ruleset* old = ctx.before() ? ctx.before()->ipv6.get() : nullptr;
    const Chain* oldForward = old && old->table("filter") ? old->table("filter")->chain("FORWARD") : nullptr;
    if (oldForward && oldForward->policy == "DROP" && AnalysisContext::dockerMajor(*ctx.before()).value_or(28) < 28)
        x.title = "The IPv6 FORWARD policy DROP that Docker 27 set survived the upgrade; Docker 28 no longer sets it";
    fix::FixOption keep;
    keep.id = "make-explicit";
    keep.title = "Decide the IPv6 forwarding policy and persist it";
    keep.tradeoffs = "Either choice is fine if it is deliberate; what is not fine is a policy that flips at reboot.";
    keep.manual.push_back(
        { "Persist the policy you want", "With iptables-persistent or a systemd unit after docker.service.",
            { "ip6tables -P FORWARD DROP    # keep dropping routed IPv6, or",
                "ip6tables -P FORWARD ACCEPT  # forward it, as 28.x does after a reboot" } });
    keep.recommended = true;
    x.fixes = { keep };
    out.push_back(std::move(x));
}

void mixedBackends(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    std::vector<std::string> holders;
    for (const SourceRecord& r : ctx.after().sources)
        if ((r.kind == SourceKind::IptablesV4 || r.kind == SourceKind::IptablesV6) && !r.variant.empty()
            && appendedRules(r.text) > 0)
            if (std::find(holders.begin(), holders.end(), r.variant) == holders.end())
                holders.push_back(r.variant);
    if (holders.size() < 2)
        return;
    Finding x;
    x.id = "mixed-backends";
    x.severity = Severity::High;
    x.title = "Both iptables-legacy and iptables-nft hold rules on this host";
    x.explanation = "The kernel runs both rule sets: a packet must get through the legacy tables and the nf_tables "
                    "ones. Tools that use different backends (an old Docker or a firewall script on one, the "
                    "distribution's iptables on the other) each see only half of the firewall. The analysis follows "
        + std::string(ctx.after().ipv4 ? backendName(ctx.after().ipv4->backend) : "one") + " only.";
    x.impact = "A rule you add may have no effect, and a DROP you cannot see with `iptables -S` may stop traffic";
    fix::FixOption one;
    one.id = "one-backend";
    one.title = "Keep one backend and flush the other";
    one.tradeoffs = "Decide which one Docker and your firewall use (update-alternatives --display iptables) first.";
    one.manual.push_back({ "Compare and flush the unused backend", "",
        { "iptables-legacy-save | grep -c '^-A'; iptables-nft-save | grep -c '^-A'",
            "iptables-legacy -F; iptables-legacy -X   # only if legacy is the unused one" } });
    one.recommended = true;
    x.fixes = { one };
    out.push_back(std::move(x));
}

// The earliest rule before `index` in the chain that ends every packet's walk through it.
int shadowingRule(const Chain& chain, std::size_t index)
{
    for (std::size_t i = 0; i < index; ++i) {
        const Rule& r = chain.rules[i];
        if (r.target.kind == Target::Kind::Goto && isUnconditional(r))
            return static_cast<int>(i);
        static const std::vector<std::string> terminal { "ACCEPT", "DROP", "REJECT", "RETURN", "QUEUE" };
        if (std::find(terminal.begin(), terminal.end(), r.target.name) != terminal.end() && isUnconditional(r))
            return static_cast<int>(i);
    }
    return -1;
}

void unreachableIn(const Ruleset& rs, Finding& x, std::size_t& count)
{
    const Reachability reach = findUnreachableRules(rs);
    for (std::size_t t = 0; t < rs.tables.size(); ++t)
        for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c) {
            const Chain& chain = rs.tables[t].chains[c];
            for (std::size_t r = 0; r < chain.rules.size(); ++r) {
                const std::string& why = reach.reason(t, c, r);
                if (why.empty())
                    continue;
                ++count;
                if (x.rules.size() >= 40)
                    continue;
                const int by = shadowingRule(chain, r);
                if (by >= 0 && by + 1 == static_cast<int>(r))
                    x.rules.push_back(ruleAt(rs, rs.tables[t], chain, by, "shadows the rules after it"));
                x.rules.push_back(ruleAt(rs, rs.tables[t], chain, static_cast<int>(r), "unreachable: " + why));
            }
        }
}

} // namespace

void checkIpv6AndBackends(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    ipv6ForwardPolicy(ctx, out);
    mixedBackends(ctx, out);
}

void checkUnreachableRules(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    Finding x;
    std::size_t count = 0;
    for (const Ruleset* rs : { ctx.after().ipv4.get(), ctx.after().ipv6.get() })
        if (rs)
            unreachableIn(*rs, x, count);
    if (count == 0)
        return;
    x.id = "unreachable-rules";
    // Docker's own chains that nothing jumps to (IPv6 isolation chains of 27.x) are harmless leftovers.
    const bool onlyDockerLeftovers = std::all_of(x.rules.begin(), x.rules.end(), [](const EvidenceRule& r) {
        return r.provenance == Provenance::Docker && r.role.find("is never jumped to") != std::string::npos;
    });
    x.severity = onlyDockerLeftovers ? Severity::Info : Severity::Low;
    x.title = std::to_string(count) + " rule(s) can never match: earlier rules or missing jumps shadow them";
    x.explanation = "No packet reaches these rules: an earlier rule in the same chain accepts, drops or returns every "
                    "packet, or nothing jumps to their chain. Whatever they were meant to do does not happen.";
    x.impact = "Rules you may rely on have no effect";
    out.push_back(std::move(x));
}

} // namespace model::findings
