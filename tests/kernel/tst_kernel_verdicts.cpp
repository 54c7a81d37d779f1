#include "support/connections.h"

#include <QTest>

#include <unistd.h>

using namespace ktest;

// The harness reproduces, on this machine's kernel, every verdict and deciding rule measured in
// expected-verdicts.json (99 flows over 24 fixture/overlay combinations), on both iptables backends.
// If this fails, the kernel side of the engine-agreement test cannot be trusted either.
class TestKernelVerdicts final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        Namespace::removeOrphans();
    }

    void expectedVerdicts_data()
    {
        QTest::addColumn<Backend>("backend");
        QTest::newRow("nft") << Backend::Nft;
        QTest::newRow("legacy") << Backend::Legacy;
    }

    void expectedVerdicts()
    {
        QFETCH(Backend, backend);
        QString error;
        const QVector<FixtureCase> cases = expectedCases(&error);
        QVERIFY2(!cases.isEmpty(), qPrintable(error));
        int rows = 0;
        QStringList mismatches;
        for (const FixtureCase& fc : cases) {
            Topology topology({ backend, fc.tailscale() });
            QVERIFY2(topology.build(), qPrintable(topology.error()));
            const QByteArray rules = readFixture(fc.fixture);
            QVERIFY2(!rules.isEmpty(), qPrintable(fc.fixture));
            QVERIFY2(topology.load(rules), qPrintable(fc.key + QStringLiteral(": ") + topology.error()));
            QVERIFY2(topology.applyCommands(fc.overlay), qPrintable(fc.key + QStringLiteral(": ") + topology.error()));
            QVERIFY2(topology.armTracing(), qPrintable(topology.error()));
            TraceReader traces(topology.host(), backend);
            QVERIFY2(traces.start(&error), qPrintable(error));
            traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
            Prober prober(topology, traces);
            QVERIFY2(prober.open(&error), qPrintable(fc.key + QStringLiteral(": ") + error));

            QStringList ids;
            QVector<ProbeSpec> probes;
            for (auto it = fc.flows.begin(); it != fc.flows.end(); ++it) {
                const auto probe = namedFlow(it.key());
                QVERIFY2(probe, qPrintable(QStringLiteral("unknown flow ") + it.key()));
                ids << it.key();
                probes << *probe;
            }
            const QVector<ConnectionResult> results = runConnections(prober, probes);
            for (int i = 0; i < results.size(); ++i) {
                const QJsonObject want = fc.flows.value(ids.at(i)).toObject();
                const ConnectionResult& got = results.at(i);
                const QString wantVerdict = want.value(QStringLiteral("verdict")).toString();
                const QString wantRule = want.value(QStringLiteral("deciding_rule")).toString();
                ++rows;
                if (kernelFateName(got.fate) == wantVerdict && got.deciding == wantRule)
                    continue;
                QString detail = QStringLiteral("%1 %2 [%3]\n  expected %4 %5\n  kernel   %6 %7\n  first: %8 (%9)\n      -> %10")
                                     .arg(fc.key, ids.at(i), backendName(backend), wantVerdict, wantRule,
                                         kernelFateName(got.fate), got.deciding, kernelFateName(got.first.fate),
                                         got.first.deliveredTo, got.first.pathText());
                if (got.reply)
                    detail += QStringLiteral("\n  reply: %1 (%2)\n      -> %3")
                                  .arg(kernelFateName(got.reply->fate), got.reply->deliveredTo, got.reply->pathText());
                mismatches << detail;
            }
        }
        qInfo("%d flows, %d agree, %d disagree (%s)", rows, rows - int(mismatches.size()), int(mismatches.size()),
            qPrintable(backendName(backend)));
        for (const QString& m : mismatches)
            qWarning("%s", qPrintable(m));
        QVERIFY2(rows >= 99, "expected-verdicts.json should hold the 99 flows of the shared fixtures");
        QVERIFY2(mismatches.isEmpty(), "the kernel disagreed with expected-verdicts.json");
    }
};

QTEST_GUILESS_MAIN(TestKernelVerdicts)
#include "tst_kernel_verdicts.moc"
