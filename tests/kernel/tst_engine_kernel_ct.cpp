#include "support/connections.h"
#include "support/enginebridge.h"

#include <QElapsedTimer>
#include <QTest>

#include <unistd.h>

using namespace ktest;
namespace me = model::engine;

namespace {

constexpr quint8 kTcp = 6;
constexpr quint8 kUdp = 17;
constexpr quint8 kIcmp = 1;
constexpr quint8 kSyn = 0x02;

struct Tally {
    int probes = 0;
    int agree = 0;
    int relatedDelivered = 0; // RELATED ICMP errors the kernel let through
    int bridgedUntouched = 0; // bridged packets that never met iptables (bridge-nf-call-iptables=0)
    QStringList disagreements;
};

ProbeSpec probe(Ingress from, const char* src, const char* dst, quint8 proto, quint16 dport, quint8 flags = kSyn)
{
    ProbeSpec p;
    p.from = from;
    p.header.src = QString::fromLatin1(src);
    p.header.dst = QString::fromLatin1(dst);
    p.header.proto = proto;
    p.header.dport = dport;
    p.header.tcpFlags = flags;
    return p;
}

// Container to container: two containers on one bridge (bridged, br_netfilter path) and across two bridges
// (routed), in both directions and over the three protocols.
QVector<ProbeSpec> containerProbes()
{
    return {
        probe(Ingress::Web, "172.18.0.2", "172.18.0.3", kTcp, 80),
        probe(Ingress::Web2, "172.18.0.3", "172.18.0.2", kUdp, 53),
        probe(Ingress::Web, "172.18.0.2", "172.18.0.3", kIcmp, 0),
        probe(Ingress::Web2, "172.18.0.3", "172.18.0.2", kTcp, 8080),
        probe(Ingress::Web, "172.18.0.2", "172.17.0.2", kTcp, 80),
        probe(Ingress::App, "172.17.0.2", "172.18.0.2", kTcp, 80),
        probe(Ingress::App, "172.17.0.2", "172.18.0.3", kUdp, 53),
        probe(Ingress::App, "172.17.0.2", "1.1.1.1", kTcp, 443),
    };
}

// With nf_conntrack_tcp_loose=0 a TCP packet without SYN opens no connection, and some flag sets are
// invalid whatever the setting (SYN+FIN, SYN+RST, none): conntrack attaches nothing, the state is INVALID.
QVector<ProbeSpec> invalidProbes()
{
    return {
        probe(Ingress::Lan, "10.0.0.50", "172.18.0.2", kTcp, 80, 0x10),
        probe(Ingress::Lan, "10.0.0.50", "172.18.0.2", kTcp, 22, 0x10),
        probe(Ingress::Lan, "203.0.113.7", "10.0.0.10", kTcp, 8080, 0x10), // no DNAT without a connection
        probe(Ingress::Web, "172.18.0.2", "1.1.1.1", kTcp, 443, 0x10), // no MASQUERADE either
        probe(Ingress::Lan, "10.0.0.50", "172.18.0.2", kTcp, 80, 0x03), // SYN+FIN
        probe(Ingress::Lan, "203.0.113.7", "10.0.0.10", kTcp, 8080, 0x06), // SYN+RST
        probe(Ingress::Lan, "10.0.0.50", "172.18.0.2", kTcp, 80, 0x00), // no flags
        probe(Ingress::Lan, "10.0.0.50", "10.0.0.10", kTcp, 22, 0x11), // FIN+ACK
    };
}

// Flows whose answer comes back as an ICMP error: a container's UDP query out (masqueraded), and a
// published port reached from outside (DNAT), which the container answers with host-unreachable.
QVector<ProbeSpec> relatedSeeds()
{
    return {
        probe(Ingress::Web, "172.18.0.2", "1.1.1.1", kUdp, 53),
        probe(Ingress::Lan, "203.0.113.7", "10.0.0.10", kTcp, 8080),
        probe(Ingress::Lan, "10.0.0.50", "172.18.0.2", kUdp, 80),
    };
}

me::CtState stateOf(const ProbeSpec& p)
{
    return p.header.proto == kTcp && p.header.tcpFlags != kSyn ? me::CtState::Invalid : me::CtState::New;
}

// The ICMP error the receiver of `seen` sends back about it; from: where the receiver lives.
ProbeSpec errorAbout(Ingress from, const ProbeHeader& seen, quint16 id, int code)
{
    ProbeSpec e;
    e.from = from;
    e.header.proto = kIcmp;
    e.header.icmpType = 3;
    e.header.icmpCode = code;
    e.header.src = seen.dst;
    e.header.dst = seen.src;
    e.header.quoted = probePacket(seen, id).left(28);
    return e;
}

Ingress ingressOf(const QString& name)
{
    for (Ingress in : { Ingress::Lan, Ingress::Web, Ingress::Tailnet, Ingress::Web2, Ingress::App }) {
        if (Topology::ingressName(in) == name)
            return in;
    }
    return Ingress::Lan;
}

QString key(const QString& ruleKey)
{
    // "none: <why>" on both sides: neither the kernel nor the engine saw a rule decide.
    return ruleKey.startsWith(QLatin1String("none:")) ? QStringLiteral("none") : ruleKey;
}

QString compare(const QString& what, const ProbeSpec& p, const KernelResult& kernel, const me::TraceResult& engine,
    Tally& tally)
{
    ++tally.probes;
    const QString kernelFate = kernelFateName(kernel.fate);
    const QString engineFate = engineFateName(engine.fate);
    const QString kernelRule = ruleKey(kernel.deciding);
    const QString engineRule = ruleKey(engine.deciding);
    if (kernelFate == engineFate && key(kernelRule) == key(engineRule)) {
        ++tally.agree;
        return {};
    }
    return QStringLiteral("%1: %2 (%10)\n  kernel %3 %4 (delivered to %5)\n      -> %6\n  engine %7 %8\n      -> %9")
        .arg(what, p.describe(), kernelFate, kernelRule,
            kernel.deliveredTo.isEmpty() ? QStringLiteral("-") : kernel.deliveredTo, kernel.pathText(), engineFate,
            engineRule, enginePath(engine))
        .arg(QString::fromLatin1(me::ctStateName(engine.packet.state)));
}

} // namespace

