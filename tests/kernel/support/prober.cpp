#include "support/prober.h"

#include "support/packet6.h"
#include "support/wire.h"

#include <QElapsedTimer>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ktest {

namespace {

    using wire::checksum;
    using wire::get16;
    using wire::kTcp;
    using wire::kUdp;
    using wire::put16;
    constexpr quint8 kIcmp = 1;
    constexpr quint8 kSyn = 0x02;
    constexpr quint8 kRst = 0x04;
    constexpr quint8 kAck = 0x10;
    constexpr qint64 kSendGapNs = 2'000'000;

    quint32 addr(const QString& text)
    {
        in_addr a {};
        ::inet_pton(AF_INET, text.toLatin1().constData(), &a);
        return a.s_addr;
    }

    QString addrText(const uchar* p)
    {
        return QStringLiteral("%1.%2.%3.%4").arg(p[0]).arg(p[1]).arg(p[2]).arg(p[3]);
    }

    // Sum of the TCP/UDP pseudo header (addresses in network order as stored).
    quint32 pseudoSum(quint32 src, quint32 dst, quint8 proto, int length)
    {
        const auto* s = reinterpret_cast<const uchar*>(&src);
        const auto* d = reinterpret_cast<const uchar*>(&dst);
        return quint32((s[0] << 8) | s[1]) + quint32((s[2] << 8) | s[3]) + quint32((d[0] << 8) | d[1])
            + quint32((d[2] << 8) | d[3]) + proto + quint32(length);
    }

    QByteArray buildPacket(const ProbeHeader& h, quint16 ipId)
    {
        QByteArray l4 = wire::transport(h);
        const quint32 src = addr(h.src);
        const quint32 dst = addr(h.dst);
        const int csumAt = wire::checksumOffset(h.proto);
        const quint16 sum
            = h.proto == kIcmp ? checksum(l4) : checksum(l4, pseudoSum(src, dst, h.proto, int(l4.size())));
        put16(l4, csumAt, sum);
        QByteArray ip(20, '\0');
        ip[0] = char(0x45);
        put16(ip, 2, quint16(20 + l4.size()));
        put16(ip, 4, ipId);
        ip[8] = char(64);
        ip[9] = char(h.proto);
        std::memcpy(ip.data() + 12, &src, 4);
        std::memcpy(ip.data() + 16, &dst, 4);
        put16(ip, 10, checksum(ip));
        return ip + l4;
    }

    SeenPacket parse4(const uchar* p, ssize_t n)
    {
        SeenPacket out;
        if (n < 20 || (p[0] >> 4) != 4)
            return out;
        const int ihl = (p[0] & 15) * 4;
        if (n < ihl + 8)
            return out;
        out.valid = true;
        out.id = get16(p + 4);
        out.header.proto = p[9];
        out.header.src = addrText(p + 12);
        out.header.dst = addrText(p + 16);
        const uchar* l4 = p + ihl;
        if (out.header.proto == kTcp || out.header.proto == kUdp) {
            out.header.sport = get16(l4);
            out.header.dport = get16(l4 + 2);
            if (out.header.proto == kTcp && n >= ihl + 14) {
                out.header.tcpFlags = l4[13];
                out.header.seq = quint32((l4[4] << 24) | (l4[5] << 16) | (l4[6] << 8) | l4[7]);
            }
        } else if (out.header.proto == kIcmp) {
            out.header.icmpType = l4[0];
            out.header.icmpCode = l4[1];
            out.header.sport = get16(l4 + 4);
            const bool error = l4[0] == 3 || l4[0] == 11 || l4[0] == 12;
            if (error && n >= ihl + 8 + 20)
                out.errorFor = get16(l4 + 8 + 4);
        }
        return out;
    }

    SeenPacket parse(const uchar* p, ssize_t n)
    {
        return n > 0 && (p[0] >> 4) == 6 ? parsePacket6(p, n) : parse4(p, n);
    }

