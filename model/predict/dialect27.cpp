// Docker 27.5: the classic layout. Per-bridge rules are inserted straight into filter FORWARD, the
// DOCKER-ISOLATION-STAGE-1 and DOCKER-USER jumps are moved back to the top whenever a network is created,
// and nothing drops unpublished ports (REPORT.md §4.1, §5, §6).
#include "model/predict/dialect.h"

namespace model::predict {

using namespace shapes;

namespace {

class Dialect27 final : public Dialect {
public:
    using Dialect::Dialect;

    void configure(RuleWriter& w, const DockerSetup&) const override
    {
        for (const Family f : kFamilies) {
            removeNatJumps(w, f);
            flushAndDelete(w, f, "nat", "DOCKER");
            for (const char* chain : { "DOCKER", kIso1, kIso2, "DOCKER-ISOLATION" })
                flushAndDelete(w, f, "filter", chain);
            w.newChain(f, "nat", "DOCKER");
            for (const char* chain : { "DOCKER", kIso1, kIso2 })
                w.newChain(f, "filter", chain);
            w.rule(f, "filter", kIso1, Place::Append, "-j RETURN");
            w.rule(f, "filter", kIso2, Place::Append, "-j RETURN");
        }
        // setupIPForwarding: IPv4 only when the daemon had to switch forwarding on; IPv6 always.
        if (!w.forwarding(Family::IPv4)) {
            w.setForwarding(Family::IPv4, true);
            w.policy(Family::IPv4, "FORWARD", "DROP");
        }
        w.policy(Family::IPv6, "FORWARD", "DROP");
    }

    void setupUserChain(RuleWriter& w) const override
    {
        for (const Family f : kFamilies) {
            w.newChain(f, "filter", "DOCKER-USER");
            w.rule(f, "filter", "DOCKER-USER", Place::Append, "-j RETURN");
            w.ensureJump(f, "filter", "FORWARD", "-j DOCKER-USER");
        }
    }

    void createNetwork(RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net) const override
    {
        for (const Family f : kFamilies)
            if (net.has(f))
                networkRules(w, setup, net, f);
        // isolateNetwork writes both families whatever the network's own (fixed in 28.0.1).
        for (const Family f : { Family::IPv6, Family::IPv4 }) {
            w.rule(f, "filter", kIso1, Place::Insert, "-i " + net.bridge + " ! -o " + net.bridge + " -j " + kIso2);
            w.rule(f, "filter", kIso2, Place::Insert, "-o " + net.bridge + " -j DROP");
        }
    }

    void endpoint(
        RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net, const EndpointSpec& ep) const override
    {
        const std::string& b = net.bridge;
        for (const Family f : kFamilies) {
            for (const auto& p : ep.ports) {
                if (!portApplies(f, p, ep))
                    continue;
                const std::string c = f == Family::IPv4 ? ep.ipv4 : ep.ipv6;
                const std::string hostIp = portHostIp(f, p, net);
                const std::string proto = "-p " + p.protocol + " -m " + p.protocol;
                const std::string dport = " --dport " + std::to_string(p.containerPort);
                std::string dnat = hostIp.empty() ? std::string() : "-d " + hostAddress(f, hostIp) + ' ';
                if (setup.daemon.userlandProxy)
                    dnat += "! -i " + b + ' ';
                dnat += proto + " --dport " + std::to_string(p.hostPort) + " -j DNAT --to-destination "
                    + dnatTarget(f, c, p.containerPort);
                w.rule(f, "nat", "DOCKER", Place::Append, dnat);
                w.rule(f, "nat", "POSTROUTING", Place::Append,
                    "-s " + hostAddress(f, c) + " -d " + hostAddress(f, c) + ' ' + proto + dport + " -j MASQUERADE");
                w.rule(f, "filter", "DOCKER", Place::Append,
                    "-d " + hostAddress(f, c) + " ! -i " + b + " -o " + b + ' ' + proto + dport + " -j ACCEPT");
                if (p.protocol == "sctp")
                    w.rule(f, "mangle", "POSTROUTING", Place::Append,
                        "-p sctp -m sctp --sport " + std::to_string(p.containerPort) + " -j CHECKSUM --checksum-fill");
            }
        }
    }

    bool userChainPerNetwork() const override { return true; }

private:
    static void networkRules(RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net, Family f)
    {
        const std::string& b = net.bridge;
        const std::string& subnet = net.subnet(f);
        if (net.internal) {
            w.rule(f, "filter", kIso1, Place::Insert, "-i " + b + " ! -d " + subnet + " -j DROP");
            w.rule(f, "filter", kIso1, Place::Insert, "-o " + b + " ! -s " + subnet + " -j DROP");
            iccRule(w, net, f);
        } else {
            if (net.masquerade)
                w.rule(f, "nat", "POSTROUTING", Place::Insert, "-s " + subnet + " ! -o " + b + " -j MASQUERADE");
            if (setup.daemon.userlandProxy)
                w.rule(f, "nat", "DOCKER", Place::Insert, "-i " + b + " -j RETURN");
            else
                w.rule(
                    f, "nat", "POSTROUTING", Place::Insert, "-o " + b + " -m addrtype --src-type LOCAL -j MASQUERADE");
            iccRule(w, net, f);
            w.rule(f, "filter", "FORWARD", Place::Insert, "-i " + b + " ! -o " + b + " -j ACCEPT");
            if (!w.removing()) {
                w.rule(f, "nat", "PREROUTING", Place::Append, kPreroutingJump);
                w.rule(f, "nat", "OUTPUT", Place::Append, outputJump(f, setup.daemon.userlandProxy));
            }
            w.rule(f, "filter", "FORWARD", Place::Insert, "-o " + b + " -j DOCKER");
            w.rule(f, "filter", "FORWARD", Place::Insert,
                "-o " + b + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        }
        w.ensureJump(f, "filter", "FORWARD", std::string("-j ") + kIso1);
    }

    static void iccRule(RuleWriter& w, const NetworkSpec& net, Family f)
    {
        const std::string& b = net.bridge;
        if (net.icc)
            w.rule(f, "filter", "FORWARD", Place::Insert, "-i " + b + " -o " + b + " -j ACCEPT");
        else
            w.rule(f, "filter", "FORWARD", Place::Append, "-i " + b + " -o " + b + " -j DROP");
    }
};

} // namespace

std::unique_ptr<Dialect> makeDialect27(const DockerRelease& release) { return std::make_unique<Dialect27>(release); }

} // namespace model::predict
