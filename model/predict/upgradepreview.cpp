#include "model/predict/upgradepreview.h"

#include "model/predict/dialect.h"
#include "model/predict/dockersetup.h"
#include "model/predict/hostrules.h"
#include "model/predict/rulewriter.h"

#include <algorithm>

namespace model::predict {

namespace {

const NetworkSpec* defaultBridge(const DockerSetup& setup)
{
    for (const auto& n : setup.networks)
        if (n.isDefault)
            return &n;
    return nullptr;
}

void startEndpoints(RuleWriter& w, const Dialect& d, const DockerSetup& setup)
{
    for (const auto& net : setup.networks)
        for (const auto& ep : net.endpoints) {
            w.event("dockerd " + d.release().text() + ": endpoint " + ep.container + " on " + net.name);
            d.endpoint(w, setup, net, ep);
        }
}

void createThroughController(RuleWriter& w, const Dialect& d, const DockerSetup& setup, const NetworkSpec& net)
{
    w.event("dockerd " + d.release().text() + ": createNetwork " + net.name + " (" + net.bridge + ")");
    d.createNetwork(w, setup, net);
    if (!d.userChainPerNetwork())
        return;
    d.setupUserChain(w);
    if (net.isDefault) // 27.5: the daemon sets the chain up once more after configuring its default bridge
        d.setupUserChain(w);
}

// programIngress (REPORT.md §12): chains and rules alike in every line; the filter jump is inserted into
// FORWARD (with DOCKER-USER put back above it) before 28.0.1, and is DOCKER-FORWARD's first rule since.
void programIngress(RuleWriter& w, const Dialect& d, const DockerSetup& setup)
{
    if (!setup.ingress || !w.enabled(Family::IPv4))
        return;
    constexpr Family v4 = Family::IPv4;
    w.event("dockerd " + d.release().text() + ": Swarm ingress");
    w.newChain(v4, "nat", "DOCKER-INGRESS");
    for (const char* chain : { "PREROUTING", "OUTPUT" })
        w.rule(v4, "nat", chain, Place::Insert, "-m addrtype --dst-type LOCAL -j DOCKER-INGRESS");
    for (const auto& spec : setup.ingress->natRules)
        w.rule(v4, "nat", "DOCKER-INGRESS", Place::Append, spec);
    w.rule(v4, "nat", "POSTROUTING", Place::Insert, "-o docker_gwbridge -m addrtype --src-type LOCAL -j MASQUERADE");
    w.newChain(v4, "filter", "DOCKER-INGRESS");
    for (const auto& spec : setup.ingress->filterRules)
        w.rule(v4, "filter", "DOCKER-INGRESS", Place::Append, spec);
    const DockerLine line = d.release().line;
    if (line == DockerLine::V27_5 || line == DockerLine::V28_0_0) {
        w.rule(v4, "filter", "FORWARD", Place::Insert, "-j DOCKER-INGRESS");
        d.setupUserChain(w);
        return;
    }
    w.remove(v4, "filter", "FORWARD", "-j DOCKER-INGRESS");
    w.rule(v4, "filter", "DOCKER-FORWARD", Place::Insert, "-j DOCKER-INGRESS");
}

// The daemon's first start, then `docker network create` and `docker run` in creation order.
void firstStart(RuleWriter& w, const Dialect& d, const DockerSetup& setup)
{
    w.event("dockerd " + d.release().text() + ": start");
    d.configure(w, setup);
    d.setupUserChain(w);
    if (d.userChainPerNetwork()) // 27.5 sets it up twice at start
        d.setupUserChain(w);
    for (const auto& net : setup.networks)
        createThroughController(w, d, setup, net);
    programIngress(w, d, setup);
    startEndpoints(w, d, setup);
}

// A daemon stops (its containers release their ports) and `now` starts on what is left: networks are restored
// from the store, then the default bridge is deleted and created again (REPORT.md §10).
void restart(RuleWriter& w, const Dialect& old, const Dialect& now, const DockerSetup& setup)
{
    w.event("dockerd " + old.release().text() + ": containers stop");
    w.setRemoving(true);
    for (const auto& net : setup.networks)
        for (const auto& ep : net.endpoints)
            old.endpoint(w, setup, net, ep);
    w.setRemoving(false);
    w.event("dockerd " + now.release().text() + ": start");
    now.configure(w, setup);
    for (const auto& net : setup.networks) {
        w.event("dockerd " + now.release().text() + ": restore network " + net.name + " (" + net.bridge + ")");
        now.createNetwork(w, setup, net);
    }
    if (!now.userChainPerNetwork()) // 27.5 only sets it up again with the default bridge below
        now.setupUserChain(w);
    if (const NetworkSpec* bridge = defaultBridge(setup)) {
        w.event("dockerd " + now.release().text() + ": deleteNetwork " + bridge->name);
        w.setRemoving(true);
        now.createNetwork(w, setup, *bridge);
        w.setRemoving(false);
        createThroughController(w, now, setup, *bridge);
    }
    programIngress(w, now, setup);
    startEndpoints(w, now, setup);
}

Ruleset emptyRuleset(Family family)
{
    Ruleset r;
    r.family = family;
    return r;
}

bool anyIPv6Network(const DockerSetup& setup)
{
    return std::any_of(
        setup.networks.begin(), setup.networks.end(), [](const NetworkSpec& n) { return !n.subnet6.empty(); });
}

bool ipv6PolicyOwnedByDocker(const DockerSetup& setup)
{
    if (!setup.sourceLine || !setup.daemon.ip6tables)
        return false;
    if (*setup.sourceLine == DockerLine::V27_5)
        return true;
    return anyIPv6Network(setup) && !setup.ipv6ForwardingWasOn;
}

PreviewResult freshBoot(const Snapshot& s, const DockerSetup& setup, const Dialect& target)
{
    const bool v4Owned = setup.sourceLine.has_value() && !setup.ipv4ForwardingWasOn;
    HostRules v4 = hostRules(*s.ipv4, v4Owned);
    HostRules v6
        = s.ipv6 ? hostRules(*s.ipv6, ipv6PolicyOwnedByDocker(setup)) : HostRules { emptyRuleset(Family::IPv6), {} };
    RuleWriter w(std::move(v4.ruleset), std::move(v6.ruleset));
    shapes::enableFamilies(w, setup);
    firstStart(w, target, setup);
    std::vector<LateHook> hooks = std::move(v4.lateHooks);
    hooks.insert(hooks.end(), v6.lateHooks.begin(), v6.lateHooks.end());
    PreviewResult out;
    if (!hooks.empty()) {
        w.event("a program inserts its hooks at position 1 (Tailscale)");
        const bool enabledV4 = w.enabled(Family::IPv4);
        const bool enabledV6 = w.enabled(Family::IPv6);
        w.setFamilyEnabled(Family::IPv4, true);
        w.setFamilyEnabled(Family::IPv6, true);
        for (auto it = hooks.rbegin(); it != hooks.rend(); ++it)
            w.rule(it->family, it->table, it->chain, Place::Insert, it->spec);
        w.setFamilyEnabled(Family::IPv4, enabledV4);
        w.setFamilyEnabled(Family::IPv6, enabledV6);
        const bool restarted = std::any_of(hooks.begin(), hooks.end(), [](const LateHook& h) { return h.belowDocker; });
        if (restarted) {
            w.event("systemctl restart docker (the snapshot shows Docker's rules above the hooks)");
            restart(w, target, target, setup);
            out.notes.push_back("Tailscale's hooks sit below Docker's rules in the snapshot: Docker is taken to "
                                "have restarted after tailscaled, as on the host");
        }
    }
    out.ipv4 = w.ruleset(Family::IPv4);
    if (s.ipv6)
        out.ipv6 = w.ruleset(Family::IPv6);
    out.ipsets = w.ipsets();
    out.commands = w.commands();
    for (const auto& f : w.failures())
        out.notes.push_back("command not applied: " + f);
    return out;
}

PreviewResult inPlace(const Snapshot& s, const DockerSetup& setup, const Dialect& old, const Dialect& target)
{
    RuleWriter w(*s.ipv4, s.ipv6 ? *s.ipv6 : emptyRuleset(Family::IPv6));
    shapes::enableFamilies(w, setup);
    // The old daemon switched forwarding on for the families of its networks; it stays on until reboot.
    w.setForwarding(Family::IPv4, true);
    w.setForwarding(Family::IPv6, setup.ipv6ForwardingWasOn || anyIPv6Network(setup));
    restart(w, old, target, setup);
    PreviewResult out;
    out.ipv4 = w.ruleset(Family::IPv4);
    if (s.ipv6)
        out.ipv6 = w.ruleset(Family::IPv6);
    out.ipsets = w.ipsets();
    out.commands = w.commands();
    for (const auto& f : w.failures())
        out.notes.push_back("command not applied: " + f);
    return out;
}

} // namespace

Result<PreviewResult> predictRulesets(const Snapshot& snapshot, const PreviewRequest& request) noexcept
{
    try {
        auto setup = dockerSetupFromSnapshot(snapshot);
        if (!setup)
            return setup.error();
        const auto target = makeDialect(request.target);
        PreviewResult out;
        if (request.inPlace) {
            if (!setup->sourceLine)
                return ParseError { ErrorCode::UnknownFormat, 0, 0,
                    "the snapshot's rules are not from a Docker line the preview knows (" + supportedLinesText()
                        + "), so an in-place upgrade cannot be predicted",
                    "snapshot" };
            DockerRelease from;
            from.line = *setup->sourceLine;
            from.major = from.line == DockerLine::V27_5 ? 27 : 28;
            from.minor = from.line == DockerLine::V27_5 ? 5 : from.line == DockerLine::V28_2 ? 2 : 0;
            from.patch = from.line == DockerLine::V28_0_1 ? 1 : from.line == DockerLine::V28_2 ? 2 : 0;
            if (snapshot.docker && snapshot.docker->version)
                if (auto exact = parseDockerRelease(*snapshot.docker->version); exact && exact->line == from.line)
                    from = *exact;
            out = inPlace(snapshot, *setup, *makeDialect(from), *target);
        } else {
            out = freshBoot(snapshot, *setup, *target);
        }
        sortLikeIptablesSave(out.ipv4);
        resetCounters(out.ipv4);
        if (out.ipv6) {
            sortLikeIptablesSave(*out.ipv6);
            resetCounters(*out.ipv6);
        }
        out.notes.insert(out.notes.begin(), setup->notes.begin(), setup->notes.end());
        return out;
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, e.what(), "preview" };
    }
}

} // namespace model::predict
