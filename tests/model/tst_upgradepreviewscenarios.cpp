// The Docker rule generator on hosts of its own making, checked against the rules the Docker rules reference
// (REPORT.md §4-§10) says each line writes: several networks, --internal, icc off, IPv6, ports on 127.0.0.1,
// the nat-unprotected and routed gateway modes, trusted host interfaces and the daemon options; and the
// in-place upgrade from 27.5.1, with what the old daemon leaves behind.
#include "model/parse/iptables.h"
#include "model/predict/upgradepreview.h"
#include "model/snapshotbuilder.h"

#include <QFile>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace model;
using namespace model::predict;
using nlohmann::json;

namespace {

const std::string kHostRules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                               "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";

struct Net {
    Net(std::string n, std::string s4, std::string s6 = {}, json o = json::object(), bool i = false)
        : name(std::move(n))
        , subnet4(std::move(s4))
        , subnet6(std::move(s6))
        , options(std::move(o))
        , internal(i)
    {
    }
    std::string name;
    std::string subnet4;
    std::string subnet6;
    json options = json::object();
    bool internal = false;
};

struct Box {
    Box(std::string n, std::string net, std::string v4, std::string v6 = {}, json p = json::object())
        : name(std::move(n))
        , network(std::move(net))
        , ipv4(std::move(v4))
        , ipv6(std::move(v6))
        , ports(std::move(p))
    {
    }
    std::string name;
    std::string network;
    std::string ipv4;
    std::string ipv6;
    json ports = json::object(); // "80/tcp": [{"HostIp": "", "HostPort": "8080"}]
};

json networkJson(const Net& n, const std::vector<Box>& boxes, int order)
{
    json config = json::array();
    if (!n.subnet4.empty())
        config.push_back({ { "Subnet", n.subnet4 } });
    if (!n.subnet6.empty())
        config.push_back({ { "Subnet", n.subnet6 } });
    json containers = json::object();
    for (const auto& b : boxes)
        if (b.network == n.name)
            containers[b.name + "-id"] = { { "Name", b.name }, { "IPv4Address", b.ipv4.empty() ? "" : b.ipv4 + "/16" },
                { "IPv6Address", b.ipv6.empty() ? "" : b.ipv6 + "/64" } };
    json options = n.options;
    if (!options.contains("com.docker.network.bridge.name"))
        options["com.docker.network.bridge.name"] = "br-" + n.name;
    return { { "Name", n.name }, { "Id", n.name + "0123456789abcdef" },
        { "Created", "2025-03-0" + std::to_string(order) + "T10:00:00Z" }, { "Scope", "local" }, { "Driver", "bridge" },
        { "EnableIPv6", !n.subnet6.empty() }, { "Internal", n.internal }, { "IPAM", { { "Config", config } } },
        { "Options", options }, { "Containers", containers } };
}

json containerJson(const Box& b)
{
    json net { { "IPAddress", b.ipv4 }, { "GlobalIPv6Address", b.ipv6 } };
    return { { "Id", b.name + "-id" }, { "Name", "/" + b.name }, { "State", { { "Running", true } } },
        { "NetworkSettings", { { "Ports", b.ports }, { "Networks", { { b.network, net } } } } } };
}

SnapshotPtr host(const std::vector<Net>& nets, const std::vector<Box>& boxes, const json& daemon = json::object(),
    const std::string& rules = kHostRules)
{
    json networks = json::array();
    networks.push_back(networkJson(
        Net { "bridge", "172.17.0.0/16", "", { { "com.docker.network.bridge.default_bridge", "true" } } }, {}, 0));
    networks.back()["Options"]["com.docker.network.bridge.name"] = "docker0";
    for (std::size_t i = 0; i < nets.size(); ++i)
        networks.push_back(networkJson(nets[i], boxes, static_cast<int>(i) + 1));
    json containers = json::array();
    for (const auto& b : boxes)
        containers.push_back(containerJson(b));
    std::vector<SourceRecord> sources { makeSource(SourceKind::IptablesV4, "test", rules),
        makeSource(SourceKind::IptablesV6, "test",
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"),
        makeSource(SourceKind::DockerNetworks, "test", networks.dump()),
        makeSource(SourceKind::DockerContainers, "test", containers.dump()),
        makeSource(SourceKind::DaemonJson, "test", daemon.dump()) };
    auto built = snapshotFromSources(SnapshotMeta {}, std::move(sources), BuildOptions { true });
    if (!built)
        qFatal("%s", built.error().toString().c_str());
    return *built;
}

PreviewResult predicted(const SnapshotPtr& s, const char* version, bool inPlace = false)
{
    auto release = parseDockerRelease(version);
    if (!release)
        qFatal("%s", release.error().message.c_str());
    auto result = predictRulesets(*s, PreviewRequest { *release, inPlace });
    if (!result)
        qFatal("%s", result.error().toString().c_str());
    for (const auto& n : result->notes)
        if (n.starts_with("command not applied"))
            qFatal("%s", n.c_str());
    return std::move(result).value();
}

QStringList rules(const Ruleset& rs, const char* table, const char* chain)
{
    QStringList out;
    const Table* t = rs.table(table);
    const Chain* c = t ? t->chain(chain) : nullptr;
    if (c)
        for (const auto& r : c->rules)
            out << QString::fromStdString(parse::ruleText(r, chain));
    return out;
}

QString policy(const Ruleset& rs, const char* chain)
{
    const Table* t = rs.table("filter");
    const Chain* c = t ? t->chain(chain) : nullptr;
    return c ? QString::fromStdString(c->policy) : QString();
}

QStringList all(const Ruleset& rs)
{
    QStringList out;
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                out << QString::fromStdString(parse::ruleText(r, c.name));
    return out;
}

std::string readFixture(const QString& name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", qPrintable(name));
    return f.readAll().toStdString();
}

SnapshotPtr fixture(const QString& base)
{
    std::vector<SourceRecord> sources { makeSource(SourceKind::IptablesV4, "fixture",
                                            readFixture(base + QStringLiteral(".rules"))),
        makeSource(SourceKind::IptablesV6, "fixture", readFixture(base + QStringLiteral(".ip6.rules"))),
        makeSource(SourceKind::DockerNetworks, "fixture", readFixture(base + QStringLiteral(".networks.json"))) };
    auto built = snapshotFromSources(SnapshotMeta {}, std::move(sources), BuildOptions { true });
    if (!built)
        qFatal("%s", built.error().toString().c_str());
    return *built;
}

#define HAS(list, rule) QVERIFY2((list).contains(QStringLiteral(rule)), qPrintable((list).join(QLatin1Char('\n'))))
#define LACKS(list, rule) QVERIFY2(!(list).contains(QStringLiteral(rule)), qPrintable((list).join(QLatin1Char('\n'))))

} // namespace

class TestUpgradePreviewScenarios final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void severalNetworksInternalAndIccOff();
    void ipv6Network();
    void portOnLoopback();
    void natUnprotectedAndRouted();
    void trustedInterfacesAndDirectRouting();
    void userlandProxyOff();
    void iptablesOff();
    void release280AppendsAfterForeignRules();
    void inPlaceFrom27LeavesLeftovers();
    void inPlaceTo2800();
    void swarmIngressJumpMoves();
    void unknownReleasesAreRefused();
};

