#include "support/connections.h"
#include "support/enginebridge.h"
#include "support/packet6.h"
#include "support/probegen6.h"

#include <QDir>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

#include <unistd.h>

using namespace ktest;
namespace me = model::engine;

namespace {

constexpr int kGeneratedPerFixture = 200;
constexpr int kGeneratedPerOverlay = 60;

// ip6tables rules a user adds (DOCKER-USER, INPUT): REJECT with every IPv6 type, icmpv6 type matches, v6
// prefixes with `!`. None of the fixtures' .ip6.rules has a REJECT or an icmpv6 match of its own.
const char* const kOverlay[] = {
    "ip6tables -I DOCKER-USER -p ipv6-icmp -m icmp6 --icmpv6-type 128 -s 2001:db8:203::/48 -j REJECT "
    "--reject-with icmp6-adm-prohibited",
    "ip6tables -I DOCKER-USER -p tcp -m tcp --dport 22 ! -s 2001:db8:10::/64 -j REJECT --reject-with tcp-reset",
    "ip6tables -I INPUT -p udp -m udp --dport 53 -j REJECT --reject-with icmp6-port-unreachable",
    "ip6tables -I INPUT -p tcp -m tcp --dport 8080 -j REJECT",
    "ip6tables -I INPUT -i eth0 -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j DROP",
    "ip6tables -A DOCKER-USER -d fd00:18::/64 ! -i br-897b3066eb8a -p udp -j REJECT --reject-with icmp6-addr-unreachable",
};
constexpr int kBatch = 120;

struct Tally {
    QMap<QString, int> fates; // "REJECT tcp-reset" -> probes
    int relatedDelivered = 0; // RELATED ICMPv6 errors the kernel let through
    int probes = 0;
    int agree = 0;
    QStringList disagreements;
};

ProbeSpec probe6(Ingress from, const char* src, const char* dst, quint8 proto, quint16 dport)
{
    ProbeSpec p;
    p.from = from;
    p.header.src = QString::fromLatin1(src);
    p.header.dst = QString::fromLatin1(dst);
    p.header.proto = proto;
    p.header.dport = dport;
    p.header.icmpType = proto == kIcmpv6 ? 128 : 8;
    return p;
}

// EXPECTED.md's flows where they exist over IPv6 (its containers have no IPv6, so the bridge's unique-local
// addresses stand in), plus forwarding between two non-Docker interfaces: the FORWARD policy decides it
// (DROP from 27.5.1 on, ACCEPT when 28.x set up the ruleset).
QVector<ProbeSpec> namedFlows6(bool tailscale)
{
    using namespace v6;
    QVector<ProbeSpec> flows {
        probe6(Ingress::Web, kWeb, kServer, 6, 443), // CTR-OUT
        probe6(Ingress::Lan, kLanClient, kWeb, 6, 80), // LAN-DIRECT-80
        probe6(Ingress::Lan, kLanClient, kWeb, 6, 22), // LAN-DIRECT-22
        probe6(Ingress::Lan, kInternetClient, kHost, 6, 8080), // EXT-PUB: no IPv6 port mapping
        probe6(Ingress::Lan, kLanClient, "2001:db8:ff::99", 6, 443), // eth0 -> eth0, routed through the host
        probe6(Ingress::Lan, kLanClient, kHost, kIcmpv6, 0),
        probe6(Ingress::Local, kHost, kServer, 17, 53),
    };
    if (tailscale) {
        flows << probe6(Ingress::Tailnet, kTsPeer, kLanClient, 6, 443) // TS-LAN
              << probe6(Ingress::Tailnet, kTsPeer, kServer, 6, 443) // TS-EXIT
              << probe6(Ingress::Tailnet, kTsPeer, kWeb, 6, 80) // TS-DIRECT-80
              << probe6(Ingress::Web, kWeb, kTsPeer, 6, 443) // CTR-TS
              << probe6(Ingress::Lan, kLanClient, kTsPeer, 6, 22) // lan -> tailnet
              << probe6(Ingress::Lan, kInternetClient, kHost, 17, 41641) // magicsock port
              << probe6(Ingress::Tailnet, kTsPeer, kTailscale, 6, 22);
    }
    return flows;
}

QString compare(const QString& what, const ProbeSpec& probe, const KernelResult& kernel, const me::TraceResult& engine,
    Tally& tally)
{
    ++tally.probes;
    const QString kernelFate = kernelFateName(kernel.fate);
    ++tally.fates[kernelFate + (kernel.fate == KernelFate::Reject ? QLatin1Char(' ') + kernel.rejectHow : QString())];
    const QString engineFate = engineFateName(engine.fate);
    const QString kernelRule = ruleKey(kernel.deciding);
    const QString engineRule = ruleKey(engine.deciding);
    const QString engineHow = QString::fromStdString(engine.primary().rejectWith);
    const bool sameReject = kernel.fate != KernelFate::Reject || kernel.rejectHow == engineHow;
    if (kernelFate == engineFate && kernelRule == engineRule && sameReject) {
        ++tally.agree;
        return {};
    }
    if (!sameReject) {
        return QStringLiteral("%1: %2\n  kernel rejects with %3, the engine with %4 (%5)")
            .arg(what, probe.describe(), kernel.rejectHow, engineHow, kernelRule);
    }
    return QStringLiteral("%1: %2\n  kernel %3 %4 (delivered to %5)\n      -> %6\n  engine %7 %8\n      -> %9")
        .arg(what, probe.describe(), kernelFate, kernelRule,
            kernel.deliveredTo.isEmpty() ? QStringLiteral("-") : kernel.deliveredTo, kernel.pathText(), engineFate,
            engineRule, enginePath(engine));
}

} // namespace

