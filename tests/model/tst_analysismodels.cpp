// The analysis behind the desktop views, and its item models, on the shipped demo pair.
#include "model/analysis/findingsmodel.h"
#include "model/analysis/flowclassesmodel.h"
#include "model/snapshotfile.h"

#include <QAbstractItemModelTester>
#include <QTest>

namespace {

model::SnapshotPtr demo(const char* name)
{
    auto loaded = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromLatin1(name));
    return loaded ? *loaded : nullptr;
}

} // namespace

class TestAnalysisModels final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        const auto before = demo("before.chainsight.json");
        const auto after = demo("after.chainsight.json");
        QVERIFY(before && after);
        m_pair = model::analyse(before, after);
        m_single = model::analyse(nullptr, after);
        QVERIFY(m_pair && m_single);
    }

    void aPairHasFlowsAndTheDirectRoutingFinding()
    {
        QVERIFY(m_pair->isPair());
        QVERIFY(m_pair->flows);
        QVERIFY(!m_pair->flows->classes.empty());
        QCOMPARE(m_pair->findings.front().id, std::string("direct-routing-raw-drop"));
        QVERIFY(!m_single->flows);
        QVERIFY(!m_single->findings.empty());
    }

    void cancellingStopsTheAnalysis()
    {
        QVERIFY(!model::analyse(demo("before.chainsight.json"), demo("after.chainsight.json"), [](double) { return false; }));
    }

    void findingsModel()
    {
        model::FindingsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setAnalysis(m_pair);
        QCOMPARE(m.rowCount(), static_cast<int>(m_pair->findings.size()));
        const QModelIndex first = m.index(0, model::FindingsModel::TitleColumn);
        QCOMPARE(first.data(model::FindingsModel::IdRole).toString(), QStringLiteral("direct-routing-raw-drop"));
        QVERIFY(first.data(model::FindingsModel::HasFixRole).toBool());
        QCOMPARE(m.indexOfId(QStringLiteral("direct-routing-raw-drop")).row(), 0);
        QVERIFY(!m.indexOfId(QStringLiteral("nothing")).isValid());
        m.setAnalysis(nullptr);
        QCOMPARE(m.rowCount(), 0);
    }

    void flowClassesModel()
    {
        model::FlowClassesModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setAnalysis(m_pair);
        const auto& d = *m_pair->flows;
        QCOMPARE(m.rowCount(), static_cast<int>(d.classes.size() + d.depends.size()));
        // The tailnet's direct access to web: accepted before, dropped after by the raw rule.
        bool found = false;
        for (int row = 0; row < m.rowCount(); ++row) {
            const QString text = m.index(row, 0).data(model::FlowClassesModel::SearchTextRole).toString();
            if (text.contains(QStringLiteral("tailscale0")) && text.contains(QStringLiteral("172.18.0.2"))
                && m.index(row, model::FlowClassesModel::BeforeColumn).data().toString().startsWith(QStringLiteral("ACCEPT"))
                && m.index(row, model::FlowClassesModel::RuleAfterColumn).data().toString().contains(QStringLiteral("raw/PREROUTING"))) {
                found = true;
                QCOMPARE(model::FlowClassesModel::Change(m.index(row, 0).data(model::FlowClassesModel::ChangeRole).toInt()),
                    model::FlowClassesModel::Change::Closed);
            }
        }
        QVERIFY(found);
        const int id = m.index(0, 0).data(model::FlowClassesModel::ClassIdRole).toInt();
        QCOMPARE(m.indexOfClass(id).row(), 0);
        m.setAnalysis(m_single);
        QCOMPARE(m.rowCount(), 0);
    }

private:
    model::AnalysisPtr m_pair;
    model::AnalysisPtr m_single;
};

QTEST_GUILESS_MAIN(TestAnalysisModels)
#include "tst_analysismodels.moc"