void TestUpgradePreviewScenarios::severalNetworksInternalAndIccOff()
{
    const auto s = host({ Net { "front", "172.20.0.0/16", "", { { "com.docker.network.bridge.enable_icc", "false" } } },
                            Net { "back", "172.21.0.0/16", "", json::object(), true } },
        { Box {
            "web", "front", "172.20.0.2", "", { { "80/tcp", { { { "HostIp", "" }, { "HostPort", "8080" } } } } } } });
    const auto p28 = predicted(s, "28.5.2");
    const QStringList fwd = rules(p28.ipv4, "filter", "DOCKER-FORWARD");
    HAS(fwd, "-A DOCKER-FORWARD -i br-front -o br-front -j DROP");
    HAS(fwd, "-A DOCKER-FORWARD -i br-front ! -o br-front -j ACCEPT");
    HAS(fwd, "-A DOCKER-FORWARD -i br-back -o br-back -j ACCEPT");
    const QStringList iso = rules(p28.ipv4, "filter", "DOCKER-ISOLATION-STAGE-1");
    HAS(iso, "-A DOCKER-ISOLATION-STAGE-1 ! -d 172.21.0.0/16 -i br-back -j DROP");
    HAS(iso, "-A DOCKER-ISOLATION-STAGE-1 ! -s 172.21.0.0/16 -o br-back -j DROP");
    HAS(rules(p28.ipv4, "nat", "POSTROUTING"), "-A POSTROUTING -s 172.20.0.0/16 ! -o br-front -j MASQUERADE");
    LACKS(rules(p28.ipv4, "nat", "POSTROUTING"), "-A POSTROUTING -s 172.21.0.0/16 ! -o br-back -j MASQUERADE");
    HAS(rules(p28.ipv4, "filter", "DOCKER"), "-A DOCKER ! -i br-front -o br-front -j DROP");
    HAS(rules(p28.ipv4, "raw", "PREROUTING"), "-A PREROUTING -d 172.20.0.2/32 ! -i br-front -j DROP");
    // The networks' rules follow creation order; the host's own INPUT rule stays.
    QCOMPARE(rules(p28.ipv4, "filter", "INPUT"),
        QStringList { QStringLiteral("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT") });

    const auto p27 = predicted(s, "27.5.1");
    const QStringList forward = rules(p27.ipv4, "filter", "FORWARD");
    QCOMPARE(forward.last(), QStringLiteral("-A FORWARD -i br-front -o br-front -j DROP")); // icc=false is appended
    HAS(forward, "-A FORWARD -i br-front ! -o br-front -j ACCEPT");
    LACKS(forward, "-A FORWARD -o br-back -j DOCKER");
    QCOMPARE(forward.first(), QStringLiteral("-A FORWARD -j DOCKER-USER"));
    LACKS(all(p27.ipv4), "-A DOCKER ! -i br-front -o br-front -j DROP"); // no unpublished-port DROP before 28
    HAS(rules(p27.ipv4, "filter", "DOCKER"),
        "-A DOCKER -d 172.20.0.2/32 ! -i br-front -o br-front -p tcp -m tcp --dport 80 -j ACCEPT");
    QVERIFY(!p27.ipv4.table("raw"));
}

