// The semantic diff on the shared Docker fixtures: every changed flow of EXPECTED.md lies in a class with the
// deciding rules measured on the real kernel, no unchanged flow lies in any class, each class's witness traced
// concretely shows what the class says, and random packets traced in both snapshots agree with the classes.
#include "../common/fixturehost.h"
#include "model/diff/flowdiff.h"
#include "model/diff/flowtext.h"
#include "model/parse/iptables.h"

#include <QTest>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace model;
using namespace model::engine;
using namespace model::diff;

namespace {

struct Pair {
    std::shared_ptr<const Engine> before;
    std::shared_ptr<const Engine> after;
    FlowDiff diff;
};

const QStringList& scenarios()
{
    static const QStringList s { QStringLiteral("a-default-bridge"), QStringLiteral("b-usernet-portmap"),
        QStringLiteral("c-tailscale"), QStringLiteral("d-oracle-cloud") };
    return s;
}

std::shared_ptr<const Engine> engineFor(const QString& fixture)
{
    static std::map<QString, std::shared_ptr<const Engine>> cache;
    auto& e = cache[fixture];
    if (!e)
        e = Engine::fromSnapshot(*fixtures::snapshot(fixture));
    return e;
}

// "28.x" + "b-usernet-portmap": 27.5.1 against that version; computed once per test run.
const Pair& pairFor(const QString& version, const QString& scenario)
{
    static std::map<QString, Pair> cache;
    const QString key = version + QLatin1Char('/') + scenario;
    auto it = cache.find(key);
    if (it == cache.end()) {
        Pair p;
        p.before = engineFor(QStringLiteral("docker-27.5.1-") + scenario);
        p.after = engineFor(QStringLiteral("docker-") + version + QLatin1Char('-') + scenario);
        p.diff = *computeFlowDiff(*p.before, *p.after);
        it = cache.emplace(key, std::move(p)).first;
    }
    return it->second;
}

struct FlowSpec {
    const char* in;
    const char* src;
    const char* dst;
    std::uint16_t dport;
};

const std::map<std::string, FlowSpec>& flows()
{
    static const std::map<std::string, FlowSpec> f {
        { "EXT-PUB", { "eth0", "203.0.113.7", "10.0.0.10", 8080 } },
        { "LAN-DIRECT-80", { "eth0", "10.0.0.50", "172.18.0.2", 80 } },
        { "LAN-DIRECT-22", { "eth0", "10.0.0.50", "172.18.0.2", 22 } },
        { "CTR-OUT", { "br-897b3066eb8a", "172.18.0.2", "1.1.1.1", 443 } },
        { "TS-PUB", { "tailscale0", "100.64.10.20", "100.101.102.103", 8080 } },
        { "TS-DIRECT-80", { "tailscale0", "100.64.10.20", "172.18.0.2", 80 } },
        { "TS-DIRECT-22", { "tailscale0", "100.64.10.20", "172.18.0.2", 22 } },
        { "CTR-TS", { "br-897b3066eb8a", "172.18.0.2", "100.64.10.20", 443 } },
        { "TS-EXIT", { "tailscale0", "100.64.10.20", "1.1.1.1", 443 } },
        { "TS-LAN", { "tailscale0", "100.64.10.20", "10.0.0.50", 443 } },
    };
    return f;
}

Packet packetOf(const FlowSpec& f)
{
    Packet p;
    p.inInterface = f.in;
    p.header.src = *IpAddress::parse(f.src);
    p.header.dst = *IpAddress::parse(f.dst);
    p.header.protocol = Proto::Tcp;
    p.header.sport = 40000;
    p.header.dport = f.dport;
    p.family = p.header.dst.family;
    return p;
}

bool changed(const FlowSide& b, const FlowSide& a)
{
    return !(b == a) && (b.fate != a.fate || b.fate == Fate::Depends);
}

QString describe(const FlowClass* c)
{
    if (!c)
        return QStringLiteral("no class");
    return QStringLiteral("class %1: %2 %3 -> %4 %5")
        .arg(c->id)
        .arg(QString::fromStdString(describeFate(c->before)), QString::fromStdString(describeRule(c->before)),
            QString::fromStdString(describeFate(c->after)), QString::fromStdString(describeRule(c->after)));
}

// Random connection attempts, biased towards what the rules and hosts mention.
class PacketSource final {
public:
    PacketSource(const FlowDiff& diff, std::uint32_t seed)
        : m_rng(seed)
    {
        for (const auto& in : diff.ingress)
            if (!in.localProcess)
                m_ingress.push_back(in.name == "*" ? "wlan0"
                        : in.name.back() == '*'    ? in.name.substr(0, in.name.size() - 1) + "x9"
                                                   : in.name);
        for (const char* a : { "10.0.0.10", "10.0.0.50", "10.0.0.1", "10.0.0.255", "172.17.0.1", "172.17.0.2",
                 "172.18.0.1", "172.18.0.2", "172.18.0.3", "172.18.255.255", "100.101.102.103", "100.64.10.20",
                 "100.64.0.1", "1.1.1.1", "203.0.113.7", "127.0.0.1", "224.0.0.1", "255.255.255.255", "8.8.8.8" })
            m_v4.push_back(*IpAddress::parse(a));
        for (const char* a : { "::1", "fe80::1", "fe80::d4f3:85ff:fedc:78c4", "2001:db8::7", "fd7a:115c:a1e0::5",
                 "ff02::1", "2606:4700::1111" })
            m_v6.push_back(*IpAddress::parse(a));
    }

