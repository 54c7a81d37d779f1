// IPv6 traversal: ip6tables rulesets, ICMPv6, REJECT types and the Docker 27.5.1 ip6tables FORWARD policy.
#include "model/engine/engine.h"
#include "model/parse/iptables.h"

#include <QFile>
#include <QTest>

using namespace model;
using namespace model::engine;

namespace {

// eth0 2001:db8:10::10/64 (default via 2001:db8:10::1), br-x fd00:18::1/64 (a bridge), tailscale0
// fd7a:115c:a1e0::6c01:6667/128 with fd7a:115c:a1e0::/48 routed to it.
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
    iface("eth0", "2001:db8:10::10", 64, false);
    iface("br-x", "fd00:18::1", 64, true);
    iface("tailscale0", "fd7a:115c:a1e0::6c01:6667", 128, false);
    h.addRoute(HostRoute { *IpPrefix::parse("::/0"), "eth0", IpAddress::parse("2001:db8:10::1"), std::nullopt,
        "unicast", 0, "captured" });
    h.addRoute(HostRoute { *IpPrefix::parse("fd7a:115c:a1e0::/48"), "tailscale0", std::nullopt, std::nullopt,
        "unicast", 0, "captured" });
    h.setSysctl("net.ipv6.conf.all.forwarding", "1");
    h.setSysctl("net.bridge.bridge-nf-call-ip6tables", "1");
    return h;
}

std::shared_ptr<const Engine> engineFor(const QByteArray& v6)
{
    auto r = parse::parseIptablesSave(v6.toStdString(), Family::IPv6);
    if (!r)
        qFatal("bad test ruleset: %s", r.error().toString().c_str());
    return std::make_shared<const Engine>(nullptr, std::make_shared<const Ruleset>(std::move(r).value()), testHost());
}

QByteArray fixture(const char* name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromLatin1(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("fixture %s missing", name);
    return f.readAll();
}

Packet packet(const char* in, const char* src, const char* dst, std::uint8_t proto, std::uint16_t dport = 0)
{
    Packet p;
    p.family = Family::IPv6;
    p.inInterface = in;
    p.fromLocalProcess = std::string_view(in).empty();
    p.header.src = *IpAddress::parse(src);
    p.header.dst = *IpAddress::parse(dst);
    p.header.protocol = proto;
    p.header.sport = proto == Proto::Icmpv6 ? 0 : 40000;
    p.header.dport = dport;
    p.header.tcpFlags = proto == Proto::Tcp ? TcpFlag::Syn : 0;
    return p;
}

Packet icmp6(const char* in, const char* src, const char* dst, int type, int code = 0)
{
    Packet p = packet(in, src, dst, Proto::Icmpv6);
    p.header.icmpType = type;
    p.header.icmpCode = code;
    return p;
}

QString decided(const TraceResult& r)
{
    const RuleRef& d = r.deciding;
    if (d.isPolicy())
        return QString::fromStdString(d.table + '/' + d.chain + " policy " + d.policy);
    return QString::fromStdString(d.table + '/' + d.chain + " #" + std::to_string(d.index));
}

const char kFilter[] = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";

} // namespace

