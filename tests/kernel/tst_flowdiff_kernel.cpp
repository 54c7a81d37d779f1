// The semantic diff's witnesses against the real kernel: for every Docker fixture pair (27.5.1 against 28.x and
// 28.0.0, scenarios a-d), IPv4 and IPv6, on both iptables backends, each flow class's connection attempt is sent
// through the namespace harness loaded with the BEFORE ruleset and then with the AFTER one. The kernel's verdict
// (and the deciding rule its trace names) must be the class's before and after fate.
#include "../common/fixturehost.h"

#include "support/connections.h"
#include "support/enginebridge.h"

#include "model/diff/flowdiff.h"
#include "model/diff/flowtext.h"

#include <QElapsedTimer>
#include <QTest>

#include <unistd.h>

using namespace ktest;
namespace me = model::engine;
namespace md = model::diff;

namespace {

const char* const kScenarios[] = { "a-default-bridge", "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" };

// A class's attempt as the topology can send it.
struct Replay {
    const md::FlowClass* cls = nullptr;
    ProbeSpec probe;
    me::Packet packet;
};

struct Tally {
    int classes = 0;
    int checked = 0; // class sides compared with the kernel
    int agreed = 0;
    QStringList unreplayable; // "class 3: <why>"
    QStringList disagreements;
};

// The peers that can send a class's first packet in its ingress; empty when no peer stands there.
QVector<Ingress> peersFor(const me::Packet& p, bool tailscale, Family family)
{
    const bool v4 = family == Family::V4;
    if (p.fromLocalProcess)
        return { Ingress::Local };
    if (p.inInterface == "eth0")
        return { Ingress::Lan };
    if (p.inInterface == "tailscale0" && tailscale)
        return { Ingress::Tailnet };
    if (p.inInterface == "br-897b3066eb8a")
        return v4 ? QVector<Ingress> { Ingress::Web, Ingress::Web2 } : QVector<Ingress> { Ingress::Web }; // web2: no IPv6
    if (p.inInterface == "docker0" && v4)
        return { Ingress::App };
    return {};
}

// The namespace that answers for an address (as Topology::ingressName() names them): the peer that owns it or
// sits behind the route to it, else the host.
QString ownerOf(const QString& address)
{
    static const QHash<QString, QString> owners {
        { QStringLiteral("10.0.0.50"), QStringLiteral("lan") }, { QStringLiteral("203.0.113.7"), QStringLiteral("lan") },
        { QStringLiteral("1.1.1.1"), QStringLiteral("lan") }, { QStringLiteral("169.254.0.1"), QStringLiteral("lan") },
        { QStringLiteral("8.8.8.8"), QStringLiteral("lan") }, { QLatin1String(v6::kLanClient), QStringLiteral("lan") },
        { QLatin1String(v6::kInternetClient), QStringLiteral("lan") }, { QLatin1String(v6::kServer), QStringLiteral("lan") },
        { QStringLiteral("2001:db8:ff::99"), QStringLiteral("lan") }, { QStringLiteral("172.18.0.2"), QStringLiteral("web") },
        { QLatin1String(v6::kWeb), QStringLiteral("web") }, { QStringLiteral("172.18.0.3"), QStringLiteral("web2") },
        { QStringLiteral("172.17.0.2"), QStringLiteral("app") }, { QStringLiteral("100.64.10.20"), QStringLiteral("ts") },
        { QLatin1String(v6::kTsPeer), QStringLiteral("ts") },
    };
    return owners.value(address, QStringLiteral("host"));
}

// Sources and destinations whose packets and replies the prober sees arrive, and which the host model of the
// diff (the fixtures' host) routes as the topology does. Most realistic first: a local process sends from the
// host's addresses, a peer never does (the kernel drops a packet with a local source coming in). The fixture
// host has no global IPv6 address and no IPv6 on its bridge: no IPv6 address of the host or the bridge, and the
// web container's only as a source.
QStringList sourcesFor(Family family, bool tailscale, bool local)
{
    if (family == Family::V6) {
        QStringList out { QLatin1String(v6::kLanClient), QLatin1String(v6::kInternetClient), QLatin1String(v6::kServer),
            QLatin1String(v6::kWeb) };
        if (tailscale)
            out << QLatin1String(v6::kTsPeer);
        return out;
    }
    QStringList out;
    if (local) {
        out << QStringLiteral("10.0.0.10") << QStringLiteral("172.17.0.1") << QStringLiteral("172.18.0.1");
        if (tailscale)
            out << QStringLiteral("100.101.102.103");
    }
    out << QStringLiteral("10.0.0.50") << QStringLiteral("203.0.113.7") << QStringLiteral("172.18.0.2")
        << QStringLiteral("172.18.0.3") << QStringLiteral("172.17.0.2") << QStringLiteral("1.1.1.1");
    if (tailscale)
        out << QStringLiteral("100.64.10.20");
    return out;
}

QStringList destinationsFor(Family family, bool tailscale)
{
    if (family == Family::V6) {
        QStringList out { QLatin1String(v6::kLanClient), QLatin1String(v6::kInternetClient), QLatin1String(v6::kServer),
            QStringLiteral("2001:db8:ff::99") };
        if (tailscale)
            out << QLatin1String(v6::kTsPeer);
        return out;
    }
    QStringList out { QStringLiteral("10.0.0.50"), QStringLiteral("203.0.113.7"), QStringLiteral("1.1.1.1"),
        QStringLiteral("172.18.0.2"), QStringLiteral("172.18.0.3"), QStringLiteral("172.17.0.2"),
        QStringLiteral("10.0.0.10"), QStringLiteral("172.17.0.1"), QStringLiteral("172.18.0.1") };
    if (tailscale)
        out << QStringLiteral("100.64.10.20") << QStringLiteral("100.101.102.103");
    return out << QStringLiteral("169.254.0.1") << QStringLiteral("8.8.8.8");
}

// The witness first, when the topology can send it as it is.
QStringList witnessFirst(const me::IpAddress& witness, QStringList candidates)
{
    const QString own = QString::fromStdString(witness.toString());
    if (candidates.removeAll(own) > 0)
        candidates.prepend(own);
    return candidates;
}

ProbeSpec probeOf(Ingress from, const me::Packet& p)
{
    ProbeSpec probe;
    probe.from = from;
    probe.header.src = QString::fromStdString(p.header.src.toString());
    probe.header.dst = QString::fromStdString(p.header.dst.toString());
    probe.header.proto = p.header.protocol;
    probe.header.sport = p.header.sport;
    probe.header.dport = p.header.dport;
    probe.header.tcpFlags = p.header.protocol == me::Proto::Tcp ? p.header.tcpFlags : 0;
    probe.header.icmpType = p.header.icmpType;
    probe.header.icmpCode = p.header.icmpCode;
    return probe;
}

// A packet of the class (classOf says so) that a peer of the topology can send and whose reply it can see: the
// witness itself when it is one, else the first such source and destination inside the class. The source port
// is fresh, so no two attempts share a connection. Empty with *why set when there is none.
std::optional<Replay> replayOf(const md::FlowDiff& diff, const md::FlowClass& c, Family family, bool tailscale,
    Prober& prober, QString* why)
{
    const me::Packet& w = c.witness;
    const QVector<Ingress> peers = peersFor(w, tailscale, family);
    if (peers.isEmpty()) {
        *why = QStringLiteral("no peer of the topology sends in %1").arg(QString::fromStdString(w.inInterface));
        return std::nullopt;
    }
    const QStringList sources = witnessFirst(w.header.src, sourcesFor(family, tailscale, w.fromLocalProcess));
    const QStringList destinations = witnessFirst(w.header.dst, destinationsFor(family, tailscale));
    const quint16 sport = prober.freshPort();
    for (const QString& src : sources) {
        for (const QString& dst : destinations) {
            me::Packet p = w;
            p.header.src = *me::IpAddress::parse(src.toStdString());
            p.header.dst = *me::IpAddress::parse(dst.toStdString());
            if (p.header.hasPorts() || p.header.protocol == me::Proto::Icmp || p.header.protocol == me::Proto::Icmpv6)
                p.header.sport = sport;
            // Source and destination in one namespace: the reply would never cross the host.
            if (ownerOf(src) == ownerOf(dst) || diff.classOf(p) != &c)
                continue;
            for (Ingress from : peers) {
                if (Topology::ingressName(from) != ownerOf(dst))
                    return Replay { &c, probeOf(from, p), p };
            }
        }
    }
    *why = QStringLiteral("no packet of the class goes between two namespaces of the topology (witness %1)")
               .arg(QString::fromStdString(w.describe()));
    return std::nullopt;
}

// What the kernel did with the attempt, in the class side's terms: fate, deciding rule, reject kind.
QString kernelSide(const ConnectionResult& r)
{
    const KernelResult& decided = r.decidedByReply && r.reply ? *r.reply : r.first;
    QString text = kernelFateName(r.fate);
    if (r.fate == KernelFate::Reject)
        text += QLatin1Char(' ') + r.first.rejectHow;
    return text + (r.decidedByReply ? QStringLiteral(" reply ") : QStringLiteral(" ")) + ruleKey(decided.deciding);
}

QString classSide(const md::FlowSide& side)
{
    QString text = engineFateName(side.fate);
    if (side.fate == me::Fate::Reject)
        text += QLatin1Char(' ') + QString::fromStdString(side.rejectWith);
    return text + (side.decidedByReply ? QStringLiteral(" reply ") : QStringLiteral(" ")) + ruleKey(side.deciding);
}


// One fixture pair: 27.5.1 against a later version of the same scenario, and its flow diff.
struct FixturePair {
    QString scenario;
    QString before; // "docker-27.5.1-b-usernet-portmap"
    QString after;
    md::FlowDiff diff;
};

// Tables with nothing in them, loaded first: the tables exist before the trace flag is armed, and every
// fixture is then loaded with Topology::reload().
const char* const kEmptyTables = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
                                 "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                 ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
                                 "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";

} // namespace