    Packet next()
    {
        Packet p;
        const bool v6 = roll(5) == 0;
        if (roll(8) == 0)
            p.fromLocalProcess = true;
        else
            p.inInterface = m_ingress[roll(m_ingress.size())];
        const int proto = static_cast<int>(roll(10));
        p.header.protocol = proto < 6 ? Proto::Tcp
            : proto < 8               ? Proto::Udp
            : proto < 9               ? (v6 ? Proto::Icmpv6 : Proto::Icmp)
                                      : static_cast<std::uint8_t>(1 + roll(255));
        p.header.src = address(v6);
        p.header.dst = address(v6);
        if (p.header.hasPorts()) {
            p.header.sport = port(true);
            p.header.dport = port(false);
        }
        if (p.header.protocol == (v6 ? Proto::Icmpv6 : Proto::Icmp))
            p.header.icmpType = v6 ? 128 : 8;
        p.family = p.header.dst.family;
        return p;
    }

private:
    std::size_t roll(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_rng); }

    IpAddress address(bool v6)
    {
        const auto& list = v6 ? m_v6 : m_v4;
        IpAddress a = list[roll(list.size())];
        switch (roll(4)) {
        case 0: return a;
        case 1: a.lo ^= roll(256); return a; // a neighbour in the same /24
        case 2: a.lo ^= roll(1u << 16); return a;
        default:
            if (v6) {
                a.hi = m_rng();
                a.lo = m_rng();
                a.hi = (a.hi << 32) ^ m_rng();
            } else {
                a = IpAddress::fromV4(static_cast<std::uint32_t>(m_rng()));
            }
            return a;
        }
    }

    std::uint16_t port(bool source)
    {
        static const std::uint16_t common[] { 80, 22, 8080, 443, 53, 40000, 0, 65535, 79, 81, 8079, 8081 };
        if (roll(3) != 0)
            return source && roll(2) ? 40000 : common[roll(std::size(common))];
        return static_cast<std::uint16_t>(roll(65536));
    }

    std::mt19937 m_rng;
    std::vector<std::string> m_ingress;
    std::vector<IpAddress> m_v4;
    std::vector<IpAddress> m_v6;
};