    QString icmpErrorName(int type, int code)
    {
        if (type == 3) {
            static const char* const names[] = { "icmp-net-unreachable", "icmp-host-unreachable",
                "icmp-proto-unreachable", "icmp-port-unreachable", "icmp-frag-needed", "icmp-srcroute-failed",
                "icmp-net-unknown", "icmp-host-unknown", "icmp-host-isolated", "icmp-net-prohibited",
                "icmp-host-prohibited", "icmp-tos-net", "icmp-tos-host", "icmp-admin-prohibited" };
            if (code >= 0 && code < 14)
                return QString::fromLatin1(names[code]);
        }
        return QStringLiteral("icmp-%1-%2").arg(type).arg(code);
    }

    // The packet a probe became (NAT may change addresses and ports, never these).
    bool sameShape(const ProbeHeader& seen, const ProbeHeader& sent)
    {
        if (seen.proto != sent.proto)
            return false;
        if (seen.proto == kTcp)
            return seen.tcpFlags == sent.tcpFlags;
        if (seen.proto == kIcmp || seen.proto == kIcmpv6)
            return seen.icmpType == sent.icmpType;
        return true;
    }

    QString flagsText(quint8 f)
    {
        QString s;
        const char letters[] = "FSRPAU";
        for (int i = 0; i < 6; ++i) {
            if (f & (1 << i))
                s += QLatin1Char(letters[i]);
        }
        return s;
    }

} // namespace

QByteArray probePacket(const ProbeHeader& header, quint16 id)
{
    return isV6Address(header.dst) ? buildPacket6(header, id) : buildPacket(header, id);
}

QString ProbeHeader::describe() const
{
    if (proto == kIcmp || proto == kIcmpv6)
        return QStringLiteral("%1 %2 -> %3 type %4")
            .arg(proto == kIcmp ? QStringLiteral("icmp") : QStringLiteral("icmpv6"), src, dst)
            .arg(icmpType);
    const QString name = proto == kTcp ? QStringLiteral("tcp") : QStringLiteral("udp");
    QString text = QStringLiteral("%1 %2:%3 -> %4:%5").arg(name, src).arg(sport).arg(dst).arg(dport);
    if (proto == kTcp)
        text += QStringLiteral(" [%1]").arg(flagsText(tcpFlags));
    return text;
}

QString ProbeSpec::describe() const
{
    return header.describe() + QStringLiteral(" in ") + Topology::ingressInterface(from);
}

QString kernelFateName(KernelFate fate)
{
    switch (fate) {
    case KernelFate::Accept:
        return QStringLiteral("ACCEPT");
    case KernelFate::Drop:
        return QStringLiteral("DROP");
    case KernelFate::Reject:
        return QStringLiteral("REJECT");
    }
    return {};
}

QString KernelResult::pathText() const
{
    QStringList parts;
    for (const TraceStep& s : steps)
        parts << s.display();
    return parts.join(QStringLiteral("\n      -> "));
}

QString KernelResult::qualifiedDeciding() const
{
    if (!deciding)
        return {};
    if (deciding->kind == TraceStep::Kind::Policy)
        return QStringLiteral("%1/%2 policy %3").arg(deciding->table, deciding->chain, deciding->verdict);
    return QStringLiteral("%1/%2: %3").arg(deciding->table, deciding->chain, deciding->text);
}

struct Prober::Pending {
    ProbeSpec spec;
    quint16 id = 0;
    bool done = false;
    KernelResult result;
};

Prober::Prober(const Topology& topology, TraceReader& traces)
    : m_topology(topology)
    , m_traces(traces)
    , m_family(topology.options().family)
{
}

Prober::~Prober()
{
    for (int fd : m_senders) {
        if (fd >= 0)
            ::close(fd);
    }
    for (int fd : m_observers) {
        if (fd >= 0)
            ::close(fd);
    }
    for (int fd : m_hostLocal) {
        if (fd >= 0)
            ::close(fd);
    }
}