class TestFlowDiffKernel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        Namespace::setPrefix(QStringLiteral("csw"));
        Namespace::removeOrphans();
        // The diff exactly as the product computes it, from the fixtures' host as tst_flowdiff models it.
        for (const char* scenario : kScenarios) {
            const QString name = QString::fromLatin1(scenario);
            const auto before = me::Engine::fromSnapshot(*fixtures::snapshot(QStringLiteral("docker-27.5.1-") + name));
            for (const char* version : { "28.x", "28.0.0" }) {
                FixturePair pair { name, QStringLiteral("docker-27.5.1-") + name,
                    QStringLiteral("docker-%1-%2").arg(QLatin1String(version), name), {} };
                const auto after = me::Engine::fromSnapshot(*fixtures::snapshot(pair.after));
                std::optional<md::FlowDiff> diff = md::computeFlowDiff(*before, *after);
                QVERIFY(diff && !diff->incomplete);
                pair.diff = std::move(*diff);
                m_pairs.push_back(std::move(pair));
            }
        }
    }

    void witnessesShowTheirFates_data()
    {
        QTest::addColumn<int>("family");
        QTest::addColumn<int>("backend");
        QTest::newRow("IPv4 nf_tables") << int(Family::V4) << int(Backend::Nft);
        QTest::newRow("IPv4 legacy") << int(Family::V4) << int(Backend::Legacy);
        QTest::newRow("IPv6 nf_tables") << int(Family::V6) << int(Backend::Nft);
        QTest::newRow("IPv6 legacy") << int(Family::V6) << int(Backend::Legacy);
    }

    // One topology per family and backend; each scenario's three rulesets loaded in turn into it.
    void witnessesShowTheirFates()
    {
        QFETCH(int, family);
        QFETCH(int, backend);
        QElapsedTimer timer;
        timer.start();
        Topology topology({ Backend(backend), true, Family(family), true });
        QVERIFY2(topology.build() && topology.load(kEmptyTables) && topology.armTracing(), qPrintable(topology.error()));
        TraceReader traces(topology.host(), Backend(backend), Family(family));
        QString error;
        QVERIFY2(traces.start(&error), qPrintable(error));
        traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
        Prober prober(topology, traces);
        QVERIFY2(prober.open(&error), qPrintable(error));
        QStringList failures;
        int classes = 0;
        for (const char* scenario : kScenarios) {
            QVector<const FixturePair*> pairs;
            for (const FixturePair& p : m_pairs)
                if (p.scenario == QLatin1String(scenario))
                    pairs << &p;
            runScenario(topology, traces, prober, pairs, failures, classes);
            if (QTest::currentTestFailed())
                return;
        }
        qInfo("%d classes in %lld ms", classes, timer.elapsed());
        for (const QString& f : std::as_const(failures))
            qWarning("%s", qPrintable(f));
        QVERIFY2(failures.isEmpty(), "the kernel disagreed with the flow diff");
    }

