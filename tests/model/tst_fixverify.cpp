// Fixes proven in the model: the EXPECTED.md remediations for fixtures c, d and scenario b applied to the
// "after" snapshots make their target flows pass and open nothing that was closed before the upgrade; a
// plan that opens too much is caught.
#include "../common/fixtureplans.h"

#include "model/fix/applyplans.h"
#include "model/fix/verify.h"
#include "model/parse/iptables.h"

#include <QTest>

using namespace model;
using namespace model::fix;

namespace {

const Chain* chain(const Snapshot& s, const char* table, const char* name)
{
    const Table* t = s.ipv4 ? s.ipv4->table(table) : nullptr;
    return t ? t->chain(name) : nullptr;
}

} // namespace

class TestFixVerify final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void applyPlansAddsTaggedRulesOnce()
    {
        const auto c = fixtureplans::tailscaleCase();
        const auto after = fixtureplans::fixtureSnapshot(c.after);
        QVERIFY(after && after->ipv4);
        const auto fixed = applyPlans(*after, { c.plan });
        QVERIFY2(fixed.ok(), fixed.ok() ? "" : fixed.error().toString().c_str());
        const Chain* raw = chain(*fixed, "raw", "PREROUTING");
        QVERIFY(raw && !raw->rules.empty());
        QCOMPARE(parse::ruleText(raw->rules.front(), "PREROUTING"),
            std::string("-A PREROUTING -d 172.18.0.0/16 -i tailscale0 -m comment --comment "
                        "\"chainsight:direct-routing-raw-drop\" -j ACCEPT"));
        const Chain* user = chain(*fixed, "filter", "DOCKER-USER");
        QVERIFY(user && !user->rules.empty());
        QVERIFY(user->rules.front().text.find("-i tailscale0 -o br-897b3066eb8a") != std::string::npos);
        QCOMPARE(fixed->ipv4->ruleCount(), after->ipv4->ruleCount() + 2);
        // The snapshot's own iptables-save source says the same.
        QVERIFY(fixed->source(SourceKind::IptablesV4)->text.find("chainsight:direct-routing-raw-drop")
            != std::string::npos);

        // Like the script's -C check: applying to the fixed snapshot changes nothing.
        const auto twice = applyPlans(*fixed, { c.plan });
        QVERIFY(twice.ok());
        QCOMPARE(parse::printIptablesSave(*twice->ipv4), parse::printIptablesSave(*fixed->ipv4));

        const auto commands = planCommands({ c.plan });
        QCOMPARE(commands.size(), std::size_t(2));
        QCOMPARE(commands[0],
            std::string("iptables -t raw -I PREROUTING 1 -i tailscale0 -d 172.18.0.0/16 -m comment --comment "
                        "chainsight:direct-routing-raw-drop -j ACCEPT"));
    }

    void applyPlansNamesWhatItCannotApply()
    {
        auto c = fixtureplans::lanCase();
        c.plan.option.rules.push_back(fixtureplans::insertRule("filter", "NO-SUCH-CHAIN", { "-j", "ACCEPT" }));
        const auto after = fixtureplans::fixtureSnapshot(c.after);
        QVERIFY(after);
        const auto fixed = applyPlans(*after, { c.plan });
        QVERIFY(!fixed.ok());
        QCOMPARE(fixed.error().where, std::string("direct-routing-raw-drop"));
        QVERIFY2(fixed.error().message.find("NO-SUCH-CHAIN") != std::string::npos, fixed.error().message.c_str());
        const FixVerification v = verifyPlans(*fixtureplans::fixtureSnapshot(c.before), *after, { c.plan });
        QVERIFY(!v.ok());
        QVERIFY(!v.error.empty());
    }

    void remediationsAreProven_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("c tailscale 28.x") << 0;
        QTest::newRow("d oracle 28.0.0") << 1;
        QTest::newRow("b lan direct routing 28.x") << 2;
    }
    void remediationsAreProven()
    {
        QFETCH(int, which);
        const auto c = fixtureplans::allCases().at(static_cast<std::size_t>(which));
        const auto before = fixtureplans::fixtureSnapshot(c.before);
        const auto after = fixtureplans::fixtureSnapshot(c.after);
        QVERIFY(before && after);
        const FixVerification v = verifyPlans(*before, *after, { c.plan });
        qInfo("%s", v.summary.c_str());
        QVERIFY2(v.error.empty(), v.error.c_str());
        QCOMPARE(v.targets.size(), c.flowIds.size());
        int byTaggedRule = 0;
        for (const TargetCheck& t : v.targets) {
            // Broken by the upgrade, mended by the fix.
            QVERIFY2(t.after.fate != engine::Fate::Accept, t.label.c_str());
            QVERIFY2(t.met(), t.label.c_str());
            byTaggedRule += t.fixed.deciding.find("filter/DOCKER-USER: ") == 0
                && t.fixed.deciding.find("chainsight:" + c.plan.findingId) != std::string::npos;
        }
        // EXT-PUB's SYN is accepted by Docker's own rule; only its reply needs the fix.
        QCOMPARE(byTaggedRule, which == 1 ? 1 : 2);
        QVERIFY(v.probesCompared > 300);
        QCOMPARE(v.securityProblems, 0);
        QVERIFY(v.ok());
        QVERIFY(v.summary.find("Result: the fix does what it should") != std::string::npos);
    }

    void planThatOpensTooMuchIsFlagged()
    {
        auto c = fixtureplans::oracleCase();
        c.plan.findingId = "too-broad";
        c.plan.option.rules = { fixtureplans::insertRule("filter", "FORWARD", { "-j", "ACCEPT" }) };
        c.plan.targets.resize(1); // CTR-OUT: the fix does restore it
        const FixVerification v = verifyPlans(
            *fixtureplans::fixtureSnapshot(c.before), *fixtureplans::fixtureSnapshot(c.after), { c.plan });
        QVERIFY(v.targets.front().met());
        QVERIFY(v.securityProblems > 0);
        QVERIFY(!v.ok());
        QVERIFY(
            v.summary.find("SECURITY: the fix opens flows that were closed before the upgrade") != std::string::npos);
        // A VCN peer now reaches the container's unpublished port 22, which 27.5.1 rejected.
        const bool lan22 = std::any_of(v.sideEffects.begin(), v.sideEffects.end(), [](const SideEffect& s) {
            return s.securityProblem()
                && s.change.label.find(" -> 172.18.0.2:22 [SYN] in eth0 NEW") != std::string::npos;
        });
        QVERIFY2(lan22, v.summary.c_str());
        qInfo("negative: %d security problems of %d side effects over %d probes", v.securityProblems,
            int(v.sideEffects.size()), v.probesCompared);
    }

    void directRoutingForTheWholeInternetIsFlagged()
    {
        // The LAN remediation without its source restriction: every Internet host can reach port 22 of web.
        auto c = fixtureplans::lanCase();
        for (RuleChange& r : c.plan.option.rules)
            r.spec.erase(
                std::find(r.spec.begin(), r.spec.end(), "-s"), std::find(r.spec.begin(), r.spec.end(), "-s") + 2);
        const FixVerification v = verifyPlans(
            *fixtureplans::fixtureSnapshot(c.before), *fixtureplans::fixtureSnapshot(c.after), { c.plan });
        QCOMPARE(v.targetsMet, 2);
        QVERIFY(!v.ok());
        const bool internet22 = std::any_of(v.sideEffects.begin(), v.sideEffects.end(), [](const SideEffect& s) {
            return s.securityProblem()
                && s.change.label.rfind("tcp 198.51.100.7:40000 -> 172.18.0.2:22 [SYN] in eth0", 0) == 0;
        });
        QVERIFY2(internet22, v.summary.c_str());
        // A LAN neighbour of the target's peer is only "also opened".
        const bool neighbour = std::any_of(v.sideEffects.begin(), v.sideEffects.end(), [](const SideEffect& s) {
            return s.opened && s.withinTargetScope
                && s.change.label.rfind("tcp 10.0.0.1:40000 -> 172.18.0.2:22 [SYN] in eth0", 0) == 0;
        });
        QVERIFY2(neighbour, v.summary.c_str());
    }

    void customFlowDiffIsUsed()
    {
        const auto c = fixtureplans::oracleCase();
        int calls = 0;
        const FlowDiffFunction none = [&calls](const Snapshot&, const Snapshot&) {
            ++calls;
            return FlowDiff { 7, {} };
        };
        const FixVerification v = verifyPlans(
            *fixtureplans::fixtureSnapshot(c.before), *fixtureplans::fixtureSnapshot(c.after), { c.plan }, none);
        QCOMPARE(calls, 2);
        QCOMPARE(v.probesCompared, 7);
        QVERIFY(v.ok());
    }
};

QTEST_GUILESS_MAIN(TestFixVerify)
#include "tst_fixverify.moc"
