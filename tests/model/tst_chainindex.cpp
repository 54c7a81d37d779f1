// The indexed dispatch of long exact-value runs (kube-proxy's KUBE-SERVICES, Docker's DOCKER chains) changes
// nothing a trace reports: for packets drawn from the rules' own addresses, ports and interfaces, the engine
// with and without the index gives the same fates, deciding rules and hops, and the path condition recorded
// with the index is the one recorded without it, or a part of it that still holds the packet.
#include "model/engine/engine.h"
#include "model/parse/iptables.h"
#include "../common/fixturehost.h"

#include <QTest>

#include <algorithm>
#include <array>
#include <optional>
#include <random>

using namespace model;
using namespace model::engine;

namespace {

std::string ip4(int a, int b, int c, int d)
{
    return std::to_string(a) + '.' + std::to_string(b) + '.' + std::to_string(c) + '.' + std::to_string(d);
}

// kube-proxy's shapes, with what breaks a naive index mixed in: two protocols and several ports per cluster
// IP, jumps that return (KUBE-MARK-MASQ), LOG, a source match before the key, a rule without a key in the
// middle, random endpoint choice, node ports by --dport and multiport.
std::string kubeProxy(int services)
{
    std::string nat = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                      ":POSTROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n"
                      ":KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]\n";
    std::string services_, nodeports, chains;
    for (int s = 0; s < services; ++s) {
        const std::string svc = "KUBE-SVC-" + std::to_string(s);
        const std::string vip = ip4(10, 96, s / 80, 3 * (s % 80) + 1) + "/32";
        const std::string proto = s % 5 == 0 ? "udp" : "tcp";
        const std::string port = std::to_string(s % 3 == 0 ? 53 : 80 + s % 4);
        nat += ':' + svc + " - [0:0]\n:" + svc + "-A - [0:0]\n:" + svc + "-B - [0:0]\n";
        if (s % 11 == 0)
            services_ += "-A KUBE-SERVICES -d " + vip + " -p tcp -m tcp --dport " + port + " -j KUBE-MARK-MASQ\n";
        if (s % 17 == 0)
            services_ += "-A KUBE-SERVICES ! -s 10.244.0.0/16 -d " + vip + " -p " + proto + " -j KUBE-MARK-MASQ\n";
        if (s % 13 == 0)
            services_ += "-A KUBE-SERVICES -d " + vip + " -j LOG --log-prefix svc\n";
        services_ += "-A KUBE-SERVICES -d " + vip + " -p " + proto + " -m comment --comment \"svc " + std::to_string(s)
            + "\" -m " + proto + " --dport " + port + " -j " + svc + '\n';
        if (s % 7 == 0)
            services_ += "-A KUBE-SERVICES -d " + vip + " -p tcp -m tcp --dport 443 -j " + svc + '\n';
        if (s == services / 2)
            services_ += "-A KUBE-SERVICES -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 10250 -j RETURN\n";
        if (s % 9 == 0)
            nodeports += "-A KUBE-NODEPORTS -p tcp -m multiport --dports " + std::to_string(30000 + s) + ','
                + std::to_string(31000 + s) + " -j " + svc + '\n';
        else
            nodeports += "-A KUBE-NODEPORTS -p " + proto + " -m " + proto + " --dport " + std::to_string(30000 + s)
                + " -j " + svc + '\n';
        chains += "-A " + svc + " -m statistic --mode random --probability 0.5 -j " + svc + "-A\n-A " + svc + " -j " + svc
            + "-B\n";
        for (const char* e : { "-A", "-B" })
            chains += "-A " + svc + e + " -p " + proto + " -j DNAT --to-destination "
                + ip4(10, 244, s / 100, 2 * (s % 100) + (e[1] == 'A' ? 1 : 2)) + ":8080\n";
    }
    nat += "-A PREROUTING -j KUBE-SERVICES\n-A OUTPUT -j KUBE-SERVICES\n-A POSTROUTING -j KUBE-POSTROUTING\n"
           "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n"
           "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n-A KUBE-POSTROUTING -j MASQUERADE\n"
        + services_ + "-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n" + nodeports + chains
        + "COMMIT\n";
    return "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
           "-A FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT\n"
           "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
           "-A FORWARD -d 10.244.0.0/16 -p udp -j ACCEPT\nCOMMIT\n"
        + nat;
}

std::vector<std::string> bridges(int networks)
{
    std::vector<std::string> out { "docker0" };
    for (int n = 1; n < networks; ++n)
        out.push_back("br-" + std::to_string(100000 + n));
    return out;
}

// A Docker 28 host: raw and filter DOCKER keyed on container addresses, nat DOCKER on published ports.
std::string dockerHost(int networks, int ports)
{
    const auto names = bridges(networks);
    std::string raw, filter, nat;
    for (int p = 0; p < ports; ++p) {
        const int n = p % networks;
        const std::string& b = names[static_cast<std::size_t>(n)];
        const std::string ctr = ip4(172, 17 + n, 0, 2 + p / networks);
        const std::string proto = p % 4 == 0 ? "udp" : "tcp";
        raw += "-A PREROUTING -d " + ctr + "/32 ! -i " + b + " -j DROP\n";
        filter += "-A DOCKER -d " + ctr + "/32 ! -i " + b + " -o " + b + " -p " + proto + " -m " + proto
            + " --dport 80 -j ACCEPT\n";
        nat += "-A DOCKER ! -i " + b + " -p " + proto + " -m " + proto + " --dport " + std::to_string(8000 + 2 * p)
            + " -j DNAT --to-destination " + ctr + ":80\n";
    }
    std::string o = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + raw
        + "COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n"
          ":DOCKER-CT - [0:0]\n-A FORWARD -j DOCKER-CT\n-A FORWARD -j DOCKER\n"
        + filter;
    for (const auto& b : names)
        o += "-A DOCKER ! -i " + b + " -o " + b + " -j DROP\n-A DOCKER-CT -o " + b
            + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A FORWARD -i " + b + " -j ACCEPT\n";
    o += "COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
         ":DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n"
         "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n";
    for (int n = 0; n < networks; ++n)
        o += "-A POSTROUTING -s " + ip4(172, 17 + n, 0, 0) + "/16 ! -o " + names[static_cast<std::size_t>(n)]
            + " -j MASQUERADE\n-A DOCKER -i " + names[static_cast<std::size_t>(n)] + " -j RETURN\n";
    return o + nat + "COMMIT\n";
}

HostModel host(int networks)
{
    HostModel h;
    h.setInterfacesCaptured(true);
    auto iface = [&](const std::string& name, const std::string& addr, int len, bool bridge) {
        IpPrefix a = IpPrefix::host(*IpAddress::parse(addr));
        a.mask = a.withLength(len).mask;
        a.length = len;
        h.addInterface(HostInterface { name, { a }, bridge, {} });
    };
    iface("eth0", "10.0.0.10", 24, false);
    const auto names = bridges(networks);
    for (int n = 0; n < networks; ++n)
        iface(names[static_cast<std::size_t>(n)], ip4(172, 17 + n, 0, 1), 16, true);
    h.addRoute(HostRoute {
        *IpPrefix::parse("0.0.0.0/0"), "eth0", IpAddress::parse("10.0.0.1"), std::nullopt, "unicast", 0, "captured" });
    h.setSysctl("net.ipv4.ip_forward", "1");
    h.setSysctl("net.bridge.bridge-nf-call-iptables", "1");
    return h;
}

RulesetPtr parsed(const std::string& text)
{
    auto r = parse::parseIptablesSave(text, Family::IPv4);
    return r ? std::make_shared<const Ruleset>(std::move(r).value()) : nullptr;
}

std::string describe(const TraceResult& t)
{
    std::string s = fateName(t.fate) + std::string(" by ") + t.deciding.qualified() + '\n';
    for (const Outcome& o : t.outcomes) {
        s += "path: " + std::string(fateName(o.fate)) + " by " + o.deciding.qualified() + '\n';
        for (const std::string& c : o.conditions)
            s += "  if " + c + '\n';
        for (const Hop& h : o.hops)
            s += "  " + h.table + '/' + h.chain + ' ' + std::to_string(h.ruleNumber) + ' ' + h.verdict + ' ' + h.note
                + (h.after ? " -> " + h.after->toString() : std::string())
                + (h.mark ? " mark " + std::to_string(*h.mark) : std::string()) + '\n';
    }
    return s;
}

std::string describe(const FlowResult& f)
{
    return describe(f.original) + (f.reply ? "reply: " + describe(*f.reply) : std::string()) + "flow "
        + fateName(f.fate) + " by " + f.qualifiedDeciding() + '\n';
}

// Packets drawn from the values the rules name (and their neighbours, which fall in the gaps between them).
class Sampler final {
public:
    Sampler(const CompiledRuleset& rules, const HostModel& h, std::vector<std::string> ingress)
        : m_family(rules.family)
        , m_ingress(std::move(ingress))
    {
        for (const auto& t : rules.tables)
            for (const auto& c : t.chains)
                for (const auto& r : c.rules)
                    for (const Predicate& p : r.predicates)
                        collect(p);
        for (const HostInterface& i : h.interfaces())
            for (const IpPrefix& a : i.addresses)
                if (a.network.family == m_family)
                    m_addresses.push_back(toU128(a.network));
        m_addresses.push_back(m_family == Family::IPv4 ? toU128(*IpAddress::parse("198.51.100.7"))
                                                       : toU128(*IpAddress::parse("2001:db8::7")));
    }

