#include "support/probegen.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>

#include <arpa/inet.h>

namespace ktest {

namespace {

    quint32 toHost(const QString& text)
    {
        in_addr a {};
        if (::inet_pton(AF_INET, text.toLatin1().constData(), &a) != 1)
            return 0;
        return ntohl(a.s_addr);
    }

    QString fromHost(quint32 v)
    {
        return QStringLiteral("%1.%2.%3.%4").arg(v >> 24).arg((v >> 16) & 255).arg((v >> 8) & 255).arg(v & 255);
    }

    bool inPrefix(quint32 a, const char* network, int length)
    {
        const quint32 mask = length == 0 ? 0 : ~quint32(0) << (32 - length);
        return (a & mask) == (toHost(QString::fromLatin1(network)) & mask);
    }

    bool isHostLocal(quint32 a, bool tailscale)
    {
        static const QSet<quint32> local { toHost(QStringLiteral("10.0.0.10")), toHost(QStringLiteral("172.17.0.1")),
            toHost(QStringLiteral("172.18.0.1")) };
        return local.contains(a) || inPrefix(a, "127.0.0.0", 8)
            || (tailscale && a == toHost(QStringLiteral("100.101.102.103")));
    }

    // Addresses no packet may carry here: unspecified, loopback, multicast, reserved, subnet broadcasts.
    bool isSpecial(quint32 a)
    {
        static const QSet<quint32> broadcasts { toHost(QStringLiteral("10.0.0.0")), toHost(QStringLiteral("10.0.0.255")),
            toHost(QStringLiteral("172.17.0.0")), toHost(QStringLiteral("172.17.255.255")),
            toHost(QStringLiteral("172.18.0.0")), toHost(QStringLiteral("172.18.255.255")) };
        return a == 0 || inPrefix(a, "0.0.0.0", 8) || inPrefix(a, "127.0.0.0", 8) || inPrefix(a, "224.0.0.0", 3)
            || inPrefix(a, "169.254.0.0", 16) || broadcasts.contains(a);
    }

    bool lanLocal(quint32 a)
    {
        for (const char* s : { "10.0.0.50", "10.0.0.1", "203.0.113.7", "1.1.1.1" }) {
            if (a == toHost(QString::fromLatin1(s)))
                return true;
        }
        return false;
    }

    // A host address drawn from "a.b.c.d" or "a.b.c.d/len".
    quint32 pick(const QString& item, QRandomGenerator& rng)
    {
        const QStringList parts = item.split(QLatin1Char('/'));
        const quint32 base = toHost(parts.first());
        const int length = parts.size() > 1 ? parts.at(1).toInt() : 32;
        if (length >= 31 || rng.bounded(3) == 0)
            return base;
        const quint32 hostBits = (length <= 0 ? ~quint32(0) : (quint32(1) << (32 - length)) - 1);
        const quint32 mask = ~hostBits;
        return (base & mask) | (rng.generate() & hostBits);
    }

    quint32 randomPublic(QRandomGenerator& rng)
    {
        static const char* const blocks[] = { "198.51.100.0", "192.0.2.0", "203.0.113.0", "8.8.0.0", "45.33.0.0" };
        const quint32 base = toHost(QString::fromLatin1(blocks[rng.bounded(5)]));
        return base | (1 + rng.bounded(254));
    }

    struct Pools {
        QStringList addresses;
        QList<quint16> ports;
    };

    bool validDestination(quint32 d, Ingress from, bool tailscale)
    {
        if (from == Ingress::Local && d == toHost(QStringLiteral("127.0.0.1")))
            return true;
        if (isSpecial(d) || !answerable(fromHost(d), tailscale))
            return false;
        switch (from) {
        case Ingress::Lan:
            return !lanLocal(d);
        case Ingress::Web:
        case Ingress::Web2:
            return !inPrefix(d, "172.18.0.0", 16) || d == toHost(QStringLiteral("172.18.0.1"));
        case Ingress::App:
            return !inPrefix(d, "172.17.0.0", 16) || d == toHost(QStringLiteral("172.17.0.1"));
        case Ingress::Tailnet:
            return !inPrefix(d, "100.64.0.0", 10) || d == toHost(QStringLiteral("100.101.102.103"));
        case Ingress::Local:
            return true;
        }
        return false;
    }

