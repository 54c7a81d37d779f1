// Checks 6 and 7: the layout of Docker's chains (Swarm ingress, orphaned and stale chains, a layout that
// contradicts the reported version). These are read from the ruleset's structure: which chain jumps where.
#include "model/findings/checkutil.h"
#include "model/reachability.h"

#include <cstdlib>

namespace model::findings {

namespace {

struct Filter {
    const Ruleset* rules = nullptr;
    const Table* table = nullptr;
    const Chain* chain(std::string_view name) const { return table ? table->chain(name) : nullptr; }
};

Filter filterOf(const Snapshot& s)
{
    Filter f;
    f.rules = s.ipv4.get();
    f.table = f.rules ? f.rules->table("filter") : nullptr;
    return f;
}

bool anyJumpTo(const Table& table, std::string_view target)
{
    for (const Chain& c : table.chains)
        if (jumpIndex(c, target) >= 0)
            return true;
    return false;
}

fix::FixOption restartDocker(const std::string& why)
{
    fix::FixOption o;
    o.id = "restart-docker";
    o.title = "Restart dockerd so it rewrites its chains";
    o.tradeoffs = why;
    o.manual.push_back(
        { "Restart dockerd", "Containers restart unless live-restore is on.", { "systemctl restart docker" } });
    return o;
}

// The jump to DOCKER-INGRESS must come before Docker's per-network rules, or routing-mesh traffic is decided by them.
void swarmIngressIn(const AnalysisContext& ctx, const Filter& f, std::vector<Finding>& out)
{
    const Chain* forward = f.chain("FORWARD");
    const Chain* dockerForward = f.chain("DOCKER-FORWARD");
    const Chain* home = dockerForward && anyJumpTo(*f.table, "DOCKER-FORWARD") ? dockerForward : forward;
    if (!home)
        return;
    const int ingressAt = jumpIndex(*home, "DOCKER-INGRESS");
    int dockerAt = -1;
    for (const char* c : { "DOCKER", "DOCKER-BRIDGE", "DOCKER-FORWARD", "DOCKER-CT" })
        if (int i = jumpIndex(*home, c); i >= 0 && (dockerAt < 0 || i < dockerAt))
            dockerAt = i;
    const bool missing = ingressAt < 0;
    if (!missing && (dockerAt < 0 || ingressAt < dockerAt))
        return;
    const bool swarm = ctx.after().docker && ctx.after().docker->swarmActive.value_or(false);
    Finding x;
    x.id = "swarm-ingress-order";
    x.severity = swarm ? Severity::High : Severity::Medium;
    x.title = missing ? "Swarm's DOCKER-INGRESS chain is not jumped to from " + home->name
                      : "Swarm's DOCKER-INGRESS jump sits below Docker's per-network rules in " + home->name;
    x.explanation = "Routing-mesh published ports are accepted in DOCKER-INGRESS, which Docker jumps to first (from "
                    "FORWARD up to 28.0.0, from the top of DOCKER-FORWARD since 28.0.1). "
        + std::string(missing ? "Nothing jumps to it here, so its rules never run."
                              : "Here Docker's per-network chains come first and decide the traffic before it.");
    x.impact = "Swarm services' published ports (routing mesh) stop answering";
    if (!missing)
        x.rules.push_back(ruleAt(*f.rules, *f.table, *home, ingressAt, "the jump to DOCKER-INGRESS, too late"));
    if (dockerAt >= 0)
        x.rules.push_back(ruleAt(*f.rules, *f.table, *home, dockerAt, "runs before DOCKER-INGRESS"));
    fix::FixOption jump;
    jump.id = "jump-first";
    jump.title = "Jump to DOCKER-INGRESS at the top of " + home->name;
    jump.tradeoffs = "Restores Docker's order until dockerd rewrites its rules; a leftover later jump is harmless.";
    jump.rules.push_back(insertRule("filter", home->name, { "-j", "DOCKER-INGRESS" },
        "sends routing-mesh traffic to Swarm's chain before the per-network rules"));
    jump.recommended = true;
    x.fixes = { jump, restartDocker("dockerd re-creates the jump in its place; needed anyway if it went missing.") };
    out.push_back(std::move(x));
}

void orphanedForward(const Filter& f, std::vector<Finding>& out)
{
    const Chain* dockerForward = f.chain("DOCKER-FORWARD");
    const Chain* forward = f.chain("FORWARD");
    if (!dockerForward || dockerForward->rules.empty() || anyJumpTo(*f.table, "DOCKER-FORWARD") || !forward)
        return;
    Finding x;
    x.id = "docker-forward-orphaned";
    x.severity = Severity::High;
    x.title = "Nothing jumps to DOCKER-FORWARD, so Docker's forwarding rules never run";
    x.explanation = "Since 28.0.1 Docker accepts container traffic in DOCKER-FORWARD, jumped to from FORWARD right "
                    "after DOCKER-USER. The jump is gone here (a firewall reload or a script flushed FORWARD), so "
                    "FORWARD's own rules and policy decide all container traffic.";
    x.impact = "Containers lose outbound access and published ports stop working wherever FORWARD does not accept them";
    x.rules.push_back(EvidenceRule { f.rules->family, "filter", "DOCKER-FORWARD", 0, ":DOCKER-FORWARD",
        dockerForward->provenance, dockerForward->provenanceReason, "holds Docker's ACCEPTs, never reached" });
    fix::FixOption jump;
    jump.id = "restore-jump";
    jump.title = "Put the jump to DOCKER-FORWARD back after DOCKER-USER";
    const int userAt = jumpIndex(*forward, "DOCKER-USER");
    fix::RuleChange r = insertRule(
        "filter", "FORWARD", { "-j", "DOCKER-FORWARD" }, "sends forwarded traffic to Docker's chain again");
    r.position = userAt >= 0 ? userAt + 2 : 1;
    jump.rules.push_back(r);
    jump.tradeoffs = "Immediate; dockerd restores the same jump when it restarts.";
    jump.recommended = true;
    x.fixes = { jump, restartDocker("dockerd re-creates the jump; whatever removed it may do so again.") };
    out.push_back(std::move(x));
}

void userReturn(const Filter& f, std::vector<Finding>& out)
{
    const Chain* user = f.chain("DOCKER-USER");
    if (!user)
        return;
    for (std::size_t i = 0; i + 1 < user->rules.size(); ++i) {
        const Rule& r = user->rules[i];
        if (r.target.name != "RETURN" || r.target.kind != Target::Kind::Jump || !isUnconditional(r))
            continue;
        Finding x;
        x.id = "docker-user-return";
        x.severity = Severity::Medium;
        x.title = "A DOCKER-USER -j RETURN left by an older Docker hides the rules after it";
        x.explanation = "Docker up to 28.2.1 created DOCKER-USER with a final -j RETURN. Rules appended after it "
                        "(iptables -A DOCKER-USER ...) never run; only rules inserted above it (-I) do.";
        x.impact = std::to_string(user->rules.size() - i - 1) + " DOCKER-USER rule(s) you added have no effect";
        x.rules.push_back(ruleAt(*f.rules, *f.table, *user, static_cast<int>(i), "returns before the rules below"));
        for (std::size_t j = i + 1; j < user->rules.size(); ++j)
            x.rules.push_back(ruleAt(*f.rules, *f.table, *user, static_cast<int>(j), "never runs"));
        fix::FixOption del;
        del.id = "delete-return";
        del.title = "Delete the RETURN (newer Docker versions no longer create it)";
        del.tradeoffs = "The rules below it take effect at once: check they do what you mean.";
        del.manual.push_back({ "Delete the RETURN rule", "", { "iptables -D DOCKER-USER -j RETURN" } });
        del.recommended = true;
        x.fixes = { del };
        out.push_back(std::move(x));
        return;
    }
}

void versionLayout(const AnalysisContext& ctx, const Filter& f, std::vector<Finding>& out)
{
    const auto& docker = ctx.after().docker;
    if (!docker || !docker->version || docker->version->empty() || !f.chain("DOCKER"))
        return;
    const std::string& version = *docker->version;
    const int major = std::atoi(version.c_str());
    std::vector<std::string> newChains;
    for (const char* c : { "DOCKER-FORWARD", "DOCKER-CT", "DOCKER-BRIDGE" })
        if (f.chain(c))
            newChains.push_back(c);
    Finding x;
    if (major > 0 && major < 28 && !newChains.empty()) {
        x.id = "downgrade-leftover-chains";
        x.title = "Chains written by Docker 28 remain under Docker " + version;
        x.explanation = "Docker " + version + " does not create " + joinWords(newChains)
            + "; they were left behind by a newer version (a downgrade without a reboot). Their rules may still be "
              "jumped to and decide traffic the running daemon does not expect.";
        x.impact = "Container traffic may follow rules no running component maintains";
        x.fixes
            = { restartDocker("Does not remove them: flush and delete the chains with dockerd stopped, or reboot.") };
        x.fixes.front().manual.front().commands = { "systemctl stop docker",
            "iptables -F DOCKER-FORWARD; iptables -X DOCKER-FORWARD   # and the others listed",
            "systemctl start docker" };
    } else if (major >= 28 && version != "28.0.0" && newChains.empty()) {
        x.id = "layout-version-mismatch";
        x.title = "Docker reports " + version + " but its chains have the pre-28.0.1 layout";
        x.explanation = "Docker 28.0.1 and later accept container traffic in DOCKER-FORWARD. This ruleset has Docker's "
                        "chains without it: the rules were written by an older daemon (and the running one has not "
                        "rewritten them: iptables disabled, or a saved ruleset restored over them).";
        x.impact = "Forwarding behaves like an older Docker; findings about the upgrade may not match what runs";
        x.fixes = { restartDocker("Lets the running daemon write its own layout.") };
    } else {
        return;
    }
    x.severity = Severity::Medium;
    for (const auto& name : newChains)
        if (const Chain* c = f.chain(name))
            x.rules.push_back(EvidenceRule { f.rules->family, "filter", name, 0, ":" + name, c->provenance,
                c->provenanceReason, "chain of the 28.x layout" });
    x.fixes.front().recommended = true;
    out.push_back(std::move(x));
}

} // namespace

void checkSwarmIngress(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    const Filter f = filterOf(ctx.after());
    if (f.chain("DOCKER-INGRESS"))
        swarmIngressIn(ctx, f, out);
}

void checkStaleChains(const AnalysisContext& ctx, std::vector<Finding>& out)
{
    const Filter f = filterOf(ctx.after());
    if (!f.table)
        return;
    orphanedForward(f, out);
    userReturn(f, out);
    versionLayout(ctx, f, out);
}

} // namespace model::findings