quint16 Prober::freshPort()
{
    if (m_nextPort >= 65000)
        m_nextPort = 20000;
    return m_nextPort++;
}

bool Prober::open(QString* error)
{
    const bool v6 = m_family == Family::V6;
    const int domain = v6 ? AF_INET6 : AF_INET;
    const Ingress all[] = { Ingress::Lan, Ingress::Web, Ingress::Tailnet, Ingress::Web2, Ingress::App };
    for (Ingress in : all) {
        if (!m_topology.has(in))
            continue;
        const Namespace& ns = m_topology.peer(in);
        const int i = int(in);
        m_senders[i] = ns.openSocket(domain, SOCK_RAW, IPPROTO_RAW);
        m_observers[i] = ns.openSocket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(v6 ? ETH_P_IPV6 : ETH_P_IP));
        if (m_senders[i] < 0 || m_observers[i] < 0) {
            *error = QStringLiteral("sockets in %1: %2").arg(ns.name(), QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
    }
    m_senders[int(Ingress::Local)] = m_topology.host().openSocket(domain, SOCK_RAW, IPPROTO_RAW);
    const int protos[] = { IPPROTO_TCP, IPPROTO_UDP, v6 ? int(IPPROTO_ICMPV6) : int(IPPROTO_ICMP) };
    for (int i = 0; i < 3; ++i) {
        m_hostLocal[i] = m_topology.host().openSocket(domain, SOCK_RAW | SOCK_NONBLOCK, protos[i]);
        if (m_hostLocal[i] < 0) {
            *error = QStringLiteral("raw socket in host: ") + QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
    }
    // The trace reader subscribes asynchronously: wait until a packet's events come through.
    ProbeSpec warm;
    warm.header.src = v6 ? QLatin1String(v6::kLanClient) : QStringLiteral("10.0.0.50");
    warm.header.dst = v6 ? QLatin1String(v6::kHost) : QStringLiteral("10.0.0.10");
    warm.header.sport = freshPort();
    warm.header.dport = 9;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000) {
        const quint16 id = m_nextId++;
        send(warm, id);
        for (int i = 0; i < 10; ++i)
            m_traces.poll(20);
        if (!m_traces.take(id).isEmpty()) {
            m_traces.clear();
            return true;
        }
        warm.header.sport = freshPort();
    }
    *error = QStringLiteral("no trace events from the host namespace within 5 s");
    return false;
}

bool Prober::send(const ProbeSpec& probe, quint16 ipId)
{
    const ProbeHeader& h = probe.header;
    const bool icmp = h.proto == kIcmp || h.proto == kIcmpv6;
    m_traces.expect(ipId, h.proto, h.proto == kTcp ? h.tcpFlags : icmp ? h.icmpType : -1);
    const int fd = m_senders[int(probe.from)];
    if (m_family == Family::V6) {
        const QByteArray packet = buildPacket6(probe.header, ipId);
        sockaddr_in6 to {};
        to.sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, h.dst.toLatin1().constData(), &to.sin6_addr);
        return ::sendto(fd, packet.constData(), size_t(packet.size()), 0, reinterpret_cast<sockaddr*>(&to), sizeof to)
            == packet.size();
    }
    const QByteArray packet = buildPacket(probe.header, ipId);
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = addr(probe.header.dst);
    return ::sendto(fd, packet.constData(), size_t(packet.size()), 0, reinterpret_cast<sockaddr*>(&to), sizeof to)
        == packet.size();
}