    Packet next(std::mt19937& rng) const
    {
        auto pick = [&](const auto& list) { return list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(rng)]; };
        Packet p;
        p.family = m_family;
        p.inInterface = pick(m_ingress);
        p.fromLocalProcess = p.inInterface.empty();
        Header& h = p.header;
        static constexpr std::array<std::uint8_t, 4> kProtocols { Proto::Tcp, Proto::Tcp, Proto::Udp, 0 };
        h.protocol = pick(kProtocols);
        if (h.protocol == 0)
            h.protocol = m_family == Family::IPv4 ? Proto::Icmp : Proto::Icmpv6;
        h.src = addressFromU128(pick(m_addresses), m_family);
        h.dst = addressFromU128(pick(m_addresses), m_family);
        if (h.hasPorts()) {
            h.sport = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(1024, 65535)(rng));
            h.dport = pick(m_ports);
        } else {
            h.icmpType = m_family == Family::IPv4 ? 8 : 128;
        }
        return p;
    }

    const std::vector<U128>& addresses() const noexcept { return m_addresses; }
    const std::vector<std::uint16_t>& ports() const noexcept { return m_ports; }

private:
    void collect(const Predicate& p)
    {
        for (const IpPrefix& a : p.prefixes)
            if (a.length >= 0 && a.network.family == m_family)
                for (int d : { 0, 1, -1 })
                    m_addresses.push_back(toU128(a.network) + static_cast<U128>(d));
        if (p.field == Field::DstPort || p.field == Field::SrcPort || p.field == Field::AnyPort)
            for (const PortRange& r : p.ports)
                for (int d : { 0, 1, -1 })
                    m_ports.push_back(static_cast<std::uint16_t>(r.first + d));
    }

    Family m_family;
    std::vector<std::string> m_ingress;
    std::vector<U128> m_addresses;
    std::vector<std::uint16_t> m_ports { 22, 443 };
};