void TestUpgradePreviewScenarios::ipv6Network()
{
    const auto s = host({ Net { "v6", "172.22.0.0/16", "fd00:22::/64" } },
        { Box { "app", "v6", "172.22.0.2", "fd00:22::2",
            { { "80/tcp", { { { "HostIp", "" }, { "HostPort", "8080" } } } } } } });
    const auto p = predicted(s, "28.5.2");
    QVERIFY(p.ipv6);
    const Ruleset& v6 = *p.ipv6;
    HAS(rules(v6, "nat", "POSTROUTING"), "-A POSTROUTING -s fd00:22::/64 ! -o br-v6 -j MASQUERADE");
    HAS(rules(v6, "nat", "DOCKER"),
        "-A DOCKER ! -s fe80::/10 ! -i br-v6 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:22::2]:80");
    HAS(rules(v6, "raw", "PREROUTING"), "-A PREROUTING -d fd00:22::2/128 ! -i br-v6 -j DROP");
    HAS(rules(v6, "filter", "DOCKER-FORWARD"), "-A DOCKER-FORWARD -i br-v6 -j ACCEPT");
    HAS(rules(v6, "filter", "DOCKER-ISOLATION-STAGE-1"),
        "-A DOCKER-ISOLATION-STAGE-1 -i br-v6 ! -o br-v6 -j DOCKER-ISOLATION-STAGE-2");
    LACKS(rules(v6, "filter", "DOCKER-ISOLATION-STAGE-1"),
        "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2");
    QCOMPARE(policy(v6, "FORWARD"), QStringLiteral("DROP")); // Docker switched IPv6 forwarding on

    const auto p27 = predicted(s, "27.5.1");
    HAS(rules(*p27.ipv6, "nat", "DOCKER"),
        "-A DOCKER ! -i br-v6 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:22::2]:80");
    HAS(rules(*p27.ipv6, "filter", "FORWARD"), "-A FORWARD -o br-v6 -j DOCKER");
    HAS(rules(*p27.ipv6, "filter", "DOCKER-ISOLATION-STAGE-1"),
        "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2");
}