// The engine against the kernel for every .ip6.rules fixture: its verdict and deciding rule must be the
// kernel's for hand-picked and generated IPv6 probes, on both ip6tables backends.
class TestEngineKernel6 final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        Namespace::removeOrphans();
    }

    void engineAgreesWithKernelOverIpv6_data()
    {
        QTest::addColumn<int>("backend");
        QTest::newRow("nf_tables") << int(Backend::Nft);
        QTest::newRow("legacy") << int(Backend::Legacy);
    }

    void engineAgreesWithKernelOverIpv6()
    {
        QFETCH(int, backend);
        const QStringList fixtures = QDir(QStringLiteral(CHAINSIGHT_FIXTURES_DIR))
                                         .entryList({ QStringLiteral("docker-*.ip6.rules") }, QDir::Files, QDir::Name);
        QCOMPARE(fixtures.size(), 12);
        // CHAINSIGHT_KERNEL_ONLY=<text>: run only the fixtures whose name contains it (debugging).
        const QString only = qEnvironmentVariable("CHAINSIGHT_KERNEL_ONLY");
        QElapsedTimer timer;
        timer.start();
        Tally tally;
        for (const QString& fixture : fixtures) {
            if (only.isEmpty() || fixture.contains(only))
                runFixture(Backend(backend), fixture, {}, kGeneratedPerFixture, tally);
            if (QTest::currentTestFailed())
                return;
        }
        QStringList overlay;
        for (const char* command : kOverlay)
            overlay << QString::fromLatin1(command);
        for (const char* fixture : { "docker-27.5.1-b-usernet-portmap.ip6.rules", "docker-28.x-b-usernet-portmap.ip6.rules" }) {
            if (only.isEmpty() || QString::fromLatin1(fixture).contains(only))
                runFixture(Backend(backend), QString::fromLatin1(fixture), overlay, kGeneratedPerOverlay, tally);
            if (QTest::currentTestFailed())
                return;
        }
        for (const QString& d : std::as_const(tally.disagreements))
            qWarning("%s", qPrintable(d));
        qInfo("IPv6 %s: %d probes, %d agree, %d disagree (%lld s)", qPrintable(backendName(Backend(backend))),
            tally.probes, tally.agree, int(tally.disagreements.size()), timer.elapsed() / 1000);
        QStringList mix;
        for (auto it = tally.fates.cbegin(); it != tally.fates.cend(); ++it)
            mix << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
        qInfo("IPv6 %s: %s; %d RELATED ICMPv6 errors delivered", qPrintable(backendName(Backend(backend))),
            qPrintable(mix.join(QStringLiteral(", "))), tally.relatedDelivered);
        QVERIFY2(!only.isEmpty() || tally.probes >= 12 * kGeneratedPerFixture, "fewer probes than asked for");
        QVERIFY2(tally.disagreements.isEmpty(), "the engine disagreed with the kernel");
    }