// An IPv4 engine for the rules on a host with eth0 (the default route) and `bridges` Docker bridges.
std::shared_ptr<const Engine> engineOf(const std::string& text, int bridges)
{
    auto rules = parse::parseIptablesSave(text, Family::IPv4);
    if (!rules)
        qFatal("test ruleset does not parse");
    HostModel host;
    host.setInterfacesCaptured(true);
    const auto iface = [&](const std::string& name, const char* address, int length, bool isBridge) {
        IpPrefix a = IpPrefix::host(*IpAddress::parse(address));
        a.mask = a.withLength(length).mask;
        a.length = length;
        host.addInterface(HostInterface { name, { a }, isBridge, {} });
    };
    iface("eth0", "10.0.0.10", 24, false);
    for (int n = 0; n < bridges; ++n)
        iface("br-" + std::to_string(100000000000 + n), ("172.20." + std::to_string(n) + ".1").c_str(), 24, true);
    host.addRoute(HostRoute {
        *IpPrefix::parse("0.0.0.0/0"), "eth0", IpAddress::parse("10.0.0.1"), std::nullopt, "unicast", 0, "captured" });
    host.setSysctl("net.ipv4.ip_forward", "1");
    host.setSysctl("net.bridge.bridge-nf-call-iptables", "1");
    return std::make_shared<const Engine>(
        std::make_shared<const Ruleset>(std::move(rules).value()), nullptr, std::move(host));
}

// A Docker 28 host with `networks` user bridges and `ports` published ports spread over them, written the way
// Docker writes its rules: one rule per bridge in several chains (equal targets side by side), one per container
// or port in others. Its bridges are the host's. Without `rawDrops`, containers can be reached directly as before
// Docker 28. With `blockOutbound` the host's own DOCKER-USER rule stops containers from reaching the outside.
std::shared_ptr<const Engine> generatedDockerHost(int networks, int ports, bool rawDrops, bool blockOutbound)
{
    const auto bridge = [](int n) { return "br-" + std::to_string(100000000000 + n); };
    const auto ctr = [](int n, int k) { return "172.20." + std::to_string(n) + '.' + std::to_string(2 + k); };
    std::string raw, filter, nat;
    for (int p = 0; p < ports; ++p) {
        const int n = p % networks, k = p / networks;
        if (rawDrops)
            raw += "-A PREROUTING -d " + ctr(n, k) + "/32 ! -i " + bridge(n) + " -j DROP\n";
        filter += "-A DOCKER -d " + ctr(n, k) + "/32 ! -i " + bridge(n) + " -o " + bridge(n)
            + " -p tcp -m tcp --dport 80 -j ACCEPT\n";
        nat += "-A DOCKER ! -i " + bridge(n) + " -p tcp -m tcp --dport " + std::to_string(8000 + p)
            + " -j DNAT --to-destination " + ctr(n, k) + ":80\n";
    }
    std::string text = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + raw
        + "COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n"
          ":DOCKER-BRIDGE - [0:0]\n:DOCKER-CT - [0:0]\n:DOCKER-FORWARD - [0:0]\n:DOCKER-ISOLATION-STAGE-1 - [0:0]\n"
          ":DOCKER-ISOLATION-STAGE-2 - [0:0]\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n"
          "-A FORWARD -j DOCKER-FORWARD\n"
        + std::string(blockOutbound ? "-A DOCKER-USER -o eth0 -j DROP\n" : "") + filter;
    for (int n = 0; n < networks; ++n)
        text += "-A DOCKER ! -i " + bridge(n) + " -o " + bridge(n) + " -j DROP\n";
    for (int n = 0; n < networks; ++n)
        text += "-A DOCKER-BRIDGE -o " + bridge(n) + " -j DOCKER\n-A DOCKER-CT -o " + bridge(n)
            + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n";
    text += "-A DOCKER-FORWARD -j DOCKER-CT\n-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1\n"
            "-A DOCKER-FORWARD -j DOCKER-BRIDGE\n";
    for (int n = 0; n < networks; ++n)
        text += "-A DOCKER-FORWARD -i " + bridge(n) + " -j ACCEPT\n";
    for (int n = 0; n < networks; ++n)
        text += "-A DOCKER-ISOLATION-STAGE-1 -i " + bridge(n) + " ! -o " + bridge(n)
            + " -j DOCKER-ISOLATION-STAGE-2\n-A DOCKER-ISOLATION-STAGE-2 -o " + bridge(n) + " -j DROP\n";
    text += "COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            ":POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n"
            "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n";
    for (int n = 0; n < networks; ++n)
        text += "-A POSTROUTING -s 172.20." + std::to_string(n) + ".0/24 ! -o " + bridge(n) + " -j MASQUERADE\n";
    for (int n = 0; n < networks; ++n)
        text += "-A DOCKER -i " + bridge(n) + " -j RETURN\n";
    text += nat + "COMMIT\n";
    return engineOf(text, networks);
}