void TestUpgradePreviewScenarios::portOnLoopback()
{
    const auto s = host({ Net { "db", "172.23.0.0/16", "" } },
        { Box { "pg", "db", "172.23.0.2", "",
            { { "5432/tcp", { { { "HostIp", "127.0.0.1" }, { "HostPort", "15432" } } } } } } });
    for (const char* version : { "28.0.0", "28.1.1", "28.5.2" }) {
        const auto p = predicted(s, version);
        HAS(rules(p.ipv4, "raw", "PREROUTING"),
            "-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 15432 -j DROP");
        HAS(rules(p.ipv4, "nat", "DOCKER"),
            "-A DOCKER -d 127.0.0.1/32 ! -i br-db -p tcp -m tcp --dport 15432 -j DNAT --to-destination "
            "172.23.0.2:5432");
    }
    const auto p28 = predicted(s, "28.1.1");
    HAS(rules(p28.ipv4, "raw", "PREROUTING"),
        "-A PREROUTING -d 172.23.0.2/32 ! -i br-db -p tcp -m tcp --dport 5432 -j DROP");
    const auto p27 = predicted(s, "27.5.1");
    QVERIFY(!p27.ipv4.table("raw")); // 27.5.1 leaves loopback-bound ports open to neighbours
    HAS(rules(p27.ipv4, "nat", "DOCKER"),
        "-A DOCKER -d 127.0.0.1/32 ! -i br-db -p tcp -m tcp --dport 15432 -j DNAT --to-destination 172.23.0.2:5432");
}

void TestUpgradePreviewScenarios::natUnprotectedAndRouted()
{
    const json http { { "80/tcp", { { { "HostIp", "" }, { "HostPort", "8080" } } } } };
    const auto s = host(
        { Net { "open", "172.24.0.0/16", "", { { "com.docker.network.bridge.gateway_mode_ipv4", "nat-unprotected" } } },
            Net { "direct", "172.25.0.0/16", "", { { "com.docker.network.bridge.gateway_mode_ipv4", "routed" } } } },
        { Box { "a", "open", "172.24.0.2", "", http }, Box { "b", "direct", "172.25.0.2", "", http } });
    const auto p = predicted(s, "28.5.2");
    const QStringList docker = rules(p.ipv4, "filter", "DOCKER");
    HAS(docker, "-A DOCKER ! -i br-open -o br-open -j ACCEPT");
    LACKS(docker, "-A DOCKER -d 172.24.0.2/32 ! -i br-open -o br-open -p tcp -m tcp --dport 80 -j ACCEPT");
    HAS(docker, "-A DOCKER -o br-direct -p icmp -j ACCEPT");
    HAS(docker, "-A DOCKER -d 172.25.0.2/32 ! -i br-direct -o br-direct -p tcp -m tcp --dport 80 -j ACCEPT");
    HAS(rules(p.ipv4, "filter", "DOCKER-ISOLATION-STAGE-1"), "-A DOCKER-ISOLATION-STAGE-1 -o br-direct -j RETURN");
    LACKS(rules(p.ipv4, "nat", "POSTROUTING"), "-A POSTROUTING -s 172.25.0.0/16 ! -o br-direct -j MASQUERADE");
    HAS(rules(p.ipv4, "nat", "POSTROUTING"), "-A POSTROUTING -s 172.24.0.0/16 ! -o br-open -j MASQUERADE");
    const QStringList raw = rules(p.ipv4, "raw", "PREROUTING");
    LACKS(raw, "-A PREROUTING -d 172.24.0.2/32 ! -i br-open -j DROP");
    LACKS(raw, "-A PREROUTING -d 172.25.0.2/32 ! -i br-direct -j DROP");
}