// Conntrack states besides NEW and ESTABLISHED, and traffic between containers: the engine's verdict and
// deciding rule for RELATED ICMP errors, INVALID TCP packets and container-to-container packets (with and
// without bridge-nf-call-iptables) must be the kernel's, on both backends.
class TestEngineKernelConntrack final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        Namespace::removeOrphans();
    }

    void statesAndContainersAgreeWithKernel()
    {
        const QStringList fixtures { QStringLiteral("docker-27.5.1-b-usernet-portmap.rules"),
            QStringLiteral("docker-28.0.0-b-usernet-portmap.rules"), QStringLiteral("docker-28.x-b-usernet-portmap.rules"),
            QStringLiteral("docker-27.5.1-d-oracle-cloud.rules") };
        QElapsedTimer timer;
        timer.start();
        Tally total;
        for (Backend backend : { Backend::Nft, Backend::Legacy }) {
            Tally tally;
            for (const QString& fixture : fixtures) {
                runFixture(backend, fixture, tally);
                if (QTest::currentTestFailed())
                    return;
            }
            qInfo("conntrack states %s: %d probes, %d agree, %d disagree (%d RELATED errors delivered, %d bridged "
                  "packets without iptables)",
                qPrintable(backendName(backend)), tally.probes, tally.agree, int(tally.disagreements.size()),
                tally.relatedDelivered, tally.bridgedUntouched);
            QVERIFY2(tally.relatedDelivered >= int(fixtures.size()) && tally.bridgedUntouched >= int(fixtures.size()),
                "the RELATED and bridge-nf-off cases did not happen as planned");
            total.probes += tally.probes;
            total.agree += tally.agree;
            total.disagreements += tally.disagreements;
        }
        for (const QString& d : std::as_const(total.disagreements))
            qWarning("%s", qPrintable(d));
        qInfo("conntrack states: %d probes, %d agree, %d disagree (%lld s)", total.probes, total.agree,
            int(total.disagreements.size()), timer.elapsed() / 1000);
        QVERIFY2(total.probes >= 150, "fewer probes than planned");
        QVERIFY2(total.disagreements.isEmpty(), "the engine disagreed with the kernel");
    }

