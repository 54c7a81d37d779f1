// The semantic diff searching only where two snapshots can differ gives the same classes as the search of the
// whole header space, on generated Docker and kube-proxy hosts that differ in a few places (ports published,
// services added, a policy changed, a DNAT's filter rule changed, a change only replies meet), and random
// connection attempts traced in both snapshots agree with the pruned classes.
#include "model/diff/flowdiff.h"
#include "model/diff/flowprune.h"
#include "model/parse/iptables.h"

#include <QTest>

#include <random>

using namespace model;
using namespace model::engine;
using namespace model::diff;

namespace {

std::string ip(int a, int b, int c, int d)
{
    return std::to_string(a) + '.' + std::to_string(b) + '.' + std::to_string(c) + '.' + std::to_string(d);
}

std::string bridge(int n) { return "br-" + std::to_string(1000 + n); }
std::string container(int n, int k) { return ip(172, 20, n, 2 + k); }

struct DockerSpec {
    int networks = 3;
    int ports = 8;
    const char* forwardPolicy = "DROP";
    const char* inputPolicy = "DROP"; // a port published anew is then a fate that changed
    int changedPort = -1; // this port's filter rule allows 81 instead of 80
    std::string user; // extra DOCKER-USER rules
};

// A Docker 28 host with published ports spread over its networks (as tests/bench/rulesetgenerator, smaller).
std::string dockerRules(const DockerSpec& s)
{
    std::string raw, filter, nat;
    for (int p = 0; p < s.ports; ++p) {
        const int n = p % s.networks, k = p / s.networks;
        const std::string b = bridge(n), c = container(n, k);
        raw += "-A PREROUTING -d " + c + "/32 ! -i " + b + " -j DROP\n";
        filter += "-A DOCKER -d " + c + "/32 ! -i " + b + " -o " + b + " -p tcp -m tcp --dport "
            + (p == s.changedPort ? "81" : "80") + " -j ACCEPT\n";
        nat += "-A DOCKER ! -i " + b + " -p tcp -m tcp --dport " + std::to_string(8000 + p)
            + " -j DNAT --to-destination " + c + ":80\n";
    }
    std::string o = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + raw + "COMMIT\n*filter\n:INPUT " + s.inputPolicy
        + " [0:0]\n:FORWARD " + s.forwardPolicy + " [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n:DOCKER-BRIDGE - [0:0]\n"
        ":DOCKER-CT - [0:0]\n:DOCKER-FORWARD - [0:0]\n:DOCKER-ISOLATION-STAGE-1 - [0:0]\n"
        ":DOCKER-ISOLATION-STAGE-2 - [0:0]\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A FORWARD -j DOCKER-FORWARD\n"
        + filter;
    for (int n = 0; n < s.networks; ++n) {
        const std::string b = bridge(n);
        o += "-A DOCKER ! -i " + b + " -o " + b + " -j DROP\n-A DOCKER-BRIDGE -o " + b + " -j DOCKER\n-A DOCKER-CT -o " + b
            + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n";
    }
    o += "-A DOCKER-FORWARD -j DOCKER-CT\n-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1\n-A DOCKER-FORWARD -j DOCKER-BRIDGE\n";
    for (int n = 0; n < s.networks; ++n) {
        const std::string b = bridge(n);
        o += "-A DOCKER-FORWARD -i " + b + " -j ACCEPT\n-A DOCKER-ISOLATION-STAGE-1 -i " + b + " ! -o " + b
            + " -j DOCKER-ISOLATION-STAGE-2\n-A DOCKER-ISOLATION-STAGE-2 -o " + b + " -j DROP\n";
    }
    o += s.user + "COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
         ":POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n"
         "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n";
    for (int n = 0; n < s.networks; ++n)
        o += "-A POSTROUTING -s " + ip(172, 20, n, 0) + "/24 ! -o " + bridge(n) + " -j MASQUERADE\n";
    for (int n = 0; n < s.networks; ++n)
        o += "-A DOCKER -i " + bridge(n) + " -j RETURN\n";
    return o + nat + "COMMIT\n";
}

std::string vip(int s) { return ip(10, 96, 0, 10 + s); }
std::string pod(int s, int e) { return ip(10, 244, 0, 2 + 2 * s + e); }

// kube-proxy in iptables mode: two endpoints per service, chosen at random (statistic), and node ports.
std::string kubeRules(int services)
{
    std::string chains, rules;
    for (int s = 0; s < services; ++s) {
        const std::string svc = "KUBE-SVC-" + std::to_string(s), ext = "KUBE-EXT-" + std::to_string(s);
        chains += ':' + svc + " - [0:0]\n:" + ext + " - [0:0]\n";
        rules += "-A KUBE-SERVICES -d " + vip(s) + "/32 -p tcp -m tcp --dport 80 -j " + svc + '\n';
        rules += "-A KUBE-NODEPORTS -p tcp -m tcp --dport " + std::to_string(30000 + s) + " -j " + ext + '\n';
        rules += "-A " + ext + " -j KUBE-MARK-MASQ\n-A " + ext + " -j " + svc + '\n';
        for (int e = 0; e < 2; ++e) {
            const std::string sep = "KUBE-SEP-" + std::to_string(s) + '-' + std::to_string(e);
            chains += ':' + sep + " - [0:0]\n";
            rules += "-A " + svc + (e == 0 ? " -m statistic --mode random --probability 0.5" : "") + " -j " + sep + '\n';
            rules += "-A " + sep + " -s " + pod(s, e) + "/32 -j KUBE-MARK-MASQ\n";
            rules += "-A " + sep + " -p tcp -m tcp -j DNAT --to-destination " + pod(s, e) + ":8080\n";
        }
    }
    return "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-FORWARD - [0:0]\n"
           "-A FORWARD -j KUBE-FORWARD\n-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n"
           "-A KUBE-FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n"
           ":INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:KUBE-MARK-MASQ - [0:0]\n"
           ":KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n"
        + chains
        + "-A PREROUTING -j KUBE-SERVICES\n-A OUTPUT -j KUBE-SERVICES\n-A POSTROUTING -j KUBE-POSTROUTING\n"
          "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n"
          "-A KUBE-POSTROUTING -j MASQUERADE\n"
        + rules + "-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\nCOMMIT\n";
}

HostModel host(int networks)
{
    HostModel h;
    h.setInterfacesCaptured(true);
    auto iface = [&](const std::string& name, const std::string& addr, int len, bool isBridge) {
        IpPrefix a = IpPrefix::host(*IpAddress::parse(addr));
        a.mask = a.withLength(len).mask;
        a.length = len;
        h.addInterface(HostInterface { name, { a }, isBridge, {} });
    };
    iface("eth0", "10.0.0.10", 24, false);
    iface("cni0", "10.244.0.1", 16, true);
    for (int n = 0; n < networks; ++n)
        iface(bridge(n), ip(172, 20, n, 1), 24, true);
    h.addRoute(HostRoute {
        *IpPrefix::parse("0.0.0.0/0"), "eth0", IpAddress::parse("10.0.0.1"), std::nullopt, "unicast", 0, "captured" });
    h.setSysctl("net.ipv4.ip_forward", "1");
    h.setSysctl("net.bridge.bridge-nf-call-iptables", "1");
    return h;
}

std::shared_ptr<const Engine> engineOf(const std::string& rules, int networks)
{
    auto parsed = parse::parseIptablesSave(rules, Family::IPv4);
    if (!parsed)
        qFatal("generated rules do not parse: %s", parsed.error().message.c_str());
    return std::make_shared<const Engine>(
        std::make_shared<const Ruleset>(std::move(parsed).value()), nullptr, host(networks));
}

std::string sideKey(const FlowSide& s)
{
    std::string key = std::string(fateName(s.fate)) + '|' + s.deciding.qualified() + '|' + s.deciding.other + '|'
        + (s.decidedByReply ? "reply" : "") + '|' + s.rejectWith;
    for (const auto& d : s.dependsOn)
        key += '|' + d;
    return key;
}

// The packets of each explanation (fates and deciding rules before and after), as boxes.
std::map<std::string, std::vector<Box>> byExplanation(const FlowDiff& diff)
{
    std::map<std::string, std::vector<Box>> out;
    for (const auto* list : { &diff.classes, &diff.depends })
        for (const FlowClass& c : *list)
            out[sideKey(c.before) + " -> " + sideKey(c.after)].push_back(c.box);
    return out;
}

// Whether every packet of `inner` lies in the union `outer`.
bool covered(const std::vector<Box>& inner, const std::vector<Box>& outer)
{
    for (const Box& b : inner) {
        std::vector<Box> rest { b };
        for (const Box& o : outer) {
            std::vector<Box> next;
            for (const Box& r : rest)
                for (Box& piece : diff::detail::boxMinus(r, o))
                    next.push_back(std::move(piece));
            rest = std::move(next);
        }
        if (!rest.empty())
            return false;
    }
    return true;
}

// Random attempts over the addresses and ports the generated rules mention.
Packet randomPacket(std::mt19937& rng, const FlowDiff& diff, int networks)
{
    auto roll = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    auto address = [&]() {
        switch (roll(7)) {
        case 0: return *IpAddress::parse(container(roll(networks), roll(6)));
        case 1: return *IpAddress::parse(vip(roll(8)));
        case 2: return *IpAddress::parse(pod(roll(8), roll(2)));
        case 3: return *IpAddress::parse(roll(2) ? "10.0.0.10" : ip(172, 20, roll(networks), 1));
        case 4: return *IpAddress::parse(roll(2) ? "127.0.0.1" : "203.0.113.7");
        case 5: return *IpAddress::parse(ip(172, 20, roll(networks), roll(256)));
        default: return IpAddress::fromV4(static_cast<std::uint32_t>(rng()));
        }
    };
    auto port = [&]() {
        static const std::uint16_t common[] { 80, 81, 8080, 40000, 8000, 8001, 8007, 8009, 8011, 30000, 30004, 30009 };
        return roll(4) ? common[roll(static_cast<int>(std::size(common)))] : static_cast<std::uint16_t>(roll(65536));
    };
    const std::size_t classes = diff.classes.size() + diff.depends.size();
    if (classes > 0 && roll(3) == 0) { // a class's witness with one field changed: inside and at its edges
        const auto c = static_cast<std::size_t>(roll(static_cast<int>(classes)));
        Packet p = (c < diff.classes.size() ? diff.classes[c] : diff.depends[c - diff.classes.size()]).witness;
        switch (roll(4)) {
        case 0: p.header.src = address(); break;
        case 1: p.header.dst = address(); break;
        case 2:
            if (p.header.hasPorts())
                p.header.sport = port();
            break;
        default:
            if (p.header.hasPorts())
                p.header.dport = port();
        }
        return p;
    }
    Packet p;
    const Ingress& in = diff.ingress[static_cast<std::size_t>(roll(static_cast<int>(diff.ingress.size())))];
    p.fromLocalProcess = in.localProcess;
    if (!in.localProcess)
        p.inInterface = in.name == "*" ? "wlan0" : in.name.back() == '*' ? in.name.substr(0, in.name.size() - 1) + "x9" : in.name;
    p.header.protocol = roll(5) ? Proto::Tcp : roll(2) ? Proto::Udp : Proto::Icmp;
    p.header.src = address();
    p.header.dst = address();
    if (p.header.hasPorts()) {
        p.header.sport = roll(2) ? port() : 40000;
        p.header.dport = port();
    }
    if (p.header.protocol == Proto::Icmp)
        p.header.icmpType = 8;
    p.family = Family::IPv4;
    return p;
}

} // namespace

