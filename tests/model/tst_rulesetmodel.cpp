#include "model/parse/iptables.h"
#include "model/rulesetmodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QTest>

using model::RulesetModel;

namespace {

model::RulesetPtr parseFixture(const QString& name, QStringList* lines = nullptr)
{
    QFile file(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    const QByteArray text = file.readAll();
    if (lines)
        *lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
    auto parsed
        = model::parse::parseIptablesSave(std::string_view(text.constData(), size_t(text.size())), model::Family::IPv4);
    if (!parsed)
        return nullptr;
    return std::make_shared<const model::Ruleset>(std::move(parsed).value());
}

model::RulesetPtr parseText(const char* text)
{
    auto parsed = model::parse::parseIptablesSave(text, model::Family::IPv4);
    return parsed ? std::make_shared<const model::Ruleset>(std::move(parsed).value()) : nullptr;
}

QString text(const QModelIndex& index, int column = RulesetModel::RuleColumn)
{
    return index.siblingAtColumn(column).data().toString();
}

} // namespace

class TestRulesetModel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void passesTheModelTesterThroughResets();
    void treeFollowsTablesChainsAndRules();
    void everyRulePointsAtItsSourceLine();
    void dockerChainsAreMarked();
    void countersAreShownOnlyWhenCaptured();
    void emptyModelHasNoRows();
};