private:
    // Loads the scenario's BEFORE ruleset and sends every pair's attempts, then each AFTER ruleset with its pair's.
    void runScenario(Topology& topology, TraceReader& traces, Prober& prober, const QVector<const FixturePair*>& pairs,
        QStringList& failures, int& classCount)
    {
        const Family family = topology.options().family;
        const bool tailscale = pairs.first()->scenario.startsWith(QLatin1Char('c'));
        QVector<Tally> tallies(pairs.size());
        QVector<QVector<Replay>> replays;
        QVector<ProbeSpec> all;
        for (qsizetype i = 0; i < pairs.size(); ++i) {
            replays << chooseReplays(pairs.at(i)->diff, family, tailscale, prober, tallies[i]);
            classCount += tallies.at(i).classes;
            for (const Replay& r : std::as_const(replays.last()))
                all << r.probe;
        }
        const QVector<QString> before = runRuleset(topology, traces, prober, pairs.first()->before, all);
        qsizetype offset = 0;
        for (qsizetype i = 0; i < pairs.size(); ++i) {
            QVector<ProbeSpec> probes;
            for (const Replay& r : std::as_const(replays.at(i)))
                probes << r.probe;
            const QVector<QString> after = runRuleset(topology, traces, prober, pairs.at(i)->after, probes);
            if (QTest::currentTestFailed())
                return;
            Tally& tally = tallies[i];
            for (qsizetype j = 0; j < probes.size(); ++j)
                compare(replays.at(i).at(j), before.at(offset + j), after.at(j), tally);
            offset += probes.size();
            const QString label = QStringLiteral("%1 vs %2 %3 [%4]")
                                      .arg(pairs.at(i)->before, pairs.at(i)->after,
                                          family == Family::V4 ? QStringLiteral("IPv4") : QStringLiteral("IPv6"),
                                          backendName(topology.options().backend));
            qInfo("%s: %d classes, %d fates checked, %d agree%s", qPrintable(label), tally.classes, tally.checked,
                tally.agreed,
                qPrintable(tally.unreplayable.isEmpty()
                        ? QString()
                        : QStringLiteral("; not replayable: ") + tally.unreplayable.join(QStringLiteral("; "))));
            for (const QString& d : std::as_const(tally.disagreements))
                failures << label + QStringLiteral(": ") + d;
        }
    }

    // The kernel's verdict on each attempt, with the ruleset of this fixture loaded.
    static QVector<QString> runRuleset(Topology& topology, TraceReader& traces, Prober& prober, const QString& fixture,
        const QVector<ProbeSpec>& probes)
    {
        const bool v4 = topology.options().family == Family::V4;
        const QByteArray rules = withIpsets6(readFixture(fixture + (v4 ? QStringLiteral(".rules") : QStringLiteral(".ip6.rules"))));
        QVector<QString> verdicts;
        [&] {
            QVERIFY2(!rules.isEmpty(), qPrintable(fixture));
            QVERIFY2(topology.reload(rules), qPrintable(fixture + QStringLiteral(": ") + topology.error()));
            traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
            const QVector<ConnectionResult> results = runConnections(prober, probes);
            QVERIFY2(traces.problem().isEmpty(), qPrintable(fixture + QStringLiteral(": ") + traces.problem()));
            for (const ConnectionResult& r : results)
                verdicts << kernelSide(r) + QStringLiteral("\n      kernel path: ") + r.first.pathText()
                        + (r.reply ? QStringLiteral("\n      reply path: ") + r.reply->pathText() : QString());
        }();
        verdicts.resize(probes.size());
        return verdicts;
    }

    static QVector<Replay> chooseReplays(const md::FlowDiff& diff, Family family, bool tailscale, Prober& prober, Tally& tally)
    {
        const model::Family modelFamily = family == Family::V4 ? model::Family::IPv4 : model::Family::IPv6;
        QVector<Replay> replays;
        for (const auto* list : { &diff.classes, &diff.depends }) {
            for (const md::FlowClass& c : *list) {
                if (c.family != modelFamily)
                    continue;
                ++tally.classes;
                if (c.before.fate == me::Fate::Depends && c.after.fate == me::Fate::Depends) {
                    tally.unreplayable << QStringLiteral("class %1: fate DEPENDS on %2 in both snapshots")
                                              .arg(c.id)
                                              .arg(dependsText(c.before));
                    continue;
                }
                QString why;
                if (auto r = replayOf(diff, c, family, tailscale, prober, &why))
                    replays << *r;
                else
                    tally.unreplayable << QStringLiteral("class %1: %2").arg(c.id).arg(why);
            }
        }
        return replays;
    }

    static QString dependsText(const md::FlowSide& side)
    {
        QStringList what;
        for (const std::string& d : side.dependsOn)
            what << QString::fromStdString(d);
        return what.join(QStringLiteral(", "));
    }

    static void compare(const Replay& r, const QString& kernelBefore, const QString& kernelAfter, Tally& tally)
    {
        const md::FlowClass& c = *r.cls;
        const md::FlowSide* sides[2] = { &c.before, &c.after };
        const QString* kernel[2] = { &kernelBefore, &kernelAfter };
        for (int side = 0; side < 2; ++side) {
            const QString when = side == 0 ? QStringLiteral("before") : QStringLiteral("after");
            if (sides[side]->fate == me::Fate::Depends) {
                tally.unreplayable << QStringLiteral("class %1 %2: fate DEPENDS on %3").arg(c.id).arg(when, dependsText(*sides[side]));
                continue;
            }
            ++tally.checked;
            const QString expected = classSide(*sides[side]);
            if (kernel[side]->section(QLatin1Char('\n'), 0, 0) == expected) {
                ++tally.agreed;
                continue;
            }
            tally.disagreements << QStringLiteral("class %1 %2, witness %3 (sent as %4)\n  diff:   %5\n  kernel: %6")
                                       .arg(c.id)
                                       .arg(when, QString::fromStdString(c.witness.describe()), r.probe.describe(),
                                           expected, *kernel[side]);
        }
    }

    std::vector<FixturePair> m_pairs;
};

QTEST_GUILESS_MAIN(TestFlowDiffKernel)
#include "tst_flowdiff_kernel.moc"