class TestFlowDiffPrune final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameAsFullSearch_data()
    {
        QTest::addColumn<QByteArray>("before");
        QTest::addColumn<QByteArray>("after");
        QTest::addColumn<int>("networks");
        QTest::addColumn<bool>("narrower"); // the change is local: pruning must search less
        auto docker = [](const DockerSpec& s) { return QByteArray::fromStdString(dockerRules(s)); };
        DockerSpec base;
        DockerSpec more = base;
        more.ports = 11;
        QTest::newRow("docker: 3 more published ports") << docker(base) << docker(more) << 3 << true;
        DockerSpec open = base;
        open.forwardPolicy = "ACCEPT";
        QTest::newRow("docker: FORWARD policy") << docker(base) << docker(open) << 3 << false;
        DockerSpec changed = base;
        changed.changedPort = 4;
        QTest::newRow("docker: a DNAT's filter rule") << docker(base) << docker(changed) << 3 << true;
        DockerSpec replies = base;
        replies.user = "-A DOCKER-USER -s " + container(1, 0)
            + "/32 -p tcp -m tcp --sport 80 -m conntrack --ctstate ESTABLISHED -j DROP\n";
        QTest::newRow("docker: a rule only replies meet") << docker(base) << docker(replies) << 3 << true;
        QTest::newRow("kube-proxy: 3 more services")
            << QByteArray::fromStdString(kubeRules(5)) << QByteArray::fromStdString(kubeRules(8)) << 3 << true;
    }

    void sameAsFullSearch()
    {
        QFETCH(QByteArray, before);
        QFETCH(QByteArray, after);
        QFETCH(int, networks);
        QFETCH(bool, narrower);
        const auto b = engineOf(before.toStdString(), networks);
        const auto a = engineOf(after.toStdString(), networks);
        FlowDiffOptions full;
        full.prune = false;
        const FlowDiff reference = *computeFlowDiff(*b, *a, full);
        const FlowDiff pruned = *computeFlowDiff(*b, *a);
        qInfo("%zu boxes searched instead of %zu; %zu classes", pruned.boxes, reference.boxes,
            pruned.classes.size() + pruned.depends.size());
        QVERIFY(!reference.classes.empty() || !reference.depends.empty());
        QVERIFY(narrower ? pruned.boxes < reference.boxes : pruned.boxes <= reference.boxes);
        const auto want = byExplanation(reference);
        const auto got = byExplanation(pruned);
        QCOMPARE(got.size(), want.size());
        for (const auto& [key, boxes] : want) {
            const auto it = got.find(key);
            QVERIFY2(it != got.end(), key.c_str());
            QVERIFY2(covered(boxes, it->second), ("pruned search misses packets of " + key).c_str());
            QVERIFY2(covered(it->second, boxes), ("pruned search adds packets to " + key).c_str());
        }

        // Completeness of the pruned result: random attempts traced in both snapshots.
        std::mt19937 rng(20261204u + static_cast<std::uint32_t>(before.size() + after.size()));
        int changedAttempts = 0;
        for (int i = 0; i < 2000; ++i) {
            const Packet p = randomPacket(rng, pruned, networks);
            const FlowSide fb = sideOf(b->traceFlow(p));
            const FlowSide fa = sideOf(a->traceFlow(p));
            const FlowClass* c = pruned.classOf(p);
            const std::string what = p.describe() + ": " + sideKey(fb) + " -> " + sideKey(fa);
            if (fb == fa || (fb.fate == fa.fate && fb.fate != Fate::Depends)) {
                QVERIFY2(c == nullptr, ("unchanged attempt inside a class: " + what).c_str());
                continue;
            }
            ++changedAttempts;
            QVERIFY2(c != nullptr, ("changed attempt outside every class: " + what).c_str());
            QVERIFY2(c->before == fb && c->after == fa, ("class explains it differently: " + what).c_str());
        }
        QVERIFY(changedAttempts > 0);
    }

    void differentHostsSearchEverything()
    {
        // A host fact the engine reads differs: every attempt may change, so nothing is left out.
        const std::string rules = dockerRules({});
        const auto b = engineOf(rules, 3);
        const auto a = engineOf(rules, 4);
        FlowDiffOptions full;
        full.prune = false;
        QCOMPARE(computeFlowDiff(*b, *a)->boxes, computeFlowDiff(*b, *a, full)->boxes);
        QVERIFY(!diff::detail::changeRegion(*b, *a, Family::IPv4, diffRulesets(b->ruleset(Family::IPv4),
                    a->ruleset(Family::IPv4)), { "eth0", "*", "" }));
    }
};

QTEST_GUILESS_MAIN(TestFlowDiffPrune)
#include "tst_flowdiffprune.moc"