void TestUpgradePreviewScenarios::trustedInterfacesAndDirectRouting()
{
    const auto s = host({ Net { "ts", "172.26.0.0/16", "",
                            { { "com.docker.network.bridge.trusted_host_interfaces", "tailscale0:wg0" } } } },
        { Box { "c", "ts", "172.26.0.2", "" } });
    const QStringList raw = rules(predicted(s, "28.5.2").ipv4, "raw", "PREROUTING");
    QCOMPARE(raw,
        (QStringList { QStringLiteral("-A PREROUTING -d 172.26.0.2/32 -i tailscale0 -j ACCEPT"),
            QStringLiteral("-A PREROUTING -d 172.26.0.2/32 -i wg0 -j ACCEPT"),
            QStringLiteral("-A PREROUTING -d 172.26.0.2/32 ! -i br-ts -j DROP") }));
    QVERIFY(rules(predicted(s, "28.1.1").ipv4, "raw", "PREROUTING")
                .isEmpty()); // per port before 28.2, and c publishes none

    const auto allowed = host({ Net { "ts", "172.26.0.0/16", "" } },
        { Box { "c", "ts", "172.26.0.2", "", { { "80/tcp", { { { "HostIp", "" }, { "HostPort", "80" } } } } } } },
        json { { "allow-direct-routing", true } });
    QVERIFY(rules(predicted(allowed, "28.5.2").ipv4, "raw", "PREROUTING").isEmpty());
    HAS(rules(predicted(allowed, "28.1.1").ipv4, "raw", "PREROUTING"),
        "-A PREROUTING -d 172.26.0.2/32 ! -i br-ts -p tcp -m tcp --dport 80 -j DROP");
}

void TestUpgradePreviewScenarios::userlandProxyOff()
{
    const auto s = host({ Net { "hp", "172.27.0.0/16", "" } },
        { Box { "web", "hp", "172.27.0.2", "", { { "80/tcp", { { { "HostIp", "" }, { "HostPort", "8080" } } } } } } },
        json { { "userland-proxy", false } });
    for (const char* version : { "27.5.1", "28.5.2" }) {
        const auto p = predicted(s, version);
        HAS(rules(p.ipv4, "nat", "OUTPUT"), "-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER");
        const QStringList post = rules(p.ipv4, "nat", "POSTROUTING");
        HAS(post, "-A POSTROUTING -o br-hp -m addrtype --src-type LOCAL -j MASQUERADE");
        HAS(post, "-A POSTROUTING -s 172.27.0.2/32 -d 172.27.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE");
        const QStringList dnat = rules(p.ipv4, "nat", "DOCKER");
        HAS(dnat, "-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.27.0.2:80");
        LACKS(dnat, "-A DOCKER -i br-hp -j RETURN");
    }
    // With the proxy on, 28 drops the per-port hairpin MASQUERADE that 27.5.1 always wrote.
    const auto proxied = host({ Net { "hp", "172.27.0.0/16", "" } },
        { Box { "web", "hp", "172.27.0.2", "", { { "80/tcp", { { { "HostIp", "" }, { "HostPort", "8080" } } } } } } });
    LACKS(rules(predicted(proxied, "28.5.2").ipv4, "nat", "POSTROUTING"),
        "-A POSTROUTING -s 172.27.0.2/32 -d 172.27.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE");
    HAS(rules(predicted(proxied, "27.5.1").ipv4, "nat", "POSTROUTING"),
        "-A POSTROUTING -s 172.27.0.2/32 -d 172.27.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE");
}