class TestEngineV6 final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void docker27ForwardPolicyDropsForwardingBetweenOtherInterfaces()
    {
        // eth0 -> tailscale0: neither interface is Docker's, so only the FORWARD policy decides.
        const Packet p = packet("eth0", "2001:db8:10::50", "fd7a:115c:a1e0::a40:a14", Proto::Tcp, 443);
        const auto old = engineFor(fixture("docker-27.5.1-b-usernet-portmap.ip6.rules"))->trace(p);
        QCOMPARE(old.fate, Fate::Drop);
        QCOMPARE(decided(old), QStringLiteral("filter/FORWARD policy DROP"));
        const auto upgraded = engineFor(fixture("docker-28.x-b-usernet-portmap.ip6.rules"))->trace(p);
        QCOMPARE(upgraded.fate, Fate::Accept);
        QCOMPARE(decided(upgraded), QStringLiteral("filter/FORWARD policy ACCEPT"));
    }

    void neighbourDiscoveryToTheHostPassesDockerRules()
    {
        // Neighbour solicitations and advertisements are ordinary ICMPv6 to ip6tables: they traverse INPUT,
        // which no Docker fixture filters, even where FORWARD's policy is DROP.
        for (const char* name : { "docker-27.5.1-b-usernet-portmap.ip6.rules", "docker-27.5.1-c-tailscale.ip6.rules",
                 "docker-28.x-c-tailscale.ip6.rules" }) {
            const auto e = engineFor(fixture(name));
            for (int type : { 135, 136 }) {
                const auto r = e->trace(icmp6("eth0", "2001:db8:10::50", "2001:db8:10::10", type));
                QVERIFY2(r.fate == Fate::Accept, name);
                QCOMPARE(r.primary().delivery.kind, Delivery::Kind::LocalSocket);
                QVERIFY2(decided(r).startsWith(QLatin1String("filter/INPUT")), qPrintable(decided(r)));
            }
        }
    }

    void icmpv6TypeMatches()
    {
        const auto e = engineFor(QByteArray(kFilter)
            + "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT\n"
              "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/4 -j ACCEPT\n"
              "-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 135 -j DROP\n"
              "-A INPUT -p ipv6-icmp -j ACCEPT\nCOMMIT\n");
        const char* src = "2001:db8:10::50";
        const char* host = "2001:db8:10::10";
        QCOMPARE(decided(e->trace(icmp6("eth0", src, host, 128))), QStringLiteral("filter/INPUT #1"));
        QCOMPARE(decided(e->trace(icmp6("eth0", src, host, 1, 4))), QStringLiteral("filter/INPUT #2"));
        const auto otherCode = e->trace(icmp6("eth0", src, host, 1, 3));
        QCOMPARE(otherCode.fate, Fate::Drop);
        QCOMPARE(decided(otherCode), QStringLiteral("filter/INPUT #3"));
        QCOMPARE(decided(e->trace(icmp6("eth0", src, host, 135))), QStringLiteral("filter/INPUT #4"));
    }

    void rejectTypes()
    {
        const auto e = engineFor(QByteArray(kFilter)
            + "-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset\n"
              "-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with icmp6-adm-prohibited\n"
              "-A INPUT -p udp -j REJECT --reject-with icmp6-port-unreachable\n"
              "-A INPUT -p tcp -j REJECT\nCOMMIT\n");
        const char* src = "2001:db8:10::50";
        const char* host = "2001:db8:10::10";
        const struct {
            std::uint8_t proto;
            std::uint16_t port;
            const char* with;
        } cases[] = { { Proto::Tcp, 22, "tcp-reset" }, { Proto::Tcp, 23, "icmp6-adm-prohibited" },
            { Proto::Udp, 53, "icmp6-port-unreachable" }, { Proto::Tcp, 80, "icmp6-port-unreachable" } };
        for (const auto& c : cases) {
            const auto r = e->trace(packet("eth0", src, host, c.proto, c.port));
            QCOMPARE(r.fate, Fate::Reject);
            QCOMPARE(QString::fromStdString(r.primary().rejectWith), QString::fromLatin1(c.with));
        }
    }

    void prefixesAndNegation()
    {
        const auto e = engineFor(QByteArray(kFilter)
            + "-A FORWARD -s fd7a:115c:a1e0::/48 -i tailscale0 -j ACCEPT\n"
              "-A FORWARD ! -d 2001:db8::/32 -o eth0 -j DROP\n"
              "-A FORWARD -d fd00:18::2/128 -j ACCEPT\n"
              "-A FORWARD -s 2001:db8:10::/64 ! -o br-x -j REJECT --reject-with icmp6-adm-prohibited\nCOMMIT\n");
        QCOMPARE(decided(e->trace(packet("tailscale0", "fd7a:115c:a1e0::a40:a14", "2606:4700::1", Proto::Tcp, 443))),
            QStringLiteral("filter/FORWARD #1"));
        // fd7a:115c:a1e1:: is just outside the /48.
        const auto outside = e->trace(packet("tailscale0", "fd7a:115c:a1e1::1", "2606:4700::1", Proto::Tcp, 443));
        QCOMPARE(outside.fate, Fate::Drop);
        QCOMPARE(decided(outside), QStringLiteral("filter/FORWARD #2"));
        QCOMPARE(decided(e->trace(packet("tailscale0", "fd7a:115c:a1e1::1", "2001:db8:ff::1", Proto::Tcp, 443))),
            QStringLiteral("filter/FORWARD policy ACCEPT"));
        QCOMPARE(decided(e->trace(packet("eth0", "2001:db8:10::50", "fd00:18::2", Proto::Tcp, 80))),
            QStringLiteral("filter/FORWARD #3"));
        const auto lanToTs = e->trace(packet("eth0", "2001:db8:10::50", "fd7a:115c:a1e0::a40:a14", Proto::Udp, 53));
        QCOMPARE(lanToTs.fate, Fate::Reject);
        QCOMPARE(decided(lanToTs), QStringLiteral("filter/FORWARD #4"));
    }
};

QTEST_GUILESS_MAIN(TestEngineV6)
#include "tst_engine_v6.moc"