private:
    void runFixture(Backend backend, const QString& fixture, const QStringList& overlay, int generated, Tally& tally)
    {
        const QString label = fixture + (overlay.isEmpty() ? QString() : QStringLiteral(" +overlay")) + QStringLiteral(" [")
            + backendName(backend) + QLatin1Char(']');
        const bool tailscale = fixture.contains(QLatin1String("-c-"));
        const QByteArray rules = withIpsets6(readFixture(fixture));
        QString networksName = fixture;
        networksName.replace(QStringLiteral(".ip6.rules"), QStringLiteral(".networks.json"));
        const QByteArray networks = readFixture(networksName);
        QVERIFY2(!rules.isEmpty() && !networks.isEmpty(), qPrintable(label));

        Topology topology({ backend, tailscale, Family::V6 });
        QVERIFY2(topology.build(), qPrintable(label + QStringLiteral(": ") + topology.error()));
        QVERIFY2(topology.load(rules), qPrintable(label + QStringLiteral(": ") + topology.error()));
        QVERIFY2(topology.applyCommands(overlay), qPrintable(label + QStringLiteral(": ") + topology.error()));
        QVERIFY2(topology.armTracing(), qPrintable(label + QStringLiteral(": ") + topology.error()));
        TraceReader traces(topology.host(), backend, Family::V6);
        QString error;
        QVERIFY2(traces.start(&error), qPrintable(label + QStringLiteral(": ") + error));
        traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
        Prober prober(topology, traces);
        QVERIFY2(prober.open(&error), qPrintable(label + QStringLiteral(": ") + error));
        const auto engine = engineForHost(topology, rules, networks, &error);
        QVERIFY2(engine, qPrintable(label + QStringLiteral(": ") + error));

        QVector<ProbeSpec> probes = namedFlows6(tailscale);
        probes += generateProbes6(collectMaterial6(rules + overlay.join(QLatin1Char('\n')).toUtf8()), tailscale,
            generated, quint32(qHash(fixture + (overlay.isEmpty() ? QString() : QStringLiteral(" +overlay")))));
        for (qsizetype start = 0; start < probes.size(); start += kBatch) {
            const QVector<ConnectionResult> results = runConnections(prober, probes.mid(start, kBatch));
            QVERIFY2(traces.problem().isEmpty(), qPrintable(label + QStringLiteral(": ") + traces.problem()));
            for (const ConnectionResult& r : results) {
                const me::FlowResult flow = engine->traceFlow(toPacket(r.probe));
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
        if (overlay.isEmpty())
            runStates(*engine, prober, label, tailscale, tally);
    }

    // INVALID TCP flag sets, and ICMPv6 errors about tracked flows (RELATED) and about none (INVALID).
    static void runStates(const me::Engine& engine, Prober& prober, const QString& label, bool tailscale, Tally& tally)
    {
        using namespace v6;
        QVector<ProbeSpec> invalid { probe6(Ingress::Lan, kLanClient, kHost, 6, 22),
            probe6(Ingress::Lan, kInternetClient, kWeb, 6, 80), probe6(Ingress::Lan, kLanClient, "2001:db8:ff::99", 6, 443),
            probe6(Ingress::Web, kWeb, kServer, 6, 443) };
        const quint8 flags[] = { 0x03, 0x06, 0x00, 0x03 }; // SYN+FIN, SYN+RST, none
        for (int i = 0; i < int(invalid.size()); ++i)
            invalid[i].header.tcpFlags = flags[i];
        QVector<ProbeSpec> seeds { probe6(Ingress::Web, kWeb, kServer, 17, 53), probe6(Ingress::Local, kHost, kServer, 17, 53) };
        if (tailscale)
            seeds << probe6(Ingress::Tailnet, kTsPeer, kLanClient, 17, 53);
        QVector<ProbeSpec> errors;
        QVector<me::Packet> packets;
        for (const ConnectionResult& r : runConnections(prober, invalid + seeds)) {
            me::Packet p = toPacket(r.probe);
            const bool isSeed = r.probe.header.proto == 17;
            p.state = isSeed ? me::CtState::New : me::CtState::Invalid;
            const me::TraceResult traced = isSeed ? engine.traceFlow(p).original : engine.trace(p);
            const QString d = compare(label + (isSeed ? QStringLiteral(" seed") : QStringLiteral(" invalid")), r.probe,
                r.first, traced, tally);
            if (!d.isEmpty())
                tally.disagreements << d;
            if (!isSeed || r.first.fate != KernelFate::Accept || r.first.deliveredTo == QLatin1String("host"))
                continue;
            ProbeSpec e;
            e.from = r.first.deliveredTo == QLatin1String("ts") ? Ingress::Tailnet
                : r.first.deliveredTo == QLatin1String("web")   ? Ingress::Web
                                                                : Ingress::Lan;
            e.header.proto = kIcmpv6;
            e.header.icmpType = 1;
            e.header.icmpCode = 4;
            e.header.src = r.first.delivered.dst;
            e.header.dst = r.first.delivered.src;
            e.header.quoted = probePacket(r.first.delivered, r.first.sentId).left(48);
            me::Packet related = toPacket(e);
            related.state = me::CtState::Related;
            related.direction = me::CtDirection::Reply;
            related.binding = traced.primary().binding;
            errors << e;
            packets << related;
        }
        ProbeHeader never = probe6(Ingress::Lan, kHost, kServer, 17, 53).header;
        never.sport = prober.freshPort();
        ProbeSpec stray;
        stray.header.proto = kIcmpv6;
        stray.header.icmpType = 1;
        stray.header.icmpCode = 4;
        stray.header.src = QLatin1String(kServer);
        stray.header.dst = QLatin1String(kHost);
        stray.header.quoted = probePacket(never, 4242).left(48);
        me::Packet strayPacket = toPacket(stray);
        strayPacket.state = me::CtState::Invalid;
        errors << stray;
        packets << strayPacket;
        const QVector<KernelResult> results = prober.run(errors);
        for (qsizetype i = 0; i < results.size(); ++i) {
            const QString d = compare(label + QStringLiteral(" icmpv6 error"), errors.at(i), results.at(i),
                engine.trace(packets.at(i)), tally);
            if (!d.isEmpty())
                tally.disagreements << d;
            if (d.isEmpty() && packets.at(i).state == me::CtState::Related && results.at(i).fate == KernelFate::Accept)
                ++tally.relatedDelivered;
        }
    }
};

QTEST_GUILESS_MAIN(TestEngineKernel6)
#include "tst_engine_kernel6.moc"