std::string text(const IntervalSet& set)
{
    std::string s;
    for (const Interval& i : set.intervals())
        s += '[' + std::to_string(static_cast<std::uint64_t>(i.lo)) + ',' + std::to_string(static_cast<std::uint64_t>(i.hi))
            + "] ";
    return s;
}

// The rules a flow passes and what they decided, without the header values that vary inside one region.
std::string route(const FlowResult& f)
{
    auto one = [](const TraceResult& t) {
        std::string s = std::string(fateName(t.fate)) + ' ' + t.deciding.qualified() + '\n';
        for (const Outcome& o : t.outcomes)
            for (const Hop& h : o.hops)
                s += std::to_string(static_cast<int>(h.kind)) + ' ' + h.table + '/' + h.chain + ' '
                    + std::to_string(h.ruleNumber) + ' ' + h.verdict + ' ' + h.outInterface + '\n';
        return s;
    };
    return one(f.original) + (f.reply ? "reply " + one(*f.reply) : std::string());
}

// A value of `set`: an end or the middle of one of its intervals, a value the rules name, or `keep`.
template<typename T>
U128 sample(const IntervalSet& set, U128 keep, const std::vector<T>& named, std::mt19937& rng)
{
    const auto& items = set.intervals();
    const Interval& i = items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
    switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0: return i.lo;
    case 1: return i.hi;
    case 2: return i.lo + (i.hi - i.lo) / 2;
    case 3: return keep;
    default:
        for (int tries = 0; tries < 64; ++tries) {
            const U128 v = named[std::uniform_int_distribution<std::size_t>(0, named.size() - 1)(rng)];
            if (set.contains(v))
                return v;
        }
        return keep;
    }
}

// What the flow diff keeps of a flow where its deciding rule does not matter (PathRecorder::dropAlternative).
std::string fateOf(const FlowResult& f) { return std::string(fateName(f.fate)) + (f.decidedByReply ? " reply" : ""); }

