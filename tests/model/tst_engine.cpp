// The traversal rules of SEMANTICS.md §2-§5, each on a small hand-written ruleset.
#include "model/engine/engine.h"
#include "model/parse/iptables.h"

#include <QTest>

#include <thread>

using namespace model;
using namespace model::engine;

namespace {

// eth0 10.0.0.10/24 (default via 10.0.0.1), docker0 172.17.0.1/16 and br-x 172.18.0.1/16 bridges.
HostModel testHost()
{
    HostModel h;
    h.setInterfacesCaptured(true);
    auto iface = [&](const char* name, const char* addr, int len, bool bridge) {
        IpPrefix a = IpPrefix::host(*IpAddress::parse(addr));
        a.mask = a.withLength(len).mask;
        a.length = len;
        h.addInterface(HostInterface { name, { a }, bridge, {} });
    };
    iface("eth0", "10.0.0.10", 24, false);
    iface("docker0", "172.17.0.1", 16, true);
    iface("br-x", "172.18.0.1", 16, true);
    iface("eth1", "fd00::10", 64, false);
    h.addRoute(HostRoute { *IpPrefix::parse("0.0.0.0/0"), "eth0", IpAddress::parse("10.0.0.1"), std::nullopt,
        "unicast", 0, "captured" });
    h.addEndpoint(HostEndpoint { *IpAddress::parse("172.18.0.2"), "web", "mynet", "br-x" });
    h.setSysctl("net.ipv4.ip_forward", "1");
    h.setSysctl("net.ipv6.conf.all.forwarding", "1");
    h.setSysctl("net.bridge.bridge-nf-call-iptables", "1");
    return h;
}

std::shared_ptr<const Engine> engineFor(const char* v4, const char* v6 = nullptr, HostModel host = testHost())
{
    auto parse = [](const char* text, Family f) -> RulesetPtr {
        if (!text)
            return nullptr;
        auto r = parse::parseIptablesSave(text, f);
        if (!r)
            qFatal("bad test ruleset: %s", r.error().toString().c_str());
        return std::make_shared<const Ruleset>(std::move(r).value());
    };
    return std::make_shared<const Engine>(parse(v4, Family::IPv4), parse(v6, Family::IPv6), std::move(host));
}

Packet tcp(const char* in, const char* src, const char* dst, std::uint16_t dport, CtState state = CtState::New)
{
    Packet p;
    p.inInterface = in;
    p.fromLocalProcess = std::string_view(in).empty();
    p.header.src = *IpAddress::parse(src);
    p.header.dst = *IpAddress::parse(dst);
    p.header.sport = 40000;
    p.header.dport = dport;
    p.state = state;
    return p;
}

bool visited(const TraceResult& r, const char* table, const char* chain)
{
    const auto& hops = r.hops();
    return std::any_of(hops.begin(), hops.end(), [&](const Hop& h) {
        return h.kind == Hop::Kind::Rule && h.table == table && h.chain == chain;
    });
}

} // namespace

