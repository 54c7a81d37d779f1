#include "support/packet6.h"

#include "support/wire.h"

#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace ktest {

namespace {

    using wire::get16;
    using wire::kTcp;
    using wire::kUdp;
    using wire::put16;

    in6_addr addr6(const QString& text)
    {
        in6_addr a {};
        ::inet_pton(AF_INET6, text.toLatin1().constData(), &a);
        return a;
    }

    QString text6(const uchar* p)
    {
        char buffer[INET6_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET6, p, buffer, sizeof buffer);
        return QString::fromLatin1(buffer);
    }

    // RFC 8200 §8.1: the upper-layer checksum covers a pseudo header of both addresses, length and next header.
    quint16 checksum6(const in6_addr& src, const in6_addr& dst, quint8 next, const QByteArray& l4)
    {
        quint32 sum = 0;
        for (const in6_addr* a : { &src, &dst }) {
            for (int i = 0; i < 16; i += 2)
                sum += quint32((a->s6_addr[i] << 8) | a->s6_addr[i + 1]);
        }
        sum += quint32(l4.size()) + next;
        return wire::checksum(l4, sum);
    }

    void readTransport(SeenPacket& out, const uchar* l4, qsizetype size)
    {
        ProbeHeader& h = out.header;
        if (h.proto == kTcp || h.proto == kUdp) {
            h.sport = get16(l4);
            h.dport = get16(l4 + 2);
            if (h.proto == kTcp && size >= 14) {
                h.tcpFlags = l4[13];
                h.seq = quint32((l4[4] << 24) | (l4[5] << 16) | (l4[6] << 8) | l4[7]);
            }
        } else if (h.proto == kIcmpv6) {
            h.icmpType = l4[0];
            h.icmpCode = l4[1];
            h.sport = get16(l4 + 4);
            // Types below 128 are errors; they quote the offending packet after 8 bytes.
            if (l4[0] < 128 && size >= 8 + 40)
                out.errorFor = get16(l4 + 8 + 2);
        }
    }

} // namespace

bool isV6Address(const QString& address)
{
    return address.contains(QLatin1Char(':'));
}

QByteArray buildPacket6(const ProbeHeader& h, quint16 flowLabel)
{
    QByteArray l4 = wire::transport(h);
    const in6_addr src = addr6(h.src);
    const in6_addr dst = addr6(h.dst);
    const int csumAt = wire::checksumOffset(h.proto);
    put16(l4, csumAt, checksum6(src, dst, h.proto, l4));
    QByteArray ip(40, '\0');
    ip[0] = char(0x60);
    ip[1] = 0; // flow label bits 16..19 stay 0: ids are 16 bit
    put16(ip, 2, flowLabel);
    put16(ip, 4, quint16(l4.size()));
    ip[6] = char(h.proto);
    ip[7] = char(64);
    std::memcpy(ip.data() + 8, src.s6_addr, 16);
    std::memcpy(ip.data() + 24, dst.s6_addr, 16);
    return ip + l4;
}

SeenPacket parsePacket6(const uchar* p, qsizetype n)
{
    SeenPacket out;
    if (n < 40 + 8 || (p[0] >> 4) != 6)
        return out;
    out.valid = true;
    out.id = get16(p + 2);
    out.header.proto = p[6];
    out.header.src = text6(p + 8);
    out.header.dst = text6(p + 24);
    readTransport(out, p + 40, n - 40);
    return out;
}

SeenPacket parseTransport6(quint8 proto, const uchar* p, qsizetype n, const QString& src)
{
    SeenPacket out;
    if (n < 8)
        return out;
    out.valid = true;
    out.header.proto = proto;
    out.header.src = src;
    readTransport(out, p, n);
    return out;
}

QString icmp6ErrorName(int type, int code)
{
    if (type == 1) {
        static const char* const names[] = { "icmp6-no-route", "icmp6-adm-prohibited", "icmp6-beyond-scope",
            "icmp6-addr-unreachable", "icmp6-port-unreachable", "icmp6-policy-fail", "icmp6-reject-route" };
        if (code >= 0 && code < 7)
            return QString::fromLatin1(names[code]);
    }
    return QStringLiteral("icmp6-%1-%2").arg(type).arg(code);
}

} // namespace ktest
