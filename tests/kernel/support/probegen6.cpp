#include "support/probegen6.h"

#include "support/packet6.h"

#include <QRandomGenerator>
#include <QRegularExpression>

#include <array>
#include <cstring>

#include <arpa/inet.h>

namespace ktest {

namespace {

    using Bytes = std::array<quint8, 16>;

    Bytes parse(const QString& text)
    {
        Bytes b {};
        in6_addr a {};
        if (::inet_pton(AF_INET6, text.toLatin1().constData(), &a) == 1)
            std::memcpy(b.data(), a.s6_addr, 16);
        return b;
    }

    QString format(const Bytes& b)
    {
        char buffer[INET6_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET6, b.data(), buffer, sizeof buffer);
        return QString::fromLatin1(buffer);
    }

    bool inPrefix(const Bytes& a, const char* network, int length)
    {
        const Bytes n = parse(QString::fromLatin1(network));
        for (int bit = 0; bit < length; ++bit) {
            const int mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask))
                return false;
        }
        return true;
    }

    bool is(const Bytes& a, const char* text)
    {
        return a == parse(QString::fromLatin1(text));
    }

    bool hostLocal(const Bytes& a, bool tailscale)
    {
        return is(a, v6::kHost) || is(a, v6::kBridge) || is(a, "::1") || (tailscale && is(a, v6::kTailscale));
    }

    // Unspecified, loopback, link-local, multicast, and the subnet-router anycast addresses of the links.
    bool special(const Bytes& a)
    {
        return is(a, "::") || is(a, "::1") || inPrefix(a, "fe80::", 10) || inPrefix(a, "ff00::", 8)
            || is(a, "2001:db8:10::") || is(a, "fd00:18::") || is(a, "fd7a:115c:a1e0::");
    }

    bool lanLocal(const Bytes& a)
    {
        return is(a, v6::kLanClient) || is(a, v6::kLanGateway) || is(a, v6::kInternetClient) || is(a, v6::kServer);
    }

    // "addr" or "addr/len": the address itself, or a random one inside the prefix.
    Bytes pick(const QString& item, QRandomGenerator& rng)
    {
        const QStringList parts = item.split(QLatin1Char('/'));
        Bytes b = parse(parts.first());
        const int length = parts.size() > 1 ? parts.at(1).toInt() : 128;
        if (length >= 127 || rng.bounded(3) == 0)
            return b;
        for (int bit = qMax(length, 64); bit < 128; ++bit) {
            if (rng.bounded(2))
                b[bit / 8] ^= quint8(0x80 >> (bit % 8));
        }
        return b;
    }

    Bytes randomGlobal(QRandomGenerator& rng)
    {
        static const char* const blocks[] = { "2001:db8:ff::", "2a00:1450:4001::", "2606:4700::", "2001:db8:203::" };
        Bytes b = parse(QString::fromLatin1(blocks[rng.bounded(4)]));
        b[14] = quint8(rng.bounded(256));
        b[15] = quint8(1 + rng.bounded(254));
        return b;
    }

    bool validDestination(const Bytes& d, Ingress from, bool tailscale)
    {
        if (from == Ingress::Local && is(d, "::1"))
            return true;
        if (special(d) || !answerable6(format(d), tailscale))
            return false;
        switch (from) {
        case Ingress::Lan:
            return !lanLocal(d);
        case Ingress::Web:
        case Ingress::Web2:
        case Ingress::App:
            return !inPrefix(d, "fd00:18::", 64) || is(d, v6::kBridge);
        case Ingress::Tailnet:
            return !inPrefix(d, "fd7a:115c:a1e0::", 48) || is(d, v6::kTailscale);
        case Ingress::Local:
            return true;
        }
        return false;
    }

    Bytes chooseSource(Ingress from, const QStringList& pool, bool tailscale, QRandomGenerator& rng)
    {
        if (from == Ingress::Local) {
            const char* local[] = { v6::kHost, v6::kBridge, tailscale ? v6::kTailscale : v6::kHost };
            return parse(QString::fromLatin1(local[rng.bounded(3)]));
        }
        const char* own = from == Ingress::Lan ? (rng.bounded(2) ? v6::kLanClient : v6::kInternetClient)
            : from == Ingress::Web             ? v6::kWeb
                                               : v6::kTsPeer;
        for (int attempt = 0; attempt < 20; ++attempt) {
            const int roll = int(rng.bounded(10));
            const Bytes s = roll < 5 ? parse(QString::fromLatin1(own))
                : roll < 7 && !pool.isEmpty() ? pick(pool.at(int(rng.bounded(qsizetype(pool.size())))), rng)
                                              : randomGlobal(rng);
            if (!special(s) && !hostLocal(s, tailscale) && answerable6(format(s), tailscale))
                return s;
        }
        return parse(QString::fromLatin1(own));
    }

    Bytes chooseDestination(Ingress from, const QStringList& pool, bool tailscale, QRandomGenerator& rng)
    {
        QStringList fixed { QLatin1String(v6::kHost), QLatin1String(v6::kBridge), QLatin1String(v6::kWeb),
            QLatin1String(v6::kServer), QLatin1String(v6::kLanClient) };
        if (tailscale)
            fixed << QLatin1String(v6::kTailscale) << QLatin1String(v6::kTsPeer);
        if (from == Ingress::Local)
            fixed << QStringLiteral("::1");
        for (int attempt = 0; attempt < 30; ++attempt) {
            const int roll = int(rng.bounded(10));
            const Bytes d = roll < 6 ? parse(fixed.at(int(rng.bounded(qsizetype(fixed.size())))))
                : roll < 8 && !pool.isEmpty() ? pick(pool.at(int(rng.bounded(qsizetype(pool.size())))), rng)
                                              : randomGlobal(rng);
            if (validDestination(d, from, tailscale))
                return d;
        }
        return parse(QLatin1String(v6::kHost));
    }

} // namespace

