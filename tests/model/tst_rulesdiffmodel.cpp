#include "model/rulesdiffmodel.h"
#include "model/snapshotfile.h"

#include <QAbstractItemModelTester>
#include <QTest>

using model::RulesDiffModel;
using LineDiff = RulesDiffModel::LineDiff;
using LineKind = RulesDiffModel::LineKind;

namespace {

model::SnapshotPtr demo(const char* name)
{
    auto loaded = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromUtf8(name));
    return loaded ? loaded.value() : nullptr;
}

LineKind kindAt(const RulesDiffModel& m, int row)
{
    return LineKind(m.index(row, 0).data(RulesDiffModel::LineKindRole).toInt());
}

} // namespace

class TestRulesDiffModel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void alignsBothSidesLineByLine();
    void movedRulesLinkToWhereTheyWent();
    void changesAreRunsOfDifferingRows();
    void hidingUnchangedChainsKeepsEveryChange();
    void provenanceFilterKeepsOnlyThoseAuthors();
    void countersCanBeLeftOut();
    void aStoppedBuildGivesNoRows();
    void rowsBuiltElsewhereShowTheSame();
    void rowOfRuleFindsEveryShownRule();

private:
    std::shared_ptr<const model::diff::RuleDiff> m_diff;
};

void TestRulesDiffModel::initTestCase()
{
    const model::SnapshotPtr before = demo("before.chainsight.json");
    const model::SnapshotPtr after = demo("after.chainsight.json");
    QVERIFY(before && after && before->ipv4 && after->ipv4);
    m_diff = std::make_shared<const model::diff::RuleDiff>(model::diff::diffRulesets(before->ipv4, after->ipv4));
    QVERIFY(!m_diff->empty());
}