void TestUpgradePreviewScenarios::iptablesOff()
{
    const auto s = host(
        { Net { "x", "172.28.0.0/16", "" } }, { Box { "c", "x", "172.28.0.2", "" } }, json { { "iptables", false } });
    for (const char* version : { "27.5.1", "28.0.0", "28.5.2" }) {
        const auto p = predicted(s, version);
        QCOMPARE(all(p.ipv4), QStringList { QStringLiteral("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT") });
        QCOMPARE(policy(p.ipv4, "FORWARD"), QStringLiteral("ACCEPT"));
        QVERIFY(all(*p.ipv6).isEmpty());
    }
}

void TestUpgradePreviewScenarios::release280AppendsAfterForeignRules()
{
    const std::string oracle = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                               "-A FORWARD -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n";
    const auto s
        = host({ Net { "one", "172.29.0.0/16", "" }, Net { "two", "172.30.0.0/16", "" } }, {}, json::object(), oracle);
    const QStringList f280 = rules(predicted(s, "28.0.0").ipv4, "filter", "FORWARD");
    const auto reject = f280.indexOf(QStringLiteral("-A FORWARD -j REJECT --reject-with icmp-host-prohibited"));
    QVERIFY(reject > 0);
    QCOMPARE(f280.mid(reject + 1),
        (QStringList { QStringLiteral("-A FORWARD -i docker0 -j ACCEPT"),
            QStringLiteral("-A FORWARD -i br-one -j ACCEPT"), QStringLiteral("-A FORWARD -i br-two -j ACCEPT") }));
    const QStringList f28x = rules(predicted(s, "28.5.2").ipv4, "filter", "FORWARD");
    QCOMPARE(f28x,
        (QStringList { QStringLiteral("-A FORWARD -j DOCKER-USER"), QStringLiteral("-A FORWARD -j DOCKER-FORWARD"),
            QStringLiteral("-A FORWARD -j REJECT --reject-with icmp-host-prohibited") }));
    const QStringList f27 = rules(predicted(s, "27.5.1").ipv4, "filter", "FORWARD");
    QCOMPARE(f27.last(), QStringLiteral("-A FORWARD -j REJECT --reject-with icmp-host-prohibited"));
    QCOMPARE(f27.mid(2, 4).first(),
        QStringLiteral("-A FORWARD -o br-two -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"));
}

