// Docker 28: 28.0.0 (ipset rules, per-network ACCEPT appended to FORWARD), 28.0.1-28.1.x (DOCKER-FORWARD,
// DOCKER-BRIDGE, DOCKER-CT; raw DROP per published port) and 28.2.x-28.5.x (raw DROP per endpoint, all ports,
// with allow-direct-routing and trusted host interfaces). REPORT.md §3-§9.
#include "model/predict/dialect.h"

namespace model::predict {

using namespace shapes;

namespace {

class Dialect28 final : public Dialect {
public:
    using Dialect::Dialect;

    void configure(RuleWriter& w, const DockerSetup& setup) const override
    {
        for (const Family f : kFamilies) {
            removeNatJumps(w, f);
            flushAndDelete(w, f, "nat", "DOCKER");
            for (const char* chain : ownChains())
                if (release().flushesBridgeChains() || !isBridgeChain(chain))
                    flushAndDelete(w, f, "filter", chain);
            flushAndDelete(w, f, "filter", "DOCKER-ISOLATION");
            if (ipset() && w.enabled(f))
                w.ipsetCreate(setName(f), f == Family::IPv4 ? "inet" : "inet6");
            w.newChain(f, "nat", "DOCKER");
            for (const char* chain : ownChains())
                w.newChain(f, "filter", chain);
            w.rule(f, "nat", "PREROUTING", Place::Append, kPreroutingJump);
            w.rule(f, "nat", "OUTPUT", Place::Append, outputJump(f, setup.daemon.userlandProxy));
            if (ipset()) {
                w.ensureJump(f, "filter", "FORWARD", "-m set --match-set " + setName(f) + " dst -j DOCKER");
                w.ensureJump(f, "filter", "FORWARD", std::string("-j ") + kIso1);
                w.ensureJump(f, "filter", "FORWARD",
                    "-m set --match-set " + setName(f) + " dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
                continue;
            }
            w.ensureJump(f, "filter", "FORWARD", "-j DOCKER-FORWARD");
            w.rule(f, "filter", "DOCKER-FORWARD", Place::Insert, "-j DOCKER-BRIDGE");
            w.rule(f, "filter", "DOCKER-FORWARD", Place::Insert, std::string("-j ") + kIso1);
            w.rule(f, "filter", "DOCKER-FORWARD", Place::Insert, "-j DOCKER-CT");
            // Jumps an older daemon put into FORWARD (27.5 and 28.0.0).
            w.remove(f, "filter", "FORWARD", std::string("-j ") + kIso1);
            const std::string set = f == Family::IPv4 ? "docker-ext-bridges-v4" : "docker-ext-bridges-v6";
            w.remove(f, "filter", "FORWARD", "-m set --match-set " + set + " dst -j DOCKER");
            w.remove(f, "filter", "FORWARD",
                "-m set --match-set " + set + " dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        }
    }

    void setupUserChain(RuleWriter& w) const override
    {
        for (const Family f : kFamilies) {
            w.newChain(f, "filter", "DOCKER-USER");
            if (release().addsUserChainReturn())
                w.rule(f, "filter", "DOCKER-USER", Place::Append, "-j RETURN");
            w.ensureJump(f, "filter", "FORWARD", "-j DOCKER-USER");
        }
    }

    void createNetwork(RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net) const override
    {
        for (const Family f : kFamilies) {
            if (net.has(f))
                networkRules(w, setup, net, f);
            // 28.0.0 still isolated IPv4-only networks in ip6tables too (8cc4d1d4a2 stopped it in 28.0.1).
            if (net.has(f) || ipset())
                isolationRules(w, net, f);
        }
    }

    void endpoint(
        RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net, const EndpointSpec& ep) const override
    {
        for (const Family f : kFamilies) {
            const std::string c = f == Family::IPv4 ? ep.ipv4 : ep.ipv6;
            if (c.empty() || !net.has(f))
                continue;
            const bool filterDirect = net.gatewayMode(f) == "nat" && !net.internal
                && !(perEndpointRaw() && setup.daemon.allowDirectRouting);
            // 28.2+ filters direct access when the endpoint is created and stops after its ports are released.
            const bool endpointRaw = perEndpointRaw() && filterDirect;
            if (endpointRaw && !w.removing())
                directAccessRules(w, net, f, c);
            for (const auto& p : ep.ports)
                if (portApplies(f, p, ep))
                    portRules(w, setup, net, f, c, p, filterDirect);
            if (endpointRaw && w.removing())
                directAccessRules(w, net, f, c);
        }
    }

    bool userChainPerNetwork() const override { return false; }

private:
    bool ipset() const { return release().line == DockerLine::V28_0_0; }
    bool perEndpointRaw() const { return release().line == DockerLine::V28_2; }
    const char* forwardChain() const { return ipset() ? "FORWARD" : "DOCKER-FORWARD"; }
    // 28.0.1 left DOCKER-BRIDGE and DOCKER-CT alone at start; 28.0.2 flushes them too.
    static bool isBridgeChain(std::string_view chain) { return chain == "DOCKER-BRIDGE" || chain == "DOCKER-CT"; }
    static std::string setName(Family f)
    {
        return f == Family::IPv4 ? "docker-ext-bridges-v4" : "docker-ext-bridges-v6";
    }

    std::vector<const char*> ownChains() const
    {
        if (ipset())
            return { "DOCKER", kIso1, kIso2 };
        return { "DOCKER", "DOCKER-FORWARD", "DOCKER-BRIDGE", "DOCKER-CT", kIso1, kIso2 };
    }

    void networkRules(RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net, Family f) const
    {
        const std::string& b = net.bridge;
        const std::string& mode = net.gatewayMode(f);
        if (!w.forwarding(f) && !w.removing()) {
            w.setForwarding(f, true);
            if (!setup.daemon.ipForwardNoDrop)
                w.policy(f, "FORWARD", "DROP");
        }
        if (net.internal) {
            w.rule(f, "filter", kIso1, Place::Insert, "-i " + b + " ! -d " + net.subnet(f) + " -j DROP");
            w.rule(f, "filter", kIso1, Place::Insert, "-o " + b + " ! -s " + net.subnet(f) + " -j DROP");
            w.rule(f, "filter", forwardChain(), Place::Append,
                "-i " + b + " -o " + b + " -j " + (net.icc ? "ACCEPT" : "DROP"));
            return;
        }
        if (net.masquerade && mode != "routed")
            w.rule(f, "nat", "POSTROUTING", Place::Insert, "-s " + net.subnet(f) + " ! -o " + b + " -j MASQUERADE");
        if (setup.daemon.userlandProxy)
            w.rule(f, "nat", "DOCKER", Place::Insert, "-i " + b + " -j RETURN");
        else
            w.rule(f, "nat", "POSTROUTING", Place::Insert, "-o " + b + " -m addrtype --src-type LOCAL -j MASQUERADE");
        if (net.icc) {
            w.rule(f, "filter", forwardChain(), Place::Append, "-i " + b + " -j ACCEPT");
        } else {
            w.rule(f, "filter", forwardChain(), Place::Append, "-i " + b + " -o " + b + " -j DROP");
            w.rule(f, "filter", forwardChain(), Place::Append, "-i " + b + " ! -o " + b + " -j ACCEPT");
        }
        if (mode == "routed")
            w.rule(f, "filter", "DOCKER", Place::Append,
                "-o " + b + " -p " + (f == Family::IPv4 ? "icmp" : "ipv6-icmp") + " -j ACCEPT");
        w.rule(f, "filter", "DOCKER", Place::Append,
            "! -i " + b + " -o " + b + " -j " + (mode == "nat-unprotected" ? "ACCEPT" : "DROP"));
        if (ipset()) {
            w.ipsetMember(setName(f), net.subnet(f));
        } else {
            w.rule(f, "filter", "DOCKER-CT", Place::Append,
                "-o " + b + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
            w.rule(f, "filter", "DOCKER-BRIDGE", Place::Append, "-o " + b + " -j DOCKER");
        }
        if (!w.removing())
            deleteLegacyRules(w, b, f);
    }

    // Rules a 27.5 (or 28.0.0) daemon put into FORWARD for this bridge.
    void deleteLegacyRules(RuleWriter& w, const std::string& b, Family f) const
    {
        w.remove(f, "filter", "FORWARD", "-o " + b + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        w.remove(f, "filter", "FORWARD", "-o " + b + " -j DOCKER");
        w.remove(f, "filter", "FORWARD", "-i " + b + " ! -o " + b + " -j ACCEPT");
        w.remove(f, "filter", "FORWARD", "-i " + b + " -o " + b + " -j ACCEPT");
        w.remove(f, "filter", "FORWARD", "-i " + b + " -o " + b + " -j DROP");
        if (!ipset())
            w.remove(f, "filter", "FORWARD", "-i " + b + " -j ACCEPT");
    }

    static void directAccessRules(RuleWriter& w, const NetworkSpec& net, Family f, const std::string& c)
    {
        for (const auto& t : net.trustedHostInterfaces)
            w.rule(f, "raw", "PREROUTING", Place::Append, "-d " + hostAddress(f, c) + " -i " + t + " -j ACCEPT");
        w.rule(f, "raw", "PREROUTING", Place::Append, "-d " + hostAddress(f, c) + " ! -i " + net.bridge + " -j DROP");
    }

    void isolationRules(RuleWriter& w, const NetworkSpec& net, Family f) const
    {
        const std::string& b = net.bridge;
        w.rule(f, "filter", kIso1, Place::Append, "-i " + b + " ! -o " + b + " -j " + kIso2);
        w.rule(f, "filter", kIso2, Place::Insert, "-o " + b + " -j DROP");
        if (net.has(f) && net.gatewayMode(f) == "routed") {
            w.rule(f, "filter", kIso1, Place::Insert, "-o " + b + " -j RETURN");
            w.rule(
                f, "filter", kIso1, Place::Insert, "-i " + b + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        }
    }

    void portRules(RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net, Family f, const std::string& c,
        const PortSpec& p, bool filterDirect) const
    {
        const std::string& b = net.bridge;
        const std::string hostIp = portHostIp(f, p, net);
        const std::string proto = "-p " + p.protocol + " -m " + p.protocol;
        const std::string cport = " --dport " + std::to_string(p.containerPort);
        const std::string hport = " --dport " + std::to_string(p.hostPort);
        if (filterDirect && !perEndpointRaw())
            w.rule(f, "raw", "PREROUTING", Place::Append,
                "-d " + hostAddress(f, c) + " ! -i " + b + ' ' + proto + cport + " -j DROP");
        if (perEndpointRaw() && !w.removing()) // dropLegacyFilterDirectAccess
            w.remove(
                f, "raw", "PREROUTING", "-d " + hostAddress(f, c) + " ! -i " + b + ' ' + proto + cport + " -j DROP");
        if (isLoopback(hostIp))
            w.rule(f, "raw", "PREROUTING", Place::Append,
                "-d " + hostAddress(f, hostIp) + " ! -i lo " + proto + hport + " -j DROP");
        std::string dnat = hostIp.empty() ? std::string() : "-d " + hostAddress(f, hostIp) + ' ';
        if (f == Family::IPv6 && perEndpointRaw())
            dnat = "! -s fe80::/10 " + dnat;
        if (setup.daemon.userlandProxy)
            dnat += "! -i " + b + ' ';
        w.rule(f, "nat", "DOCKER", Place::Append,
            dnat + proto + hport + " -j DNAT --to-destination " + dnatTarget(f, c, p.containerPort));
        if (!setup.daemon.userlandProxy)
            w.rule(f, "nat", "POSTROUTING", Place::Append,
                "-s " + hostAddress(f, c) + " -d " + hostAddress(f, c) + ' ' + proto + cport + " -j MASQUERADE");
        if (net.gatewayMode(f) != "nat-unprotected")
            w.rule(f, "filter", "DOCKER", Place::Insert,
                "-d " + hostAddress(f, c) + " ! -i " + b + " -o " + b + ' ' + proto + cport + " -j ACCEPT");
    }
};

} // namespace

std::unique_ptr<Dialect> makeDialect28(const DockerRelease& release) { return std::make_unique<Dialect28>(release); }

} // namespace model::predict