void TestRulesetModel::passesTheModelTesterThroughResets()
{
    RulesetModel rules;
    QAbstractItemModelTester tester(&rules, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto before = parseFixture(QStringLiteral("docker-27.5.1-b-usernet-portmap.rules"));
    const auto after = parseFixture(QStringLiteral("docker-28.x-d-oracle-cloud.rules"));
    QVERIFY(before && after);
    rules.setRuleset(before);
    rules.setRuleset(after);
    rules.setRuleset(nullptr);
    rules.setRuleset(after);
}

void TestRulesetModel::treeFollowsTablesChainsAndRules()
{
    const auto ruleset = parseFixture(QStringLiteral("docker-28.x-b-usernet-portmap.rules"));
    QVERIFY(ruleset);
    RulesetModel rules;
    rules.setRuleset(ruleset);
    QCOMPARE(rules.rowCount(), int(ruleset->tables.size()));
    QCOMPARE(rules.columnCount(), int(RulesetModel::ColumnCount));

    int tableRow = -1;
    for (int row = 0; row < rules.rowCount(); ++row) {
        if (text(rules.index(row, 0)) == QLatin1String("*filter"))
            tableRow = row;
    }
    QVERIFY(tableRow >= 0);
    const QModelIndex filter = rules.index(tableRow, 0);
    const model::Table& table = *ruleset->table("filter");
    QCOMPARE(rules.rowCount(filter), int(table.chains.size()));

    const int forwardRow = table.chainIndex("FORWARD");
    const QModelIndex forward = rules.index(forwardRow, 0, filter);
    QVERIFY2(text(forward).startsWith(QLatin1String("FORWARD  (policy ")), qPrintable(text(forward)));
    QCOMPARE(rules.rowCount(forward), int(table.chains[size_t(forwardRow)].rules.size()));
    QCOMPARE(forward.parent(), filter);

    const QModelIndex first = rules.index(0, 0, forward);
    QVERIFY(text(first).startsWith(QLatin1String("-A FORWARD ")));
    QCOMPARE(first.parent(), forward);
    QCOMPARE(first.data(RulesetModel::KindRole).toInt(), int(RulesetModel::Kind::Rule));
    QCOMPARE(first.data(RulesetModel::ChainNameRole).toString(), QStringLiteral("FORWARD"));
    QCOMPARE(first.data(RulesetModel::TableNameRole).toString(), QStringLiteral("filter"));
    QVERIFY(rules.flags(first) & Qt::ItemNeverHasChildren);
    QCOMPARE(rules.rowCount(first), 0);
}

void TestRulesetModel::everyRulePointsAtItsSourceLine()
{
    QStringList lines;
    const auto ruleset = parseFixture(QStringLiteral("docker-28.x-c-tailscale.rules"), &lines);
    QVERIFY(ruleset);
    RulesetModel rules;
    rules.setRuleset(ruleset);
    int checked = 0;
    for (int t = 0; t < rules.rowCount(); ++t) {
        const QModelIndex table = rules.index(t, 0);
        for (int c = 0; c < rules.rowCount(table); ++c) {
            const QModelIndex chain = rules.index(c, 0, table);
            for (int r = 0; r < rules.rowCount(chain); ++r) {
                const QModelIndex rule = rules.index(r, 0, chain);
                const int line = rule.data(RulesetModel::LineRole).toInt();
                QVERIFY(line > 0 && line <= lines.size());
                // Counters-free dumps print back exactly as they were read.
                QCOMPARE(text(rule), lines[line - 1]);
                QCOMPARE(rules.indexForLine(line), rule);
                ++checked;
            }
        }
    }
    QCOMPARE(checked, int(ruleset->ruleCount()));
    QVERIFY(checked > 30);
    QVERIFY(!rules.indexForLine(1).isValid()); // the fixture's banner comment
}

void TestRulesetModel::dockerChainsAreMarked()
{
    const auto ruleset = parseFixture(QStringLiteral("docker-28.x-b-usernet-portmap.rules"));
    QVERIFY(ruleset);
    RulesetModel rules;
    rules.setRuleset(ruleset);
    const QModelIndex dockerChain = rules.indexForLine(ruleset->table("filter")->chain("DOCKER")->line);
    QVERIFY(dockerChain.isValid());
    QCOMPARE(dockerChain.data(RulesetModel::ProvenanceRole).toInt(), int(model::Provenance::Docker));
    QCOMPARE(text(dockerChain, RulesetModel::ProvenanceColumn), QStringLiteral("Docker"));
    QVERIFY(!dockerChain.siblingAtColumn(RulesetModel::ProvenanceColumn).data(Qt::ToolTipRole).isNull()
        || !dockerChain.data(Qt::ToolTipRole).toString().isEmpty());
    // A built-in chain is the kernel's, not "Other", even when Docker hooks into it.
    const QModelIndex forward = rules.indexForLine(ruleset->table("filter")->chain("FORWARD")->line);
    QVERIFY(forward.isValid());
    QCOMPARE(text(forward, RulesetModel::ProvenanceColumn), QStringLiteral("built-in"));
}

void TestRulesetModel::countersAreShownOnlyWhenCaptured()
{
    RulesetModel rules;
    rules.setRuleset(parseText("*filter\n:INPUT ACCEPT [10:2000]\n[5:300] -A INPUT -i lo -j ACCEPT\nCOMMIT\n"));
    const QModelIndex input = rules.index(0, 0, rules.index(0, 0));
    QCOMPARE(text(input, RulesetModel::PacketsColumn), QStringLiteral("10"));
    QCOMPARE(text(input, RulesetModel::BytesColumn), QStringLiteral("2000"));
    const QModelIndex rule = rules.index(0, 0, input);
    QCOMPARE(text(rule, RulesetModel::PacketsColumn), QStringLiteral("5"));
    QCOMPARE(rule.siblingAtColumn(RulesetModel::BytesColumn).data(Qt::EditRole).toULongLong(), 300u);
    QCOMPARE(text(rule), QStringLiteral("-A INPUT -i lo -j ACCEPT"));

    // A user chain's saved "[0:0]" counts nothing: it has no policy.
    rules.setRuleset(parseText("*filter\n:INPUT ACCEPT [10:2000]\n:CUSTOM - [0:0]\n[5:300] -A CUSTOM -j RETURN\nCOMMIT\n"));
    const QModelIndex custom = rules.index(1, 0, rules.index(0, 0));
    QCOMPARE(text(custom).section(QLatin1Char(' '), 0, 0), QStringLiteral("CUSTOM"));
    QCOMPARE(text(custom, RulesetModel::PacketsColumn), QString());
    QVERIFY(custom.siblingAtColumn(RulesetModel::BytesColumn).data(Qt::EditRole).isNull());
    QCOMPARE(text(rules.index(0, 0, custom), RulesetModel::PacketsColumn), QStringLiteral("5"));

    rules.setRuleset(parseText("*filter\n:INPUT ACCEPT\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n"));
    const QModelIndex bare = rules.index(0, 0, rules.index(0, 0, rules.index(0, 0)));
    QVERIFY(bare.isValid());
    QCOMPARE(text(bare, RulesetModel::PacketsColumn), QString());
}

void TestRulesetModel::emptyModelHasNoRows()
{
    RulesetModel rules;
    QCOMPARE(rules.rowCount(), 0);
    QVERIFY(!rules.index(0, 0).isValid());
    QVERIFY(!rules.indexForLine(3).isValid());
}

QTEST_GUILESS_MAIN(TestRulesetModel)
#include "tst_rulesetmodel.moc"