    quint32 chooseSource(Ingress from, const Pools& pools, bool tailscale, QRandomGenerator& rng)
    {
        if (from == Ingress::Local) {
            // A local process sends from one of the host's addresses.
            static const char* const local[] = { "10.0.0.10", "172.18.0.1", "172.17.0.1" };
            return toHost(QString::fromLatin1(local[rng.bounded(3)]));
        }
        static const char* const own[] = { "10.0.0.50", "172.18.0.2", "100.64.10.20" };
        for (int attempt = 0; attempt < 20; ++attempt) {
            const int roll = int(rng.bounded(10));
            quint32 s;
            if (roll < 4)
                s = from == Ingress::Lan ? toHost(QString::fromLatin1(rng.bounded(2) ? "10.0.0.50" : "203.0.113.7"))
                                         : toHost(QString::fromLatin1(own[int(from)]));
            else if (roll < 8 && !pools.addresses.isEmpty())
                s = pick(pools.addresses.at(int(rng.bounded(qsizetype(pools.addresses.size())))), rng);
            else
                s = randomPublic(rng);
            // The source must be answerable too: an ICMP error or a reply goes back to it.
            if (!isSpecial(s) && !isHostLocal(s, tailscale) && answerable(fromHost(s), tailscale))
                return s;
        }
        return toHost(QString::fromLatin1(own[int(from)]));
    }

    quint32 chooseDestination(Ingress from, const Pools& pools, bool tailscale, QRandomGenerator& rng)
    {
        QStringList fixed { QStringLiteral("10.0.0.10"), QStringLiteral("172.17.0.1"), QStringLiteral("172.18.0.1"),
            QStringLiteral("172.18.0.2"), QStringLiteral("1.1.1.1"), QStringLiteral("10.0.0.50") };
        if (tailscale)
            fixed << QStringLiteral("100.101.102.103") << QStringLiteral("100.64.10.20");
        if (from == Ingress::Local)
            fixed << QStringLiteral("127.0.0.1");
        for (int attempt = 0; attempt < 30; ++attempt) {
            const int roll = int(rng.bounded(10));
            quint32 d;
            if (roll < 5)
                d = toHost(fixed.at(int(rng.bounded(qsizetype(fixed.size())))));
            else if (roll < 8 && !pools.addresses.isEmpty())
                d = pick(pools.addresses.at(int(rng.bounded(qsizetype(pools.addresses.size())))), rng);
            else
                d = randomPublic(rng);
            if (validDestination(d, from, tailscale))
                return d;
        }
        return toHost(QStringLiteral("10.0.0.10"));
    }

} // namespace

bool answerable(const QString& address, bool tailscale)
{
    const quint32 a = toHost(address);
    if (isSpecial(a))
        return false;
    if (isHostLocal(a, tailscale))
        return true;
    if (inPrefix(a, "10.0.0.0", 24))
        return a == toHost(QStringLiteral("10.0.0.50")) || a == toHost(QStringLiteral("10.0.0.1"));
    if (inPrefix(a, "172.18.0.0", 16))
        return a == toHost(QStringLiteral("172.18.0.2"));
    if (inPrefix(a, "172.17.0.0", 16))
        return false;
    if (tailscale && inPrefix(a, "100.64.0.0", 10))
        return a == toHost(QStringLiteral("100.64.10.20"));
    return true; // routed out of eth0 via 10.0.0.1, into the lan namespace
}

ProbeMaterial collectMaterial(const QByteArray& rulesText, const QByteArray& networksJson)
{
    ProbeMaterial m;
    const QString rules = QString::fromUtf8(rulesText);
    static const QRegularExpression addressRe(
        QStringLiteral("(?:^|\\s)(?:-s|-d|--to-destination|--to-source) (\\d+\\.\\d+\\.\\d+\\.\\d+(?:/\\d+)?)(?::(\\d+))?"));
    static const QRegularExpression jsonAddrRe(
        QStringLiteral("\"(?:Subnet|Gateway|IPv4Address)\": \"(\\d+\\.\\d+\\.\\d+\\.\\d+(?:/\\d+)?)\""));
    auto it = addressRe.globalMatch(rules);
    while (it.hasNext()) {
        const auto match = it.next();
        m.addresses << match.captured(1);
        if (!match.captured(2).isEmpty())
            m.ports << quint16(match.captured(2).toUInt());
    }
    probegen::collectPortsAndInterfaces(rules, m);
    it = jsonAddrRe.globalMatch(QString::fromUtf8(networksJson));
    while (it.hasNext())
        m.addresses << it.next().captured(1);
    m.addresses.removeDuplicates();
    m.interfaces.removeDuplicates();
    return m;
}

QVector<ProbeSpec> generateProbes(const ProbeMaterial& material, bool tailscale, int count, quint32 seed)
{
    QRandomGenerator rng(seed);
    Pools pools { material.addresses, material.ports };
    const QList<quint16> common { 22, 53, 80, 443, 8080, 41641, 3260 };
    // Interfaces named by the rules weigh their ingress more.
    QVector<Ingress> ingresses { Ingress::Lan, Ingress::Lan, Ingress::Web, Ingress::Local };
    if (tailscale)
        ingresses << Ingress::Tailnet;
    for (const QString& iface : material.interfaces) {
        if (iface == QLatin1String("br-897b3066eb8a"))
            ingresses << Ingress::Web;
        else if (iface == QLatin1String("tailscale0") && tailscale)
            ingresses << Ingress::Tailnet;
        else if (iface.startsWith(QLatin1String("eth")))
            ingresses << Ingress::Lan;
    }
    QVector<ProbeSpec> out;
    while (out.size() < count) {
        ProbeSpec p;
        p.from = ingresses.at(int(rng.bounded(qsizetype(ingresses.size()))));
        const quint32 src = chooseSource(p.from, pools, tailscale, rng);
        const quint32 dst = chooseDestination(p.from, pools, tailscale, rng);
        if (src == dst)
            continue;
        p.header.src = fromHost(src);
        p.header.dst = fromHost(dst);
        probegen::pickTransport(p.header, rng, pools.ports, 6, common, 1, 8);
        out.append(p);
    }
    return out;
}

namespace probegen {