private:
    void runFixture(Backend backend, const QString& fixture, Tally& tally)
    {
        const QString label = fixture + QStringLiteral(" [") + backendName(backend) + QLatin1Char(']');
        const QByteArray rules = readFixture(fixture);
        QString networksName = fixture;
        networksName.replace(QStringLiteral(".rules"), QStringLiteral(".networks.json"));
        const QByteArray networks = readFixture(networksName);
        QVERIFY2(!rules.isEmpty() && !networks.isEmpty(), qPrintable(label));

        TopologyOptions options;
        options.backend = backend;
        options.containers = true;
        Topology topology(options);
        QVERIFY2(topology.build(), qPrintable(label + QStringLiteral(": ") + topology.error()));
        QVERIFY2(topology.load(rules), qPrintable(label + QStringLiteral(": ") + topology.error()));
        // Loading the rules loaded conntrack into the namespace, so its sysctls exist now.
        QVERIFY2(topology.host().setSysctl(QStringLiteral("net.netfilter.nf_conntrack_tcp_loose"), QStringLiteral("0")),
            qPrintable(label + QStringLiteral(": cannot turn nf_conntrack_tcp_loose off")));
        QVERIFY2(topology.armTracing(), qPrintable(label + QStringLiteral(": ") + topology.error()));
        TraceReader traces(topology.host(), backend);
        QString error;
        QVERIFY2(traces.start(&error), qPrintable(label + QStringLiteral(": ") + error));
        traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
        Prober prober(topology, traces);
        QVERIFY2(prober.open(&error), qPrintable(label + QStringLiteral(": ") + error));
        auto engine = engineForHost(topology, rules, networks, &error);
        QVERIFY2(engine, qPrintable(label + QStringLiteral(": ") + error));

        runConnectionProbes(*engine, prober, containerProbes() + invalidProbes(), label, tally);
        runRelated(*engine, prober, label, tally);

        // The same container traffic with bridge-nf-call-iptables off: bridged frames skip iptables.
        QVERIFY2(topology.setBridgeNetfilter(false), qPrintable(label + QStringLiteral(": ") + topology.error()));
        engine = engineForHost(topology, rules, networks, &error);
        QVERIFY2(engine, qPrintable(label + QStringLiteral(": ") + error));
        runConnectionProbes(*engine, prober, containerProbes(), label + QStringLiteral(" bridge-nf off"), tally);
        QVERIFY2(traces.problem().isEmpty(), qPrintable(label + QStringLiteral(": ") + traces.problem()));
    }

    static void runConnectionProbes(const me::Engine& engine, Prober& prober, const QVector<ProbeSpec>& probes,
        const QString& label, Tally& tally)
    {
        for (const ConnectionResult& r : runConnections(prober, probes)) {
            me::Packet packet = toPacket(r.probe);
            packet.state = stateOf(r.probe);
            if (packet.state != me::CtState::New) {
                const QString d = compare(label, r.probe, r.first, engine.trace(packet), tally);
                if (!d.isEmpty())
                    tally.disagreements << d;
                continue;
            }
            const me::FlowResult flow = engine.traceFlow(packet);
            if (r.first.fate == KernelFate::Accept && r.first.steps.isEmpty())
                ++tally.bridgedUntouched;
            QString d = compare(label, r.probe, r.first, flow.original, tally);
            if (!d.isEmpty())
                tally.disagreements << d;
            if (r.reply && flow.reply) {
                d = compare(label + QStringLiteral(" reply"), *r.replyProbe, *r.reply, *flow.reply, tally);
                if (!d.isEmpty())
                    tally.disagreements << d;
            }
        }
    }

    // ICMP errors about tracked flows (RELATED, translated back by conntrack) and about a flow that never
    // existed (INVALID).
    static void runRelated(const me::Engine& engine, Prober& prober, const QString& label, Tally& tally)
    {
        const QVector<ConnectionResult> seeds = runConnections(prober, relatedSeeds());
        QVector<ProbeSpec> errors;
        QVector<me::Packet> packets;
        for (const ConnectionResult& seed : seeds) {
            const me::FlowResult flow = engine.traceFlow(toPacket(seed.probe));
            const QString d = compare(label + QStringLiteral(" seed"), seed.probe, seed.first, flow.original, tally);
            if (!d.isEmpty())
                tally.disagreements << d;
            if (seed.first.fate != KernelFate::Accept || seed.first.deliveredTo == QLatin1String("host")
                || flow.original.fate != me::Fate::Accept)
                continue;
            const ProbeSpec e = errorAbout(ingressOf(seed.first.deliveredTo), seed.first.delivered, seed.first.sentId,
                seed.probe.header.proto == kUdp ? 3 : 1);
            me::Packet p = toPacket(e);
            p.state = me::CtState::Related;
            p.direction = me::CtDirection::Reply;
            p.binding = flow.original.primary().binding;
            errors << e;
            packets << p;
        }
        QVERIFY2(errors.size() >= 2, qPrintable(label + QStringLiteral(": the flows for RELATED errors did not pass")));
        ProbeHeader never;
        never.src = QStringLiteral("10.0.0.10");
        never.dst = QStringLiteral("1.1.1.1");
        never.proto = kUdp;
        never.sport = prober.freshPort();
        never.dport = 53;
        const ProbeSpec stray = errorAbout(Ingress::Lan, never, 4242, 3);
        me::Packet strayPacket = toPacket(stray);
        strayPacket.state = me::CtState::Invalid;
        errors << stray;
        packets << strayPacket;
        const QVector<KernelResult> results = prober.run(errors);
        for (qsizetype i = 0; i < results.size(); ++i) {
            const me::TraceResult traced = engine.trace(packets.at(i));
            QString d = compare(label + QStringLiteral(" icmp error"), errors.at(i), results.at(i), traced, tally);
            // Conntrack translates a RELATED error back like a reply: the engine must say where it went.
            const QString engineDst = QString::fromStdString(traced.primary().finalHeader.dst.toString());
            if (d.isEmpty() && packets.at(i).state == me::CtState::Related && results.at(i).fate == KernelFate::Accept) {
                ++tally.relatedDelivered;
                if (engineDst != results.at(i).delivered.dst)
                    d = QStringLiteral("%1: %2 arrived for %3, the engine has it for %4")
                            .arg(label, errors.at(i).describe(), results.at(i).delivered.dst, engineDst);
            }
            if (!d.isEmpty())
                tally.disagreements << d;
        }
    }
};

QTEST_GUILESS_MAIN(TestEngineKernelConntrack)
#include "tst_engine_kernel_ct.moc"