void TestUpgradePreviewScenarios::inPlaceFrom27LeavesLeftovers()
{
    const auto b = predicted(fixture(QStringLiteral("docker-27.5.1-b-usernet-portmap")), "28.5.2", true);
    QCOMPARE(rules(b.ipv4, "filter", "FORWARD"),
        (QStringList { QStringLiteral("-A FORWARD -j DOCKER-USER"), QStringLiteral("-A FORWARD -j DOCKER-FORWARD") }));
    QCOMPARE(rules(b.ipv4, "filter", "DOCKER-USER"), QStringList { QStringLiteral("-A DOCKER-USER -j RETURN") });
    QCOMPARE(policy(b.ipv4, "FORWARD"), QStringLiteral("DROP"));
    QCOMPARE(policy(*b.ipv6, "FORWARD"), QStringLiteral("DROP")); // 27.5.1 set it; 28 never lifts it
    QCOMPARE(rules(*b.ipv6, "filter", "DOCKER-USER"), QStringList { QStringLiteral("-A DOCKER-USER -j RETURN") });
    QVERIFY(rules(b.ipv4, "filter", "DOCKER-ISOLATION-STAGE-1").size() == 2); // the RETURN is flushed
    HAS(rules(b.ipv4, "raw", "PREROUTING"), "-A PREROUTING -d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP");
    LACKS(all(b.ipv4), "-A POSTROUTING -s 172.18.0.2/32 -d 172.18.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE");
    QCOMPARE(rules(b.ipv4, "filter", "DOCKER").size(), 3);

    const auto c = predicted(fixture(QStringLiteral("docker-27.5.1-c-tailscale")), "28.5.2", true);
    QCOMPARE(rules(c.ipv4, "filter", "FORWARD"),
        (QStringList { QStringLiteral("-A FORWARD -j DOCKER-USER"), QStringLiteral("-A FORWARD -j DOCKER-FORWARD"),
            QStringLiteral("-A FORWARD -j ts-forward") }));
    QCOMPARE(policy(c.ipv4, "FORWARD"), QStringLiteral("ACCEPT"));
    QCOMPARE(policy(*c.ipv6, "FORWARD"), QStringLiteral("DROP"));

    const auto d = predicted(fixture(QStringLiteral("docker-27.5.1-d-oracle-cloud")), "28.5.2", true);
    QCOMPARE(rules(d.ipv4, "filter", "FORWARD"),
        (QStringList { QStringLiteral("-A FORWARD -j DOCKER-USER"), QStringLiteral("-A FORWARD -j DOCKER-FORWARD"),
            QStringLiteral("-A FORWARD -j REJECT --reject-with icmp-host-prohibited") }));
}

void TestUpgradePreviewScenarios::inPlaceTo2800()
{
    const auto d = predicted(fixture(QStringLiteral("docker-27.5.1-d-oracle-cloud")), "28.0.0", true);
    const QStringList forward = rules(d.ipv4, "filter", "FORWARD");
    HAS(forward, "-A FORWARD -j DOCKER-ISOLATION-STAGE-1");
    LACKS(forward, "-A FORWARD -i br-897b3066eb8a ! -o br-897b3066eb8a -j ACCEPT");
    LACKS(forward, "-A FORWARD -o br-897b3066eb8a -j DOCKER");
    const auto reject = forward.indexOf(QStringLiteral("-A FORWARD -j REJECT --reject-with icmp-host-prohibited"));
    QVERIFY(reject > 0);
    HAS(forward.mid(reject), "-A FORWARD -i br-897b3066eb8a -j ACCEPT");
    QCOMPARE(rules(d.ipv4, "filter", "DOCKER-USER"), QStringList { QStringLiteral("-A DOCKER-USER -j RETURN") });
}

