#pragma once

#include "support/kerneltrace.h"
#include "support/topology.h"

#include <QString>
#include <QVector>

#include <optional>

// Sends real single packets into the host namespace and reports what the kernel did with each:
// delivered (seen by a peer's packet socket or a raw socket of the host), rejected (an ICMP error or
// RST came back to the sender) or dropped (nothing within the timeout), plus the traced rule path.
// Probes carry a unique IP ID (IPv6: flow label) and source port, so a whole batch is in flight at once.
namespace ktest {

struct ProbeHeader {
    QString src; // IPv4 or IPv6 address text, as the topology's family
    QString dst;
    quint8 proto = 6; // 6 tcp, 17 udp, 1 icmp, 58 icmpv6
    quint16 sport = 0;
    quint16 dport = 0;
    quint8 tcpFlags = 0x02;
    int icmpType = 8;
    int icmpCode = 0;
    quint32 seq = 0; // tcp: 0 picks a random sequence number
    quint32 ack = 0;
    // ICMP errors: the packet they quote (its IP header and first 8 bytes); empty for echo requests.
    QByteArray quoted;

    QString describe() const; // "tcp 10.0.0.50:40001 -> 172.18.0.2:80 [S]"
};

struct ProbeSpec {
    Ingress from = Ingress::Lan;
    ProbeHeader header;
    QString describe() const; // "... in eth0"
};

// The probe's bytes as sent, IPv4 or IPv6 after the addresses.
QByteArray probePacket(const ProbeHeader& header, quint16 id);

enum class KernelFate { Accept, Drop, Reject };
QString kernelFateName(KernelFate fate);

struct KernelResult {
    KernelFate fate = KernelFate::Drop;
    QString rejectHow; // icmp-host-prohibited, tcp-reset, ...
    quint16 sentId = 0; // the IP ID (IPv6: flow label) the probe was sent with
    QString deliveredTo; // lan, web, ts, web2, app or host
    ProbeHeader delivered; // the header as it arrived (after NAT)
    QVector<TraceStep> steps;
    std::optional<TraceStep> deciding;

    // "raw/PREROUTING policy ACCEPT -> filter/FORWARD #1 JUMP -> ..."
    QString pathText() const;
    // The deciding rule in the form of expected-verdicts.json: "filter/DOCKER: -A DOCKER ..." or
    // "filter/FORWARD policy DROP".
    QString qualifiedDeciding() const;
};

class Prober final {
public:
    Prober(const Topology& topology, TraceReader& traces);
    ~Prober();
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;

    // Opens the senders and observers and waits until the trace reader sees a warm-up packet.
    bool open(QString* error);
    // Sends every probe of the batch, then waits until each is delivered or rejected, or the timeout ran out.
    QVector<KernelResult> run(const QVector<ProbeSpec>& batch, int timeoutMs = 400);
    // A source port never used before in this topology (every probe is the first packet of its flow).
    quint16 freshPort();
    // The reply a peer's stack would send to a delivered probe (SYN-ACK, UDP answer, echo reply).
    static std::optional<ProbeSpec> replyTo(const ProbeSpec& probe, const KernelResult& result);

private:
    struct Pending;
    bool send(const ProbeSpec& probe, quint16 ipId);
    void observe(QVector<Pending>& pending);
    void observeLocal6(QVector<Pending>& pending);
    static void markRejects(QVector<Pending>& pending);

    const Topology& m_topology;
    TraceReader& m_traces;
    Family m_family;
    int m_senders[kIngressCount] = { -1, -1, -1, -1, -1, -1 }; // by Ingress
    int m_observers[kIngressCount] = { -1, -1, -1, -1, -1, -1 }; // peers only
    int m_hostLocal[3] = { -1, -1, -1 }; // raw sockets of the host for tcp, udp, icmp
    quint16 m_nextId = 1000;
    quint16 m_nextPort = 20000;
};

} // namespace ktest