    void collectPortsAndInterfaces(const QString& rules, ProbeMaterial& m)
    {
        static const QRegularExpression portRe(QStringLiteral("--(?:dport|sport|dports|sports) ([0-9,:]+)"));
        static const QRegularExpression ifaceRe(QStringLiteral("(?:^|\\s)(?:-i|-o) (\\S+)"));
        auto it = portRe.globalMatch(rules);
        while (it.hasNext()) {
            for (const QString& item : it.next().captured(1).split(QLatin1Char(','))) {
                for (const QString& end : item.split(QLatin1Char(':')))
                    m.ports << quint16(end.toUInt());
            }
        }
        it = ifaceRe.globalMatch(rules);
        while (it.hasNext())
            m.interfaces << it.next().captured(1);
    }

    void pickTransport(ProbeHeader& header, QRandomGenerator& rng, const QList<quint16>& rulePorts,
        int rulePortTenths, const QList<quint16>& common, quint8 icmpProto, quint8 echoRequest)
    {
        const int protoRoll = int(rng.bounded(20));
        header.proto = protoRoll < 12 ? 6 : protoRoll < 17 ? 17 : icmpProto;
        if (header.proto == icmpProto) {
            header.icmpType = echoRequest;
            return;
        }
        const int portRoll = int(rng.bounded(10));
        if (portRoll < rulePortTenths && !rulePorts.isEmpty())
            header.dport = rulePorts.at(int(rng.bounded(qsizetype(rulePorts.size()))));
        else if (portRoll < 8)
            header.dport = common.at(int(rng.bounded(qsizetype(common.size()))));
        else
            header.dport = quint16(1 + rng.bounded(65534));
        if (header.dport == 0)
            header.dport = 80;
        // Mostly SYNs; some lone ACKs, which conntrack picks up as NEW (nf_conntrack_tcp_loose=1).
        header.tcpFlags = rng.bounded(10) == 0 ? 0x10 : 0x02;
    }

} // namespace probegen

} // namespace ktest
