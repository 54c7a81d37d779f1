#include "support/connections.h"
#include "support/enginebridge.h"
#include "support/probegen.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTest>

#include <unistd.h>

using namespace ktest;
namespace me = model::engine;

namespace {

constexpr int kGeneratedPerFixture = 200;
constexpr int kGeneratedPerOverlay = 30;
constexpr int kBatch = 48;

struct Tally {
    QMap<QString, int> byIngress; // "lan ACCEPT" -> probes
    int probes = 0;
    int agree = 0;
    QStringList disagreements;
};

struct AgreementCase {
    QString fixture; // file name
    QStringList overlay;
    QString overlayName;
    QJsonObject flows; // expected-verdicts.json rows, when measured
    int generated = 0;
};

QVector<AgreementCase> agreementCases(QString* error)
{
    QVector<AgreementCase> cases;
    const QVector<FixtureCase> expected = expectedCases(error);
    const QStringList fixtures = QDir(QStringLiteral(CHAINSIGHT_FIXTURES_DIR))
                                     .entryList({ QStringLiteral("docker-*.rules") }, QDir::Files, QDir::Name)
                                     .filter(QRegularExpression(QStringLiteral("^(?!.*\\.ip6\\.rules$)")));
    for (const QString& fixture : fixtures) {
        AgreementCase c { fixture, {}, {}, {}, kGeneratedPerFixture };
        for (const FixtureCase& fc : expected) {
            if (fc.key == fixture)
                c.flows = fc.flows;
        }
        cases.append(c);
    }
    for (const FixtureCase& fc : expected) {
        if (fc.overlay.isEmpty())
            continue;
        cases.append({ fc.fixture, fc.overlay, fc.key.section(QStringLiteral(" +"), 1), fc.flows, kGeneratedPerOverlay });
    }
    return cases;
}

QString compare(const QString& what, const ProbeSpec& probe, const KernelResult& kernel, const me::TraceResult& engine,
    Tally& tally)
{
    ++tally.probes;
    const QString kernelFate = kernelFateName(kernel.fate);
    ++tally.byIngress[Topology::ingressName(probe.from) + QLatin1Char(' ') + kernelFate];
    const QString engineFate = engineFateName(engine.fate);
    const QString kernelRule = ruleKey(kernel.deciding);
    const QString engineRule = ruleKey(engine.deciding);
    if (kernelFate == engineFate && kernelRule == engineRule) {
        ++tally.agree;
        return {};
    }
    return QStringLiteral("%1: %2\n  kernel %3 %4 (delivered to %5)\n      -> %6\n  engine %7 %8\n      -> %9")
        .arg(what, probe.describe(), kernelFate, kernelRule, kernel.deliveredTo.isEmpty() ? QStringLiteral("-") : kernel.deliveredTo,
            kernel.pathText(), engineFate, engineRule, enginePath(engine));
}

} // namespace

// The engine's verdict and deciding rule must be the kernel's, packet by packet: every measured flow of
// expected-verdicts.json and hundreds of generated probes per fixture, on both iptables backends.
class TestEngineKernel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        Namespace::removeOrphans();
    }

    void engineAgreesWithKernel()
    {
        QString error;
        const QVector<AgreementCase> cases = agreementCases(&error);
        QVERIFY2(cases.size() >= 12, qPrintable(QStringLiteral("fixtures missing: ") + error));
        Tally total;
        QElapsedTimer timer;
        timer.start();
        // CHAINSIGHT_KERNEL_ONLY=<text>: run only the cases whose fixture name contains it (debugging).
        const QString only = qEnvironmentVariable("CHAINSIGHT_KERNEL_ONLY");
        for (Backend backend : { Backend::Nft, Backend::Legacy }) {
            Tally tally;
            for (const AgreementCase& c : cases) {
                if (only.isEmpty() || c.fixture.contains(only))
                    runCase(backend, c, tally);
            }
            if (QTest::currentTestFailed())
                return;
            qInfo("%s: %d probes, %d agree, %d disagree", qPrintable(backendName(backend)), tally.probes, tally.agree,
                int(tally.disagreements.size()));
            QStringList mix;
            for (auto it = tally.byIngress.cbegin(); it != tally.byIngress.cend(); ++it)
                mix << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
            qInfo("%s: from %s", qPrintable(backendName(backend)), qPrintable(mix.join(QStringLiteral(", "))));
            total.probes += tally.probes;
            total.agree += tally.agree;
            total.disagreements += tally.disagreements;
        }
        for (const QString& d : std::as_const(total.disagreements))
            qWarning("%s", qPrintable(d));
        qInfo("%d probes, %d agree, %d disagree (%lld s)", total.probes, total.agree, int(total.disagreements.size()),
            timer.elapsed() / 1000);
        QVERIFY2(!only.isEmpty() || total.probes >= 1600, "fewer probes than the issue asks for");
        QVERIFY2(total.disagreements.isEmpty(), "the engine disagreed with the kernel");
    }

private:
    void runCase(Backend backend, const AgreementCase& c, Tally& tally)
    {
        const QString label = c.fixture + (c.overlayName.isEmpty() ? QString() : QStringLiteral(" +") + c.overlayName)
            + QStringLiteral(" [") + backendName(backend) + QLatin1Char(']');
        const bool tailscale = c.fixture.contains(QLatin1String("-c-"));
        const QByteArray rules = readFixture(c.fixture);
        QString networksName = c.fixture;
        networksName.replace(QStringLiteral(".rules"), QStringLiteral(".networks.json"));
        const QByteArray networks = readFixture(networksName);
        QVERIFY2(!rules.isEmpty() && !networks.isEmpty(), qPrintable(label));

        Topology topology({ backend, tailscale });
        QVERIFY2(topology.build(), qPrintable(label + QStringLiteral(": ") + topology.error()));
        QVERIFY2(topology.load(rules), qPrintable(label + QStringLiteral(": ") + topology.error()));
        QVERIFY2(topology.applyCommands(c.overlay), qPrintable(label + QStringLiteral(": ") + topology.error()));
        QVERIFY2(topology.armTracing(), qPrintable(label + QStringLiteral(": ") + topology.error()));
        TraceReader traces(topology.host(), backend);
        QString error;
        QVERIFY2(traces.start(&error), qPrintable(label + QStringLiteral(": ") + error));
        traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
        Prober prober(topology, traces);
        QVERIFY2(prober.open(&error), qPrintable(label + QStringLiteral(": ") + error));
        const auto engine = engineForHost(topology, rules, networks, &error);
        QVERIFY2(engine, qPrintable(label + QStringLiteral(": ") + error));

        QVector<ProbeSpec> probes;
        for (auto it = c.flows.begin(); it != c.flows.end(); ++it) {
            if (const auto flow = namedFlow(it.key()))
                probes << *flow;
        }
        probes += generateProbes(collectMaterial(rules, networks), tailscale, c.generated,
            quint32(qHash(label.section(QLatin1Char(' '), 0, 1))));
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
    }
};

QTEST_GUILESS_MAIN(TestEngineKernel)
#include "tst_engine_kernel.moc"
