#include "model/ruleset.h"

#include <QTest>

class TestRuleset final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void builtinChains()
    {
        QVERIFY(model::isBuiltinChain("raw", "PREROUTING"));
        QVERIFY(!model::isBuiltinChain("raw", "FORWARD"));
        QVERIFY(model::isBuiltinChain("nat", "INPUT"));
        QVERIFY(!model::isBuiltinChain("filter", "PREROUTING"));
        QVERIFY(!model::isBuiltinChain("filter", "DOCKER"));
    }
    void provenanceNamesRoundTrip()
    {
        for (auto p : { model::Provenance::Docker, model::Provenance::Tailscale, model::Provenance::CloudImage })
            QCOMPARE(model::provenanceFromName(model::provenanceName(p)), p);
    }
};

QTEST_GUILESS_MAIN(TestRuleset)
#include "tst_ruleset.moc"