// Where the condition recorded with the index is not inside the linear one (the linear recorder trims a
// condition with many holes to one piece, at a point that depends on the order of the rules it saw), it must
// still be right: packets drawn from it, traced without the index, take the traced packet's path (with
// `outcome` = fateOf: meet its fate).
bool soundRegion(const Engine& off, const Box& region, const Packet& p, const std::vector<std::string>& ingress,
    const Sampler& named, std::mt19937& rng, std::string (*outcome)(const FlowResult&) = route)
{
    const std::string expected = outcome(off.traceFlow(p));
    for (int n = 0; n < 40; ++n) {
        Packet q = p;
        const std::vector<U128> ids { 0, 1, 2, 3, 4, 5, 6 };
        const U128 in = sample(at(region, Dim::Ingress), static_cast<U128>(ingress.size()), ids, rng);
        if (in < ingress.size()) {
            q.inInterface = ingress[static_cast<std::size_t>(in)];
            q.fromLocalProcess = q.inInterface.empty();
        }
        q.header.src = addressFromU128(sample(at(region, Dim::Src), toU128(p.header.src), named.addresses(), rng), p.family);
        q.header.dst = addressFromU128(sample(at(region, Dim::Dst), toU128(p.header.dst), named.addresses(), rng), p.family);
        if (q.header.hasPorts()) {
            q.header.sport = static_cast<std::uint16_t>(sample(at(region, Dim::Sport), p.header.sport, named.ports(), rng));
            q.header.dport = static_cast<std::uint16_t>(sample(at(region, Dim::Dport), p.header.dport, named.ports(), rng));
        }
        if (outcome(off.traceFlow(q)) != expected) {
            qWarning("%s from %s leaves the path of %s: %s", q.header.toString().c_str(), q.inInterface.c_str(),
                p.header.toString().c_str(), outcome(off.traceFlow(q)).c_str());
            return false;
        }
    }
    return true;
}

struct Counts {
    int packets = 0;
    int sameCondition = 0;
    int smallerCondition = 0;
    int sampledCondition = 0;
    int dropGroups = 0;
};

// Traces `packets` samples with both engines; fails on the first difference.
Counts compareEngines(const Engine& on, const Engine& off, Family family, int packets, unsigned seed)
{
    std::vector<std::string> ingress { "", "eth0", "eth1" };
    for (const HostInterface& i : on.host().interfaces())
        if (std::find(ingress.begin(), ingress.end(), i.name) == ingress.end())
            ingress.push_back(i.name);
    HostPartition partition(on.host(), family);
    partition.setIngress(ingress, on.host());
    const Sampler sampler(*on.compiled(family), on.host(), ingress);
    std::mt19937 rng(seed);
    Counts counts;
    for (int n = 0; n < packets; ++n) {
        const Packet p = sampler.next(rng);
        const FlowResult a = on.traceFlow(p);
        const FlowResult b = off.traceFlow(p);
        if (describe(a) != describe(b))
            qWarning("packet %s from %s", p.header.toString().c_str(), p.inInterface.c_str());
        [&] { QCOMPARE(QString::fromStdString(describe(a)), QString::fromStdString(describe(b))); }();
        if (QTest::currentTestFailed())
            return counts;
        const auto in = static_cast<std::size_t>(std::find(ingress.begin(), ingress.end(), p.inInterface) - ingress.begin());
        PathRecorder ra(partition, p.header, in);
        PathRecorder rb(partition, p.header, in);
        on.traceFlow(p, &ra);
        off.traceFlow(p, &rb);
        const std::array<U128, 5> values { in, toU128(p.header.src), toU128(p.header.dst), p.header.sport, p.header.dport };
        const std::array<Dim, 5> dims { Dim::Ingress, Dim::Src, Dim::Dst, Dim::Sport, Dim::Dport };
        bool same = true, inside = true;
        for (std::size_t d = 0; d < dims.size(); ++d) {
            const IntervalSet& withIndex = at(ra.condition(), dims[d]);
            const IntervalSet& without = at(rb.condition(), dims[d]);
            same = same && withIndex == without;
            inside = inside && withIndex.intersected(without) == withIndex;
            if (!withIndex.contains(values[d])) {
                qWarning("packet %s from %s: condition on dimension %zu misses it: %s", p.header.toString().c_str(),
                    p.inInterface.c_str(), d, text(withIndex).c_str());
                [] { QFAIL("the condition must hold the traced packet"); }();
                return counts;
            }
        }
        if (!inside && !soundRegion(off, ra.condition(), p, ingress, sampler, rng)) {
            [] { QFAIL("the condition recorded with the index holds packets that take another path"); }();
            return counts;
        }
        // Where the path ended in a drop by a run's rule, the packets dropped at the same point by other rules of
        // the run: traced without the index, each is dropped too, the same way (first packet or reply).
        if (const std::optional<Box> wide = ra.dropAlternative()) {
            ++counts.dropGroups;
            if (!soundRegion(off, *wide, p, ingress, sampler, rng, fateOf)) {
                [] { QFAIL("the keys grouped with a drop hold packets with another fate"); }();
                return counts;
            }
        }
        ++counts.packets;
        counts.sameCondition += same ? 1 : 0;
        counts.smallerCondition += !same && inside ? 1 : 0;
        counts.sampledCondition += inside ? 0 : 1;
    }
    return counts;
}

