#pragma once

// The remediations EXPECTED.md verified on the shared fixtures, as fix plans, and the fixtures as
// snapshots. Shared by the model and kernel tests of the fix scripts (header only: each test label links
// only its own layer).

#include "model/engine/ipaddress.h"
#include "model/fix/fixplan.h"
#include "model/snapshotbuilder.h"

#include <QFile>
#include <QString>

#include <string>
#include <vector>

namespace fixtureplans {

using model::fix::FixPlan;
using model::fix::RuleChange;
using model::fix::TargetFlow;

inline std::string readFixture(const std::string& name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromStdString(name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

// The fixtures carry their ipsets as "#   create ..." / "#   add ..." comment lines: as ipset save text.
inline std::string ipsetText(const std::string& rules)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < rules.size()) {
        const std::size_t end = std::min(rules.find('\n', pos), rules.size());
        const std::string line = rules.substr(pos, end - pos);
        pos = end + 1;
        for (const char* prefix : { "#   create ", "#   add " })
            if (line.rfind(prefix, 0) == 0)
                out += line.substr(4) + '\n';
    }
    return out;
}

// "docker-28.x-c-tailscale" -> a snapshot of the fixture host (rules, networks, addresses, routes, ipsets).
inline model::SnapshotPtr fixtureSnapshot(const std::string& base, const std::string& hostname = "fixture-host")
{
    using namespace model;
    const bool tailscale = base.find("-c-") != std::string::npos;
    const std::string host = tailscale ? "host-tailscale" : "host";
    const std::string rules = readFixture(base + ".rules");
    const std::string version = base.find("27.5.1") != std::string::npos ? "27.5.1"
        : base.find("28.0.0") != std::string::npos                       ? "28.0.0"
                                                                         : "28.5.2";
    std::vector<SourceRecord> sources {
        makeSource(SourceKind::IptablesV4, base + ".rules", rules),
        makeSource(SourceKind::IptablesV6, base + ".ip6.rules", readFixture(base + ".ip6.rules")),
        makeSource(SourceKind::DockerNetworks, base + ".networks.json", readFixture(base + ".networks.json")),
        makeSource(SourceKind::IpAddr, host + "-ip-addr.json", readFixture(host + "-ip-addr.json")),
        makeSource(SourceKind::IpRoute, host + "-ip-route.json", readFixture(host + "-ip-route.json")),
        makeSource(SourceKind::Sysctl, "sysctl", "net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\n"),
        makeSource(SourceKind::Hostname, "hostname", hostname + '\n'),
        makeSource(SourceKind::DockerVersion, "docker version",
            "{\"Server\":{\"Version\":\"" + version + "\"},\"Client\":{\"Version\":\"" + version + "\"}}"),
    };
    const std::string sets = ipsetText(rules);
    if (!sets.empty())
        sources.push_back(makeSource(SourceKind::IpsetSave, "ipset save", sets));
    SnapshotMeta meta;
    meta.hostname = hostname;
    meta.label = base;
    auto built = snapshotFromSources(meta, std::move(sources));
    return built ? built.value() : nullptr;
}

inline TargetFlow tcpFlow(const std::string& label, const std::string& in, const std::string& src,
    const std::string& dst, std::uint16_t dport)
{
    TargetFlow t;
    t.label = label;
    t.packet.inInterface = in;
    t.packet.header.src = *model::engine::IpAddress::parse(src);
    t.packet.header.dst = *model::engine::IpAddress::parse(dst);
    t.packet.header.protocol = model::engine::Proto::Tcp;
    t.packet.header.sport = 40000;
    t.packet.header.dport = dport;
    return t;
}

inline RuleChange insertRule(
    const std::string& table, const std::string& chain, std::vector<std::string> spec, std::string why = {})
{
    RuleChange r;
    r.table = table;
    r.chain = chain;
    r.spec = std::move(spec);
    r.why = std::move(why);
    return r;
}

struct Case {
    std::string before; // fixture base names
    std::string after;
    FixPlan plan;
    std::vector<std::string> flowIds; // EXPECTED.md names of the targets, in order
};

// c: Tailscale subnet routes to mynet containers, dropped in raw PREROUTING by 28.x.
inline Case tailscaleCase()
{
    Case c { "docker-27.5.1-c-tailscale", "docker-28.x-c-tailscale", {}, { "TS-DIRECT-80", "TS-DIRECT-22" } };
    c.plan.findingId = "direct-routing-raw-drop";
    c.plan.findingTitle = "Tailscale peers can no longer reach containers on mynet directly";
    c.plan.option.id = "raw-exemption";
    c.plan.option.title = "Raw-table exemption plus DOCKER-USER";
    c.plan.option.tradeoffs = "every port of every mynet container is reachable from the tailnet";
    c.plan.option.persistUnit = true;
    c.plan.option.rules = {
        insertRule("raw", "PREROUTING", { "-i", "tailscale0", "-d", "172.18.0.0/16", "-j", "ACCEPT" },
            "skips Docker's raw DROP for tailnet traffic to mynet"),
        insertRule("filter", "DOCKER-USER", { "-i", "tailscale0", "-o", "br-897b3066eb8a", "-j", "ACCEPT" },
            "accepts it before Docker's per-network DROP"),
    };
    c.plan.targets = { tcpFlow("TS-DIRECT-80", "tailscale0", "100.64.10.20", "172.18.0.2", 80),
        tcpFlow("TS-DIRECT-22", "tailscale0", "100.64.10.20", "172.18.0.2", 22) };
    return c;
}

// d: 28.0.0 on Oracle Cloud, the image's FORWARD REJECT now runs before Docker's ACCEPT.
inline Case oracleCase()
{
    Case c { "docker-27.5.1-d-oracle-cloud", "docker-28.0.0-d-oracle-cloud", {}, { "CTR-OUT", "EXT-PUB" } };
    c.plan.findingId = "host-forward-reject-first";
    c.plan.findingTitle = "Oracle's FORWARD REJECT blocks container egress and published-port replies";
    c.plan.option.id = "docker-user-uplink";
    c.plan.option.title = "Accept bridge-to-uplink traffic in DOCKER-USER";
    c.plan.option.rules = {
        insertRule("filter", "DOCKER-USER", { "-i", "docker0", "-o", "eth0", "-j", "ACCEPT" }),
        insertRule("filter", "DOCKER-USER", { "-i", "br-897b3066eb8a", "-o", "eth0", "-j", "ACCEPT" }),
    };
    c.plan.targets = { tcpFlow("CTR-OUT", "br-897b3066eb8a", "172.18.0.2", "1.1.1.1", 443),
        tcpFlow("EXT-PUB", "eth0", "203.0.113.7", "10.0.0.10", 8080) };
    return c;
}

// b: a LAN static route to mynet, wanted, dropped in raw PREROUTING by 28.x.
inline Case lanCase()
{
    Case c { "docker-27.5.1-b-usernet-portmap", "docker-28.x-b-usernet-portmap", {},
        { "LAN-DIRECT-80", "LAN-DIRECT-22" } };
    c.plan.findingId = "direct-routing-raw-drop";
    c.plan.findingTitle = "LAN hosts can no longer reach containers on mynet through their static route";
    c.plan.option.id = "raw-exemption";
    c.plan.option.title = "Raw-table exemption plus DOCKER-USER for the LAN";
    c.plan.option.persistUnit = true;
    c.plan.option.rules = {
        insertRule("raw", "PREROUTING", { "-i", "eth0", "-s", "10.0.0.0/24", "-d", "172.18.0.0/16", "-j", "ACCEPT" }),
        insertRule(
            "filter", "DOCKER-USER", { "-i", "eth0", "-s", "10.0.0.0/24", "-o", "br-897b3066eb8a", "-j", "ACCEPT" }),
    };
    c.plan.targets = { tcpFlow("LAN-DIRECT-80", "eth0", "10.0.0.50", "172.18.0.2", 80),
        tcpFlow("LAN-DIRECT-22", "eth0", "10.0.0.50", "172.18.0.2", 22) };
    return c;
}

inline std::vector<Case> allCases() { return { tailscaleCase(), oracleCase(), lanCase() }; }

} // namespace fixtureplans