// Traces the attempt in both snapshots and checks it against the diff: a changed fate lies in a class that
// reports it exactly, an unchanged one in none. Counts the changed ones; a failure ends the calling test.
void checkAttempt(const Engine& before, const Engine& after, const FlowDiff& diff, const Packet& p, int& changedFates)
{
    const FlowSide b = sideOf(before.traceFlow(p));
    const FlowSide a = sideOf(after.traceFlow(p));
    const FlowClass* c = diff.classOf(p);
    const QString what = QString::fromStdString(p.describe() + ": " + describeFate(b) + ' ' + describeRule(b) + " -> "
                             + describeFate(a) + ' ' + describeRule(a))
        + QStringLiteral(" / ") + describe(c);
    if (!changed(b, a)) {
        QVERIFY2(c == nullptr, qPrintable(QStringLiteral("unchanged packet inside a class: ") + what));
        return;
    }
    ++changedFates;
    QVERIFY2(c != nullptr, qPrintable(QStringLiteral("changed packet outside every class: ") + what));
    QVERIFY2(c->before == b && c->after == a, qPrintable(QStringLiteral("class explains it differently: ") + what));
}

int samplesPerPair()
{
    const QByteArray env = qgetenv("CHAINSIGHT_FLOWDIFF_SAMPLES");
    return env.isEmpty() ? 1000 : env.toInt();
}

} // namespace