std::size_t runCount(const Engine& e, const char* table, const char* chain)
{
    const CompiledTable* t = e.compiled(Family::IPv4)->table(table);
    const int c = t ? t->chainIndex(chain) : -1;
    return c < 0 ? 0 : t->chains[static_cast<std::size_t>(c)].runs.size();
}

} // namespace

class TestChainIndex final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void kubeProxy()
    {
        const RulesetPtr rules = parsed(::kubeProxy(300));
        QVERIFY(rules);
        const Engine on(rules, nullptr, host(1));
        const Engine off(rules, nullptr, host(1), EngineOptions { 64, false, 8 });
        QVERIFY(runCount(on, "nat", "KUBE-SERVICES") >= 2); // split by the addrtype rule in the middle
        QVERIFY(runCount(on, "nat", "KUBE-NODEPORTS") >= 1);
        QCOMPARE(runCount(off, "nat", "KUBE-SERVICES"), std::size_t { 0 });
        const Counts c = compareEngines(on, off, Family::IPv4, 1500, 7);
        qInfo("kube-proxy: %d packets; conditions: %d the same, %d smaller, %d checked by sampling", c.packets,
            c.sameCondition, c.smallerCondition, c.sampledCondition);
        QCOMPARE(c.packets, 1500);
    }

    void dockerHost()
    {
        const RulesetPtr rules = parsed(::dockerHost(6, 240));
        QVERIFY(rules);
        const Engine on(rules, nullptr, host(6));
        const Engine off(rules, nullptr, host(6), EngineOptions { 64, false, 8 });
        QCOMPARE(runCount(on, "raw", "PREROUTING"), std::size_t { 1 });
        QCOMPARE(runCount(on, "filter", "DOCKER"), std::size_t { 1 });
        QCOMPARE(runCount(on, "nat", "DOCKER"), std::size_t { 1 });
        const Counts c = compareEngines(on, off, Family::IPv4, 1500, 11);
        qInfo("docker host: %d packets; conditions: %d the same, %d smaller, %d checked by sampling; %d drops grouped",
            c.packets, c.sameCondition, c.smallerCondition, c.sampledCondition, c.dropGroups);
        QCOMPARE(c.packets, 1500);
        QVERIFY(c.dropGroups > 0); // the raw table's per-container drops are met and grouped
    }

    void fixtures_data()
    {
        QTest::addColumn<QString>("fixture");
        for (const char* version : { "27.5.1", "28.0.0", "28.x" })
            for (const char* scenario : { "a-default-bridge", "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" })
                QTest::newRow((std::string(version) + '-' + scenario).c_str())
                    << QStringLiteral("docker-%1-%2").arg(QLatin1String(version), QLatin1String(scenario));
    }

    // The fixtures' chains are short: index every run of two rules or more, to exercise it on real rules.
    void fixtures()
    {
        QFETCH(QString, fixture);
        const SnapshotPtr snapshot = fixtures::snapshot(fixture);
        QVERIFY(snapshot);
        const auto on = Engine::fromSnapshot(*snapshot, EngineOptions { 64, true, 2 });
        const auto off = Engine::fromSnapshot(*snapshot, EngineOptions { 64, false, 2 });
        for (Family family : { Family::IPv4, Family::IPv6 }) {
            if (!on->compiled(family) || !on->compiled(family)->source)
                continue;
            const Counts c = compareEngines(*on, *off, family, 300, 3);
            QCOMPARE(c.packets, 300);
        }
    }
};

QTEST_GUILESS_MAIN(TestChainIndex)
#include "tst_chainindex.moc"