void TestUpgradePreviewScenarios::swarmIngressJumpMoves()
{
    const std::string swarm27
        = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n"
          ":DOCKER-INGRESS - [0:0]\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A FORWARD -j DOCKER-INGRESS\n"
          "-A DOCKER-INGRESS -p tcp -m tcp --dport 8000 -j ACCEPT\n"
          "-A DOCKER-INGRESS -p tcp -m state --state RELATED,ESTABLISHED -m tcp --sport 8000 -j ACCEPT\n"
          "-A DOCKER-INGRESS -j RETURN\n-A DOCKER-USER -j RETURN\nCOMMIT\n"
          "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
          ":DOCKER - [0:0]\n:DOCKER-INGRESS - [0:0]\n"
          "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER-INGRESS\n"
          "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n"
          "-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER-INGRESS\n"
          "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n"
          "-A POSTROUTING -o docker_gwbridge -m addrtype --src-type LOCAL -j MASQUERADE\n"
          "-A DOCKER-INGRESS -p tcp -m tcp --dport 8000 -j DNAT --to-destination 172.18.0.2:8000\n"
          "-A DOCKER-INGRESS -j RETURN\nCOMMIT\n";
    const auto s = host({ Net { "docker_gwbridge", "172.18.0.0/16", "",
                            { { "com.docker.network.bridge.name", "docker_gwbridge" },
                                { "com.docker.network.bridge.enable_icc", "false" } } } },
        {}, json::object(), swarm27);
    const QStringList ingress { QStringLiteral("-A DOCKER-INGRESS -p tcp -m tcp --dport 8000 -j ACCEPT"),
        QStringLiteral("-A DOCKER-INGRESS -p tcp -m state --state RELATED,ESTABLISHED -m tcp --sport 8000 -j ACCEPT"),
        QStringLiteral("-A DOCKER-INGRESS -j RETURN") };

    const auto p28 = predicted(s, "28.5.2");
    QCOMPARE(rules(p28.ipv4, "filter", "FORWARD"),
        (QStringList { QStringLiteral("-A FORWARD -j DOCKER-USER"), QStringLiteral("-A FORWARD -j DOCKER-FORWARD") }));
    QCOMPARE(
        rules(p28.ipv4, "filter", "DOCKER-FORWARD").first(), QStringLiteral("-A DOCKER-FORWARD -j DOCKER-INGRESS"));
    HAS(rules(p28.ipv4, "filter", "DOCKER-FORWARD"), "-A DOCKER-FORWARD -i docker_gwbridge -o docker_gwbridge -j DROP");
    QCOMPARE(rules(p28.ipv4, "filter", "DOCKER-INGRESS"), ingress);
    QCOMPARE(rules(p28.ipv4, "nat", "PREROUTING").first(),
        QStringLiteral("-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER-INGRESS"));
    HAS(rules(p28.ipv4, "nat", "DOCKER-INGRESS"),
        "-A DOCKER-INGRESS -p tcp -m tcp --dport 8000 -j DNAT --to-destination 172.18.0.2:8000");
    HAS(rules(p28.ipv4, "nat", "POSTROUTING"),
        "-A POSTROUTING -o docker_gwbridge -m addrtype --src-type LOCAL -j MASQUERADE");

    const auto p27 = predicted(s, "27.5.1");
    QCOMPARE(rules(p27.ipv4, "filter", "FORWARD").mid(0, 2),
        (QStringList { QStringLiteral("-A FORWARD -j DOCKER-USER"), QStringLiteral("-A FORWARD -j DOCKER-INGRESS") }));
    QCOMPARE(rules(p27.ipv4, "filter", "DOCKER-INGRESS"), ingress);

    const auto inPlace = predicted(s, "28.5.2", true);
    LACKS(rules(inPlace.ipv4, "filter", "FORWARD"), "-A FORWARD -j DOCKER-INGRESS");
    QCOMPARE(
        rules(inPlace.ipv4, "filter", "DOCKER-FORWARD").first(), QStringLiteral("-A DOCKER-FORWARD -j DOCKER-INGRESS"));
}

void TestUpgradePreviewScenarios::unknownReleasesAreRefused()
{
    for (const char* bad : { "26.1.4", "29.0.0", "28.6.0", "latest", "28" }) {
        const auto r = parseDockerRelease(bad);
        QVERIFY2(!r.ok(), bad);
    }
    const auto r = parseDockerRelease("29.1.0");
    QVERIFY(QString::fromStdString(r.error().message).contains(QStringLiteral("28.2.x-28.5.x")));
    QCOMPARE(int(parseDockerRelease("28.0.4")->line), int(DockerLine::V28_0_1));
    QCOMPARE(int(parseDockerRelease("v28.5.2")->line), int(DockerLine::V28_2));
    QCOMPARE(int(parseDockerRelease("27.5.1")->line), int(DockerLine::V27_5));
    QCOMPARE(int(parseDockerRelease("28.0.0")->line), int(DockerLine::V28_0_0));
}

QTEST_GUILESS_MAIN(TestUpgradePreviewScenarios)
#include "tst_upgradepreviewscenarios.moc"