void TestRulesDiffModel::alignsBothSidesLineByLine()
{
    RulesDiffModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setDiff(m_diff);
    QVERIFY(m.rowCount() > 20);
    QCOMPARE(m.columnCount(), 2);
    int added = 0, removed = 0;
    for (int row = 0; row < m.rowCount(); ++row) {
        const QString left = m.text(row, RulesDiffModel::LeftColumn);
        const QString right = m.text(row, RulesDiffModel::RightColumn);
        switch (m.lineDiff(row)) {
        case LineDiff::Same:
            if (kindAt(m, row) == LineKind::Rule)
                QCOMPARE(left, right);
            break;
        case LineDiff::Added:
            QVERIFY2(left.isEmpty() && !right.isEmpty(), qPrintable(right));
            added += kindAt(m, row) == LineKind::Rule;
            break;
        case LineDiff::Removed:
            QVERIFY2(!left.isEmpty() && right.isEmpty(), qPrintable(left));
            removed += kindAt(m, row) == LineKind::Rule;
            break;
        case LineDiff::Changed:
            QVERIFY(!left.isEmpty() && !right.isEmpty() && left != right);
            break;
        case LineDiff::Moved:
            QVERIFY(left.isEmpty() != right.isEmpty());
            break;
        }
    }
    QCOMPARE(added, m_diff->counts.added);
    QCOMPARE(removed, m_diff->counts.removed);
    // Both sides read like iptables-save: the first line is a table.
    QVERIFY(m.text(0, 0).startsWith(QLatin1Char('*')));
    QCOMPARE(m.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Before"));
}

void TestRulesDiffModel::movedRulesLinkToWhereTheyWent()
{
    RulesDiffModel m;
    m.setDiff(m_diff);
    int moved = 0;
    for (int row = 0; row < m.rowCount(); ++row) {
        if (m.lineDiff(row) != LineDiff::Moved)
            continue;
        const int side = m.text(row, 0).isEmpty() ? 1 : 0;
        const int partner = m.index(row, side).data(RulesDiffModel::PartnerRowRole).toInt();
        QVERIFY(partner >= 0 && partner != row);
        // The partner row holds the same rule on the other side (the chain may differ, so compare after it).
        const QString here = m.text(row, side).section(QLatin1Char(' '), 2);
        const QString there = m.text(partner, 1 - side).section(QLatin1Char(' '), 2);
        QCOMPARE(there, here);
        QCOMPARE(m.lineDiff(partner), LineDiff::Moved);
        ++moved;
    }
    QVERIFY(moved >= 2);
    QCOMPARE(moved, 2 * m_diff->counts.moved);
}

void TestRulesDiffModel::changesAreRunsOfDifferingRows()
{
    RulesDiffModel m;
    m.setDiff(m_diff);
    const std::vector<int>& starts = m.changeStarts();
    QVERIFY(starts.size() >= 3);
    for (std::size_t i = 0; i < starts.size(); ++i) {
        const int row = starts[i];
        QVERIFY(m.lineDiff(row) != LineDiff::Same);
        QVERIFY(row == 0 || m.lineDiff(row - 1) == LineDiff::Same);
        QCOMPARE(m.changeAt(row), int(i));
        QCOMPARE(m.index(row, 1).data(RulesDiffModel::ChangeRole).toInt(), int(i));
    }
    QCOMPARE(m.changeAt(0), m.lineDiff(0) == LineDiff::Same ? -1 : 0);
}

void TestRulesDiffModel::hidingUnchangedChainsKeepsEveryChange()
{
    RulesDiffModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setDiff(m_diff);
    const auto differing = [&m] {
        int n = 0;
        for (int row = 0; row < m.rowCount(); ++row)
            n += m.lineDiff(row) != LineDiff::Same;
        return n;
    };
    const int all = m.rowCount();
    const int changed = differing();
    m.setHideUnchangedChains(true);
    QVERIFY(m.rowCount() < all);
    QCOMPARE(differing(), changed);
    // Every chain left has something that differs.
    for (int row = 0; row < m.rowCount(); ++row) {
        if (kindAt(m, row) != LineKind::Chain)
            continue;
        bool differs = m.lineDiff(row) != LineDiff::Same;
        for (int next = row + 1; next < m.rowCount() && kindAt(m, next) == LineKind::Rule; ++next)
            differs = differs || m.lineDiff(next) != LineDiff::Same;
        QVERIFY2(differs, qPrintable(m.text(row, 1)));
    }
    m.setHideUnchangedChains(false);
    QCOMPARE(m.rowCount(), all);
}

void TestRulesDiffModel::provenanceFilterKeepsOnlyThoseAuthors()
{
    RulesDiffModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setDiff(m_diff);
    const int all = m.rowCount();
    m.setProvenanceFilter({ model::Provenance::Tailscale });
    QVERIFY(m.rowCount() > 0 && m.rowCount() < all);
    int rules = 0;
    for (int row = 0; row < m.rowCount(); ++row) {
        if (kindAt(m, row) != LineKind::Rule)
            continue;
        ++rules;
        QCOMPARE(model::Provenance(m.index(row, 0).data(RulesDiffModel::ProvenanceRole).toInt()),
            model::Provenance::Tailscale);
    }
    QVERIFY(rules > 0);
    m.setProvenanceFilter({});
    QCOMPARE(m.rowCount(), all);
}

void TestRulesDiffModel::countersCanBeLeftOut()
{
    RulesDiffModel m;
    m.setDiff(m_diff);
    const auto anyCounters = [&m] {
        for (int row = 0; row < m.rowCount(); ++row) {
            for (int column = 0; column < 2; ++column) {
                const QString text = m.text(row, column);
                if (text.startsWith(QLatin1Char('[')) || text.endsWith(QLatin1Char(']')))
                    return true;
            }
        }
        return false;
    };
    QVERIFY(anyCounters()); // chain lines carry "[packets:bytes]"
    m.setShowCounters(false);
    QVERIFY(!anyCounters());
}

// A worker's stop is heard while the rows are built: asked at least once, a yes gives no rows at all.
void TestRulesDiffModel::aStoppedBuildGivesNoRows()
{
    int asked = 0;
    const auto never = [&asked] { ++asked; return false; };
    const model::RulesDiffRowsPtr rows = model::buildRulesDiffRows(m_diff, {}, never);
    QVERIFY(rows && !rows->lines.empty());
    QVERIFY(asked > 0);
    QVERIFY(!model::buildRulesDiffRows(m_diff, {}, [] { return true; }));
    int answers = 0; // a yes on a later ask stops it too
    QVERIFY(!model::buildRulesDiffRows(m_diff, {}, [&answers] { return ++answers > 1; }));
}

// Rows made by buildRulesDiffRows() (as a worker thread does) show exactly what the model builds itself.
void TestRulesDiffModel::rowsBuiltElsewhereShowTheSame()
{
    RulesDiffModel own;
    own.setDiff(m_diff);
    own.setHideUnchangedChains(true);
    own.setShowCounters(false);
    RulesDiffModel handed;
    QAbstractItemModelTester tester(&handed, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model::RulesDiffOptions options;
    options.hideUnchanged = true;
    options.showCounters = false;
    handed.setRows(model::buildRulesDiffRows(m_diff, options));
    QVERIFY(handed.hideUnchangedChains());
    QVERIFY(!handed.showCounters());
    QCOMPARE(handed.rowCount(), own.rowCount());
    QVERIFY(handed.changeStarts() == own.changeStarts());
    for (int row = 0; row < own.rowCount(); ++row) {
        for (int column = 0; column < 2; ++column) {
            QCOMPARE(handed.text(row, column), own.text(row, column));
            QCOMPARE(handed.partnerRow(row, column), own.partnerRow(row, column));
        }
        QCOMPARE(handed.lineDiff(row), own.lineDiff(row));
    }
    QCOMPARE(handed.rows()->sideText(1).count(QLatin1Char('\n')), handed.rowCount() - 1);
    QCOMPARE(handed.rows()->sideText(0).section(QLatin1Char('\n'), 3, 3), handed.text(3, 0));
}

void TestRulesDiffModel::rowOfRuleFindsEveryShownRule()
{
    RulesDiffModel m;
    m.setDiff(m_diff);
    int rules = 0;
    for (const auto& chain : m_diff->chains) {
        for (const auto& row : chain.rows) {
            if (!row.right)
                continue;
            const int shown = m.rowOfRule(RulesDiffModel::RightColumn, chain.table, chain.name, row.rightIndex);
            QVERIFY(shown >= 0);
            QCOMPARE(m.text(shown, RulesDiffModel::RightColumn), QString::fromStdString(row.right->text));
            ++rules;
        }
    }
    QVERIFY(rules > 20);
    QCOMPARE(m.rowOfRule(RulesDiffModel::RightColumn, "filter", "NO-SUCH-CHAIN", 0), -1);
    QCOMPARE(m.rowOfRule(2, "filter", "INPUT", 0), -1);
}

QTEST_GUILESS_MAIN(TestRulesDiffModel)
#include "tst_rulesdiffmodel.moc"