void Prober::observe(QVector<Pending>& pending)
{
    QHash<quint16, Pending*> byId;
    for (Pending& p : pending)
        byId.insert(p.id, &p);
    uchar buffer[2048];
    for (int in = 0; in < kIngressCount; ++in) {
        if (m_observers[in] < 0)
            continue;
        for (;;) {
            sockaddr_ll from {};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(m_observers[in], buffer, sizeof buffer, MSG_DONTWAIT,
                reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0)
                break;
            if (from.sll_pkttype == PACKET_OUTGOING)
                continue;
            const SeenPacket seen = parse(buffer, n);
            if (!seen.valid)
                continue;
            if (seen.errorFor && byId.contains(*seen.errorFor)) {
                Pending* p = byId.value(*seen.errorFor);
                // The error goes to the probe's source, which may live in another namespace than the sender.
                if (!p->done) {
                    p->result.fate = KernelFate::Reject;
                    p->result.rejectHow = seen.header.proto == kIcmpv6
                        ? icmp6ErrorName(seen.header.icmpType, seen.header.icmpCode)
                        : icmpErrorName(seen.header.icmpType, seen.header.icmpCode);
                }
                continue;
            }
            Pending* own = byId.value(seen.id);
            const bool probeItself = own && !own->done && sameShape(seen.header, own->spec.header);
            if (seen.header.proto == kTcp && (seen.header.tcpFlags & kRst) && !probeItself) {
                for (Pending& p : pending) {
                    if (!p.done && p.spec.header.proto == kTcp
                        && seen.header.dport == p.spec.header.sport && seen.header.sport == p.spec.header.dport
                        && !(p.spec.header.tcpFlags & kRst)) {
                        p.result.fate = KernelFate::Reject;
                        p.result.rejectHow = QStringLiteral("tcp-reset");
                    }
                }
                continue;
            }
            Pending* p = byId.value(seen.id);
            if (p && !p->done && sameShape(seen.header, p->spec.header)) {
                p->done = true;
                p->result.fate = KernelFate::Accept;
                p->result.deliveredTo = Topology::ingressName(Ingress(in));
                p->result.delivered = seen.header;
            }
        }
    }
    if (m_family == Family::V6) {
        observeLocal6(pending);
        return markRejects(pending);
    }
    for (int fd : m_hostLocal) {
        for (;;) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n <= 0)
                break;
            const SeenPacket seen = parse(buffer, n);
            Pending* p = seen.valid ? byId.value(seen.id) : nullptr;
            // An ICMP error about a probe of this batch is that probe's rejection, never a delivery.
            if (p && !p->done && sameShape(seen.header, p->spec.header)
                && !(seen.errorFor && byId.contains(*seen.errorFor))) {
                p->done = true;
                p->result.fate = KernelFate::Accept;
                p->result.deliveredTo = QStringLiteral("host");
                p->result.delivered = seen.header;
            }
        }
    }
    markRejects(pending);
}

void Prober::markRejects(QVector<Pending>& pending)
{
    // A reject is final once it is seen; a delivery seen later would win in observe().
    for (Pending& p : pending) {
        if (p.result.fate == KernelFate::Reject)
            p.done = true;
    }
}

void Prober::observeLocal6(QVector<Pending>& pending)
{
    // IPv6 raw sockets get no IP header, so no flow label: the fresh source port (echo id) tells probes apart.
    uchar buffer[2048];
    const quint8 protos[] = { kTcp, kUdp, kIcmpv6 };
    for (int i = 0; i < 3; ++i) {
        for (;;) {
            sockaddr_in6 from {};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(m_hostLocal[i], buffer, sizeof buffer, MSG_DONTWAIT,
                reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0)
                break;
            char text[INET6_ADDRSTRLEN] = {};
            ::inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
            const SeenPacket seen = parseTransport6(protos[i], buffer, n, QString::fromLatin1(text));
            if (!seen.valid)
                continue;
            // An ICMPv6 error probe is recognised by what it quotes; an error about a probe is its rejection.
            const QByteArray quoted = seen.errorFor ? QByteArray(reinterpret_cast<const char*>(buffer) + 8, int(n) - 8)
                                                    : QByteArray();
            for (Pending& p : pending) {
                const bool same = seen.errorFor ? !p.spec.header.quoted.isEmpty() && quoted.startsWith(p.spec.header.quoted)
                                                : p.spec.header.sport == seen.header.sport
                        && (protos[i] == kIcmpv6 || p.spec.header.dport == seen.header.dport);
                if (!p.done && same && sameShape(seen.header, p.spec.header)) {
                    p.done = true;
                    p.result.fate = KernelFate::Accept;
                    p.result.deliveredTo = QStringLiteral("host");
                    p.result.delivered = seen.header;
                    p.result.delivered.dst = p.spec.header.dst;
                }
            }
        }
    }
}