class TestFlowDiff final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void expectedFlows_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("scenario");
        for (const char* v : { "28.x", "28.0.0" })
            for (const QString& s : scenarios())
                QTest::newRow(qPrintable(QString::fromLatin1(v) + QLatin1Char(' ') + s)) << QString::fromLatin1(v) << s;
    }

    void expectedFlows()
    {
        QFETCH(QString, version);
        QFETCH(QString, scenario);
        const Pair& pair = pairFor(version, scenario);
        const auto expected = fixtures::readJson(QStringLiteral("expected-verdicts.json")).at("results");
        const std::string beforeKey = "docker-27.5.1-" + scenario.toStdString() + ".rules";
        const std::string afterKey = "docker-" + version.toStdString() + '-' + scenario.toStdString() + ".rules";
        if (!expected.contains(beforeKey) || !expected.contains(afterKey))
            return; // scenario a has no container, hence no measured flows; its IPv6 change is checked below
        int changedFlows = 0;
        for (const auto& [flow, row] : expected.at(beforeKey).items()) {
            if (!expected.at(afterKey).contains(flow))
                continue;
            const auto& later = expected.at(afterKey).at(flow);
            const Packet p = packetOf(flows().at(flow));
            const FlowClass* c = pair.diff.classOf(p);
            const QString what = QString::fromStdString(flow) + QStringLiteral(": ") + describe(c);
            if (row.at("verdict") == later.at("verdict")) {
                QVERIFY2(c == nullptr, qPrintable(QStringLiteral("unchanged flow in a class: ") + what));
                continue;
            }
            ++changedFlows;
            QVERIFY2(c != nullptr, qPrintable(QStringLiteral("changed flow in no class: ") + what));
            QCOMPARE(QString::fromLatin1(fateName(c->before.fate)), QString::fromStdString(row.at("verdict")));
            QCOMPARE(QString::fromLatin1(fateName(c->after.fate)), QString::fromStdString(later.at("verdict")));
            QCOMPARE(QString::fromStdString(describeRule(c->before)), QString::fromStdString(row.at("deciding_rule")));
            QCOMPARE(QString::fromStdString(describeRule(c->after)), QString::fromStdString(later.at("deciding_rule")));
        }
        QVERIFY(scenario.startsWith(QLatin1Char('a')) || changedFlows > 0);
    }

    void progressAndCancel()
    {
        const auto before = engineFor(QStringLiteral("docker-27.5.1-c-tailscale"));
        const auto after = engineFor(QStringLiteral("docker-28.x-c-tailscale"));
        std::vector<double> seen;
        const auto done = computeFlowDiff(*before, *after, {}, [&](double f) {
            seen.push_back(f);
            return true;
        });
        QVERIFY(done);
        QVERIFY(seen.size() >= 2);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(seen.back(), 1.0);
        int calls = 0;
        const auto cancelled = computeFlowDiff(*before, *after, {}, [&](double) { return ++calls < 1; });
        QVERIFY(!cancelled);
        QCOMPARE(calls, 1);
    }

    void ipv6ForwardingOpened()
    {
        // 27.5.1 sets ip6tables FORWARD to DROP unconditionally, 28.x leaves it at ACCEPT.
        const QString version = QStringLiteral("28.x"), scenario = QStringLiteral("a-default-bridge");
        const Pair& pair = pairFor(version, scenario); // named arguments: GCC 14 warns of a dangling reference else
        Packet p = packetOf({ "eth0", "2001:db8:1::5", "2001:db8:2::7", 443 });
        const FlowClass* c = pair.diff.classOf(p);
        QVERIFY2(c != nullptr, "routed IPv6 traffic is in no class");
        QCOMPARE(c->before.fate, Fate::Drop);
        QCOMPARE(QString::fromStdString(c->before.deciding.qualified()), QStringLiteral("filter/FORWARD policy DROP"));
        QCOMPARE(c->after.fate, Fate::Accept);
        QVERIFY(c->opened);
    }

    void witnesses_data() { expectedFlows_data(); }

    void witnesses()
    {
        QFETCH(QString, version);
        QFETCH(QString, scenario);
        const Pair& pair = pairFor(version, scenario);
        QVERIFY(!pair.diff.incomplete);
        for (const auto* list : { &pair.diff.classes, &pair.diff.depends })
            for (const FlowClass& c : *list) {
                const FlowSide b = sideOf(pair.before->traceFlow(c.witness));
                const FlowSide a = sideOf(pair.after->traceFlow(c.witness));
                QVERIFY2(b == c.before && a == c.after,
                    qPrintable(QString::fromStdString(c.witness.describe()) + QStringLiteral(" traced: ")
                        + QString::fromStdString(describeRule(b) + " -> " + describeRule(a)) + QStringLiteral(" vs ")
                        + describe(&c)));
                QCOMPARE(pair.diff.classOf(c.witness), &c);
            }
    }

    void randomPackets_data() { expectedFlows_data(); }

    void randomPackets()
    {
        QFETCH(QString, version);
        QFETCH(QString, scenario);
        const Pair& pair = pairFor(version, scenario);
        PacketSource source(pair.diff, 20251204u + static_cast<std::uint32_t>(qHash(version + scenario)));
        const int n = samplesPerPair();
        int inClasses = 0;
        for (int i = 0; i < n; ++i) {
            checkAttempt(*pair.before, *pair.after, pair.diff, source.next(), inClasses);
            if (QTest::currentTestFailed())
                return;
        }
        qInfo("%d random attempts, %d with a changed fate; %zu classes from %zu boxes", n, inClasses,
            pair.diff.classes.size(), pair.diff.boxes);
    }
    // Rules with equal targets side by side (one per bridge) let one traced path stand for all of them: fewer boxes,
    // the same classes, and every attempt still has the fate and deciding rules its class reports.
    void groupsWidenExactly()
    {
        // Before: containers reach the outside, each bridge by its own rule of a group; direct routing to them
        // works. After: both stopped, by rules of their own.
        const auto before = generatedDockerHost(6, 12, false, false);
        const auto after = generatedDockerHost(6, 15, true, true);
        FlowDiffOptions pathByPath;
        pathByPath.widenGroups = false;
        const auto wide = computeFlowDiff(*before, *after);
        const auto exact = computeFlowDiff(*before, *after, pathByPath);
        QVERIFY(wide && exact);
        QVERIFY2(wide->boxes < exact->boxes,
            qPrintable(QStringLiteral("%1 boxes widened, %2 path by path").arg(wide->boxes).arg(exact->boxes)));
        const auto sides = [](const FlowDiff& d) {
            std::vector<std::string> out;
            for (const auto& list : { &d.classes, &d.depends })
                for (const FlowClass& c : *list)
                    out.push_back(describeFate(c.before) + ' ' + describeRule(c.before) + " -> " + describeFate(c.after)
                        + ' ' + describeRule(c.after));
            std::sort(out.begin(), out.end());
            return out;
        };
        QVERIFY(!wide->classes.empty());
        QCOMPARE(sides(*wide), sides(*exact));

        std::mt19937 rng(20261206u);
        const auto roll = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
        std::vector<std::string> ingress { "eth0", "wlan0" };
        std::vector<std::string> addresses { "10.0.0.10", "10.0.0.1", "203.0.113.7", "127.0.0.1" };
        for (int n = 0; n < 6; ++n) {
            ingress.push_back("br-" + std::to_string(100000000000 + n));
            for (int k : { 0, 1, 2, 3, 200 })
                addresses.push_back("172.20." + std::to_string(n) + '.' + std::to_string(k == 0 ? 1 : 1 + k));
        }
        const int n = samplesPerPair() * 20;
        int inClasses = 0;
        for (int i = 0; i < n; ++i) {
            Packet p;
            p.fromLocalProcess = roll(6) == 0;
            if (!p.fromLocalProcess)
                p.inInterface = ingress[roll(ingress.size())];
            p.header.protocol = roll(5) == 0 ? Proto::Udp : Proto::Tcp;
            p.header.src = *IpAddress::parse(addresses[roll(addresses.size())]);
            p.header.dst = *IpAddress::parse(addresses[roll(addresses.size())]);
            p.header.sport = roll(2) == 0 ? 40000 : static_cast<std::uint16_t>(roll(65536));
            p.header.dport
                = roll(3) == 0 ? 80 : static_cast<std::uint16_t>(roll(4) == 0 ? roll(65536) : 8000 + roll(18));
            p.header.tcpFlags = TcpFlag::Syn;
            p.family = Family::IPv4;
            checkAttempt(*before, *after, *wide, p, inClasses);
            if (QTest::currentTestFailed())
                return;
        }
        QVERIFY(inClasses > 0);
        qInfo("%d random attempts, %d with a changed fate; %zu classes from %zu boxes (%zu path by path)", n, inClasses,
            wide->classes.size(), wide->boxes, exact->boxes);
    }
    // Where the fates differ, a group's rule that decided stays the traced one: each interface and source network
    // keeps its own accepting rule in the classes.
    void groupsKeepDecidingRules()
    {
        const std::string rules = "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
                                  "-A FORWARD -i eth1 -j ACCEPT\n-A FORWARD -i eth2 -j ACCEPT\n"
                                  "-A FORWARD -i eth3 -j ACCEPT\n-A FORWARD -s 10.1.0.0/16 -j ACCEPT\n"
                                  "-A FORWARD -s 10.2.0.0/16 -j ACCEPT\n-A FORWARD -s 10.3.0.0/16 -j ACCEPT\n";
        const std::string head = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
        const auto before = engineOf(head + rules + "COMMIT\n", 0);
        const auto after = engineOf(head + "-A FORWARD -d 192.0.2.0/24 -j DROP\n" + rules + "COMMIT\n", 0);
        const auto diff = computeFlowDiff(*before, *after);
        QVERIFY(diff);
        std::set<int> decidingBefore;
        for (const FlowClass& c : diff->classes)
            decidingBefore.insert(c.before.deciding.index);
        const std::set<int> groupRules { 2, 3, 4, 5, 6, 7 }; // each decides a class of its own
        QVERIFY(std::includes(decidingBefore.begin(), decidingBefore.end(), groupRules.begin(), groupRules.end()));
        int changedFates = 0;
        for (const char* in : { "eth1", "eth2", "eth3", "eth0" })
            for (const char* src : { "10.1.0.5", "10.2.0.5", "10.3.0.5", "10.9.0.5" }) {
                Packet p;
                p.inInterface = in;
                p.header.protocol = Proto::Tcp;
                p.header.src = *IpAddress::parse(src);
                p.header.dst = *IpAddress::parse("192.0.2.5");
                p.header.sport = 40000;
                p.header.dport = 443;
                p.header.tcpFlags = TcpFlag::Syn;
                checkAttempt(*before, *after, *diff, p, changedFates);
                if (QTest::currentTestFailed())
                    return;
            }
        QVERIFY(changedFates > 0);
    }
};

QTEST_GUILESS_MAIN(TestFlowDiff)
#include "tst_flowdiff.moc"