bool answerable6(const QString& address, bool tailscale)
{
    const Bytes a = parse(address);
    if (special(a))
        return false;
    if (hostLocal(a, tailscale))
        return true;
    if (inPrefix(a, "2001:db8:10::", 64))
        return is(a, v6::kLanClient) || is(a, v6::kLanGateway);
    if (inPrefix(a, "fd00:18::", 64))
        return is(a, v6::kWeb);
    if (inPrefix(a, "fd7a:115c:a1e0::", 48))
        return tailscale && is(a, v6::kTsPeer);
    return true; // routed out of eth0 via the lan gateway
}

ProbeMaterial collectMaterial6(const QByteArray& rulesText)
{
    ProbeMaterial m;
    const QString rules = QString::fromUtf8(rulesText);
    static const QRegularExpression addressRe(QStringLiteral("(?:^|\\s)(?:-s|-d) ([0-9a-f:]+:[0-9a-f:]*(?:/\\d+)?)"));
    auto it = addressRe.globalMatch(rules);
    while (it.hasNext())
        m.addresses << it.next().captured(1);
    probegen::collectPortsAndInterfaces(rules, m);
    m.addresses.removeDuplicates();
    m.interfaces.removeDuplicates();
    return m;
}

QVector<ProbeSpec> generateProbes6(const ProbeMaterial& material, bool tailscale, int count, quint32 seed)
{
    QRandomGenerator rng(seed);
    const QList<quint16> common { 22, 53, 80, 443, 8080, 41641 };
    QVector<Ingress> ingresses { Ingress::Lan, Ingress::Lan, Ingress::Web, Ingress::Local };
    if (tailscale)
        ingresses << Ingress::Tailnet << Ingress::Tailnet;
    for (const QString& iface : material.interfaces) {
        if (iface == QLatin1String("br-897b3066eb8a"))
            ingresses << Ingress::Web;
        else if (iface == QLatin1String("tailscale0") && tailscale)
            ingresses << Ingress::Tailnet;
    }
    QVector<ProbeSpec> out;
    while (out.size() < count) {
        ProbeSpec p;
        p.from = ingresses.at(int(rng.bounded(qsizetype(ingresses.size()))));
        const Bytes src = chooseSource(p.from, material.addresses, tailscale, rng);
        const Bytes dst = chooseDestination(p.from, material.addresses, tailscale, rng);
        if (src == dst)
            continue;
        p.header.src = format(src);
        p.header.dst = format(dst);
        probegen::pickTransport(p.header, rng, material.ports, 4, common, kIcmpv6, 128);
        out.append(p);
    }
    return out;
}

} // namespace ktest