QVector<KernelResult> Prober::run(const QVector<ProbeSpec>& batch, int timeoutMs)
{
    QVector<Pending> pending;
    pending.reserve(batch.size());
    for (const ProbeSpec& spec : batch) {
        Pending p;
        p.spec = spec;
        p.id = m_nextId++;
        if (m_nextId < 1000)
            m_nextId = 1000;
        pending.append(p);
    }
    for (const Pending& p : pending) {
        send(p.spec, p.id);
        // Paced, so that the trace listener keeps up (its netlink buffer overflows on a burst).
        QElapsedTimer gap;
        gap.start();
        while (gap.nsecsElapsed() < kSendGapNs)
            m_traces.poll(0);
    }
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        m_traces.poll(5);
        observe(pending);
        const bool allDone = std::all_of(pending.begin(), pending.end(), [](const Pending& p) { return p.done; });
        if (allDone || timer.elapsed() > timeoutMs)
            break;
    }
    // Let the trace of the last packets arrive.
    QElapsedTimer tail;
    tail.start();
    while (tail.elapsed() < 60)
        m_traces.poll(10);
    QVector<KernelResult> results;
    results.reserve(pending.size());
    for (Pending& p : pending) {
        p.result.sentId = p.id;
        p.result.steps = m_traces.take(p.id);
        if (const TraceStep* d = decidingStep(p.result.steps, p.result.fate == KernelFate::Accept))
            p.result.deciding = *d;
        results.append(p.result);
    }
    return results;
}

std::optional<ProbeSpec> Prober::replyTo(const ProbeSpec& probe, const KernelResult& result)
{
    if (result.fate != KernelFate::Accept || result.deliveredTo == QLatin1String("host"))
        return std::nullopt;
    // Only a SYN has a well-defined answer that conntrack will take as the connection's reply.
    if (probe.header.proto == kTcp && probe.header.tcpFlags != kSyn)
        return std::nullopt;
    ProbeSpec reply;
    reply.from = Ingress::Lan;
    for (Ingress in : { Ingress::Web, Ingress::Tailnet, Ingress::Web2, Ingress::App }) {
        if (result.deliveredTo == Topology::ingressName(in))
            reply.from = in;
    }
    // A probe routed back out of the namespace it came from: its "reply" would never leave that namespace.
    if (reply.from == probe.from)
        return std::nullopt;
    const ProbeHeader& seen = result.delivered;
    // Delivered to its own source (a hairpin without masquerade): the answer never leaves that namespace.
    if (seen.src == seen.dst)
        return std::nullopt;
    reply.header.proto = seen.proto;
    reply.header.src = seen.dst;
    reply.header.dst = seen.src;
    if (seen.proto == kIcmp || seen.proto == kIcmpv6) {
        const bool v6 = seen.proto == kIcmpv6;
        if (probe.header.icmpType != (v6 ? 128 : 8))
            return std::nullopt;
        reply.header.icmpType = v6 ? 129 : 0;
        reply.header.sport = seen.sport;
    } else {
        reply.header.sport = seen.dport;
        reply.header.dport = seen.sport;
        reply.header.tcpFlags = quint8(kSyn | kAck);
        // Conntrack checks the handshake: the SYN-ACK must acknowledge the SYN's sequence number.
        reply.header.ack = seen.seq + 1;
    }
    return reply;
}

} // namespace ktest
