#include "model/parse/iptables.h"
#include "model/reachability.h"
#include "model/rulesetmodel.h"

#include <QFile>
#include <QTest>

using model::findUnreachableRules;

namespace {

model::Ruleset parse(const char* text)
{
    auto parsed = model::parse::parseIptablesSave(text, model::Family::IPv4);
    if (!parsed)
        qFatal("test input does not parse: %s", parsed.error().toString().c_str());
    return std::move(parsed).value();
}

// The reason for the rule on a 1-based source line ("" when reachable).
std::string reasonAtLine(const model::Ruleset& ruleset, const model::Reachability& reach, int line)
{
    for (std::size_t t = 0; t < ruleset.tables.size(); ++t)
        for (std::size_t c = 0; c < ruleset.tables[t].chains.size(); ++c)
            for (std::size_t r = 0; r < ruleset.tables[t].chains[c].rules.size(); ++r)
                if (ruleset.tables[t].chains[c].rules[r].line == line)
                    return reach.reason(t, c, r);
    return "<no rule on that line>";
}

} // namespace

class TestReachability final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rulesAfterAnUnconditionalVerdictAreUnreachable();
    void conditionsKeepLaterRulesReachable();
    void chainsNobodyJumpsToAreUnreachable();
    void dockerFixturesHaveNoUnreachableRules();
    void modelExposesTheReason();
};

void TestReachability::rulesAfterAnUnconditionalVerdictAreUnreachable()
{
    const auto ruleset = parse("*filter\n"
                               ":INPUT ACCEPT [0:0]\n"
                               "-A INPUT -i lo -j ACCEPT\n"
                               "-A INPUT -m comment --comment \"default deny\" -j DROP\n"
                               "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
                               "-A INPUT -j ACCEPT\n"
                               "COMMIT\n");
    const auto reach = findUnreachableRules(ruleset);
    QCOMPARE(reach.unreachableCount, std::size_t(2));
    QCOMPARE(reasonAtLine(ruleset, reach, 3), std::string());
    QCOMPARE(reasonAtLine(ruleset, reach, 4), std::string());
    QCOMPARE(reasonAtLine(ruleset, reach, 5), std::string("after the unconditional \"-j DROP\" on line 4"));
    QCOMPARE(reasonAtLine(ruleset, reach, 6), std::string("after the unconditional \"-j DROP\" on line 4"));
}

void TestReachability::conditionsKeepLaterRulesReachable()
{
    const auto ruleset = parse("*filter\n"
                               ":FORWARD DROP [0:0]\n"
                               ":DOCKER-USER - [0:0]\n"
                               "-A FORWARD -j DOCKER-USER\n" // a jump returns: not a verdict
                               "-A FORWARD ! -i br0 -j DROP\n"
                               "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
                               "-A FORWARD -j LOG\n" // a non-terminating target
                               "-A FORWARD -o br0 -j ACCEPT\n"
                               "-A DOCKER-USER -j RETURN\n"
                               "COMMIT\n");
    QCOMPARE(findUnreachableRules(ruleset).unreachableCount, std::size_t(0));
}

void TestReachability::chainsNobodyJumpsToAreUnreachable()
{
    const auto ruleset = parse("*filter\n"
                               ":INPUT ACCEPT [0:0]\n"
                               ":ORPHAN - [0:0]\n"
                               ":BEHIND - [0:0]\n"
                               ":USED - [0:0]\n"
                               "-A INPUT -p tcp -j USED\n"
                               "-A INPUT -j DROP\n"
                               "-A INPUT -j BEHIND\n" // after an unconditional DROP: BEHIND is dead too
                               "-A ORPHAN -j ACCEPT\n"
                               "-A BEHIND -j ACCEPT\n"
                               "-A USED -j ACCEPT\n"
                               "COMMIT\n");
    const auto reach = findUnreachableRules(ruleset);
    QCOMPARE(reasonAtLine(ruleset, reach, 9), std::string("chain ORPHAN is never jumped to from a reachable rule"));
    QCOMPARE(reasonAtLine(ruleset, reach, 10), std::string("chain BEHIND is never jumped to from a reachable rule"));
    QCOMPARE(reasonAtLine(ruleset, reach, 11), std::string());
    QCOMPARE(reach.unreachableCount, std::size_t(3)); // ORPHAN's and BEHIND's rules, and the jump to BEHIND
}

void TestReachability::dockerFixturesHaveNoUnreachableRules()
{
    for (const char* name : { "docker-27.5.1-b-usernet-portmap.rules", "docker-28.x-c-tailscale.rules" }) {
        QFile file(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromUtf8(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        auto parsed = model::parse::parseIptablesSave(
            std::string_view(text.constData(), size_t(text.size())), model::Family::IPv4);
        QVERIFY(parsed);
        QCOMPARE(findUnreachableRules(parsed.value()).unreachableCount, std::size_t(0));
    }
}

void TestReachability::modelExposesTheReason()
{
    model::RulesetModel rules;
    rules.setRuleset(std::make_shared<const model::Ruleset>(
        parse("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n")));
    QCOMPARE(rules.unreachableCount(), std::size_t(1));
    const QModelIndex input = rules.index(0, 0, rules.index(0, 0));
    QVERIFY(rules.index(0, 0, input).data(model::RulesetModel::UnreachableRole).toString().isEmpty());
    const QModelIndex shadowed = rules.index(1, 0, input);
    QCOMPARE(shadowed.data(model::RulesetModel::UnreachableRole).toString(),
        QStringLiteral("after the unconditional \"-j DROP\" on line 3"));
    QVERIFY(shadowed.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Unreachable: ")));
}

QTEST_GUILESS_MAIN(TestReachability)
#include "tst_reachability.moc"