class TestEngine final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void policyDecidesWhenNothingMatches()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        QCOMPARE(r.fate, Fate::Drop);
        QCOMPARE(r.deciding.display(), std::string("filter/FORWARD policy DROP"));
    }

    void gotoReturnsToTheLastJump()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n"
                           "-A FORWARD -j A\n-A FORWARD -j DROP\n-A A -g B\n-A A -j ACCEPT\n-A B -p udp -j ACCEPT\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        // B falls off: back after the jump to A (FORWARD rule 2), not to A's next rule.
        QCOMPARE(r.fate, Fate::Drop);
        QCOMPARE(r.deciding.text, std::string("-A FORWARD -j DROP"));
        QVERIFY(!visited(r, "filter", "A") || r.deciding.chain == "FORWARD");
    }

    void gotoFromBuiltinEndsInPolicy()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:B - [0:0]\n"
                           "-A FORWARD -g B\n-A FORWARD -j ACCEPT\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        QCOMPARE(r.fate, Fate::Drop);
        QCOMPARE(r.deciding.display(), std::string("filter/FORWARD policy DROP"));
    }

    void returnInBuiltinAppliesPolicy()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -j RETURN\n-A FORWARD -j ACCEPT\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        QCOMPARE(r.fate, Fate::Drop);
        QVERIFY(r.deciding.isPolicy());
    }

    void acceptEndsOnlyItsTable()
    {
        auto e = engineFor("*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                           ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n"
                           "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -d 172.18.0.2/32 -j DROP\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        QCOMPARE(r.fate, Fate::Drop);
        QCOMPARE(r.deciding.table, std::string("filter"));
        QVERIFY(visited(r, "mangle", "FORWARD"));
    }

    void dnatHappensBeforeFilterAndOnlyForTheFirstPacket()
    {
        const char* rules = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                            "-A PREROUTING -d 10.0.0.10/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80\nCOMMIT\n"
                            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                            "-A FORWARD -d 172.18.0.2/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctstate DNAT -j ACCEPT\nCOMMIT\n";
        auto e = engineFor(rules);
        const auto first = e->trace(tcp("eth0", "10.0.0.50", "10.0.0.10", 8080));
        QCOMPARE(first.fate, Fate::Accept);
        QCOMPARE(first.primary().delivery.kind, Delivery::Kind::Container);
        QCOMPARE(first.primary().delivery.container, std::string("web"));
        QCOMPARE(first.primary().finalHeader.dport, std::uint16_t(80));
        const auto hop = std::find_if(first.hops().begin(), first.hops().end(), [](const Hop& h) { return h.after.has_value(); });
        QVERIFY(hop != first.hops().end());
        QCOMPARE(hop->before->dst.toString(), std::string("10.0.0.10"));
        QCOMPARE(hop->after->dst.toString(), std::string("172.18.0.2"));

        // A later packet of the flow gets the stored translation; the nat chains are not consulted.
        const auto later = e->trace(tcp("eth0", "10.0.0.50", "10.0.0.10", 8080, CtState::Established));
        QCOMPARE(later.fate, Fate::Accept);
        QVERIFY(!visited(later, "nat", "PREROUTING"));
        QVERIFY(std::any_of(later.hops().begin(), later.hops().end(), [](const Hop& h) { return h.kind == Hop::Kind::StoredNat; }));
    }

    void invalidPacketIsNeverTranslated()
    {
        // A lone ACK with nf_conntrack_tcp_loose=0 (or SYN+RST) opens no connection: no DNAT, so it stays local.
        const char* rules = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                            "-A PREROUTING -d 10.0.0.10/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80\nCOMMIT\n"
                            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";
        const auto r = engineFor(rules)->trace(tcp("eth0", "10.0.0.50", "10.0.0.10", 8080, CtState::Invalid));
        QCOMPARE(r.fate, Fate::Accept);
        QCOMPARE(r.primary().delivery.kind, Delivery::Kind::LocalSocket);
        QCOMPARE(r.primary().finalHeader.dst.toString(), std::string("10.0.0.10"));
        QCOMPARE(r.deciding.qualified(), std::string("filter/INPUT policy ACCEPT"));
    }

    void rawSeesEveryPacketAsInvalid()
    {
        auto e = engineFor("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A PREROUTING -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "10.0.0.10", 22));
        QCOMPARE(r.fate, Fate::Drop);
        QCOMPARE(r.deciding.table, std::string("raw"));
    }

    void notrackSkipsNatAndIsUntrackedLater()
    {
        auto e = engineFor("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -j CT --notrack\nCOMMIT\n"
                           "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                           "-A PREROUTING -p tcp -j DNAT --to-destination 172.18.0.2\nCOMMIT\n"
                           "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "10.0.0.10", 22));
        QCOMPARE(r.fate, Fate::Accept);
        QCOMPARE(r.deciding.text, std::string("-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT"));
        QCOMPARE(r.primary().finalHeader.dst.toString(), std::string("10.0.0.10"));
        QCOMPARE(r.primary().delivery.kind, Delivery::Kind::LocalSocket);
    }

    void markSetInFilterIsSeenLaterInTheChain()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:ts-forward - [0:0]\n"
                           "-A FORWARD -j ts-forward\n-A ts-forward -i tailscale0 -j MARK --set-xmark 0x40000/0xff0000\n"
                           "-A ts-forward -m mark --mark 0x40000/0xff0000 -j ACCEPT\nCOMMIT\n");
        const auto fromTailnet = e->trace(tcp("tailscale0", "100.64.10.20", "1.1.1.1", 443));
        QCOMPARE(fromTailnet.fate, Fate::Accept);
        QCOMPARE(fromTailnet.primary().finalMark, 0x40000u);
        QCOMPARE(e->trace(tcp("eth0", "10.0.0.50", "1.1.1.1", 443)).fate, Fate::Drop);
    }

    void outputPathHasNoInputInterface()
    {
        // Docker's "! -i br -j DNAT" applies to host-originated traffic: in OUTPUT "! -i X" always matches.
        auto e = engineFor("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n"
                           "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n"
                           "-A DOCKER ! -i br-x -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80\nCOMMIT\n");
        const auto r = e->trace(tcp("", "10.0.0.10", "10.0.0.10", 8080));
        QCOMPARE(r.fate, Fate::Accept);
        QCOMPARE(r.primary().finalHeader.dst.toString(), std::string("172.18.0.2"));
        QCOMPARE(r.primary().delivery.interface, std::string("br-x"));
    }

    void undecidableMatchGivesEveryOutcome()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -m statistic --mode random --probability 0.5 -j DROP\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        QCOMPARE(r.fate, Fate::Depends);
        QCOMPARE(r.outcomes.size(), std::size_t(2));
        QVERIFY(r.deciding.empty());
        QVERIFY(!r.dependsOn.empty());
        QVERIFY(r.outcomes[0].fate != r.outcomes[1].fate);
        QVERIFY(!r.outcomes[0].conditions.empty());
    }

    void ipsetMembersDecideOrDepend()
    {
        const char* rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                            "-A FORWARD -m set --match-set blocked src -j DROP\nCOMMIT\n";
        QCOMPARE(engineFor(rules)->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80)).fate, Fate::Depends);
        HostModel host = testHost();
        host.addIpSet(IpSet { "blocked", "hash:net", "inet", {}, { "10.0.0.0/24" } });
        const auto e = engineFor(rules, nullptr, host);
        QCOMPARE(e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80)).fate, Fate::Drop);
        QCOMPARE(e->trace(tcp("eth0", "192.0.2.1", "172.18.0.2", 80)).fate, Fate::Accept);
    }

    void unknownLocalAddressIsAskedNotGuessed()
    {
        // Without captured interfaces, whether 10.0.0.10 is the host's own address decides the DNAT.
        HostModel bare;
        bare.addRoute(HostRoute { *IpPrefix::parse("0.0.0.0/0"), "eth0", std::nullopt, std::nullopt, "unicast", 0, "captured" });
        auto e = engineFor("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                           "-A PREROUTING -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80\nCOMMIT\n"
                           "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -d 172.18.0.2/32 -j ACCEPT\nCOMMIT\n", nullptr, bare);
        const auto r = e->trace(tcp("eth0", "203.0.113.7", "10.0.0.10", 8080));
        QCOMPARE(r.fate, Fate::Depends);
        // Yes: DNAT, then 172.18.0.2 is asked about too (nothing says it is not local). No: FORWARD policy.
        QCOMPARE(r.outcomes.size(), std::size_t(3));
        QCOMPARE(r.outcomes.back().fate, Fate::Drop);
        QCOMPARE(r.outcomes.back().deciding.display(), std::string("filter/FORWARD policy DROP"));
        QVERIFY(std::any_of(r.outcomes.begin(), r.outcomes.end(), [](const Outcome& o) {
            return o.fate == Fate::Accept && o.deciding.text == "-A FORWARD -d 172.18.0.2/32 -j ACCEPT";
        }));
        const auto& asked = r.outcomes.front().conditions;
        QCOMPARE(std::count_if(asked.begin(), asked.end(), [](const std::string& c) {
            return c.find("10.0.0.10 is a local address") != std::string::npos;
        }), 1L); // asked once per path, and the routing decision uses the same answer
    }

    void rejectSaysHow()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n");
        const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        QCOMPARE(r.fate, Fate::Reject);
        QCOMPARE(r.primary().rejectWith, std::string("icmp-host-prohibited"));
    }

    void bridgedTrafficSeesTheBridgeAsBothInterfaces()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -i br-x -o br-x -j ACCEPT\nCOMMIT\n");
        const auto r = e->trace(tcp("br-x", "172.18.0.3", "172.18.0.2", 5432));
        QCOMPARE(r.fate, Fate::Accept);
        QCOMPARE(r.deciding.text, std::string("-A FORWARD -i br-x -o br-x -j ACCEPT"));
        HostModel off = testHost();
        off.setSysctl("net.bridge.bridge-nf-call-iptables", "0");
        auto bypass = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n", nullptr, off);
        QCOMPARE(bypass->trace(tcp("br-x", "172.18.0.3", "172.18.0.2", 5432)).fate, Fate::Accept);
    }

    void replyOfAnAcceptedFlowCanDecideIt()
    {
        // Oracle Cloud's appended REJECT stops the container's SYN-ACK: the client sees a timeout.
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -o br-x -j ACCEPT\n-A FORWARD -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n");
        const auto flow = e->traceFlow(tcp("eth0", "10.0.0.50", "172.18.0.2", 80));
        QCOMPARE(flow.original.fate, Fate::Accept);
        QVERIFY(flow.reply);
        QCOMPARE(flow.reply->fate, Fate::Reject);
        QCOMPARE(flow.fate, Fate::Drop);
        QVERIFY(flow.decidedByReply);
        QCOMPARE(flow.qualifiedDeciding(),
            std::string("reply filter/FORWARD: -A FORWARD -j REJECT --reject-with icmp-host-prohibited"));
    }

    void ipv6UsesTheIp6tablesRuleset()
    {
        auto e = engineFor(nullptr, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                    "-A INPUT -s fd00::/64 -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n");
        Packet p = tcp("eth1", "fd00::50", "fd00::10", 22);
        const auto r = e->trace(p);
        QCOMPARE(r.fate, Fate::Drop);
        QCOMPARE(r.deciding.text, std::string("-A INPUT -s fd00::/64 -p tcp -m tcp --dport 22 -j DROP"));
    }

    void tracesAreIndependentAcrossThreads()
    {
        auto e = engineFor("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                           "-A FORWARD -p tcp -m multiport --dports 80,443 -j ACCEPT\nCOMMIT\n");
        std::atomic<int> wrong { 0 };
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 2000; ++i) {
                    const std::uint16_t port = (i + t) % 2 ? 443 : 22;
                    const auto r = e->trace(tcp("eth0", "10.0.0.50", "172.18.0.2", port));
                    if ((r.fate == Fate::Accept) != (port == 443))
                        ++wrong;
                }
            });
        }
        for (auto& th : threads)
            th.join();
        QCOMPARE(wrong.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
