#include "model/diff/rulediff.h"
#include "model/parse/iptables.h"

#include <QFile>
#include <QTest>

using namespace model;
using model::diff::RowKind;

namespace {

RulesetPtr rulesetOf(const std::string& text, Family family = Family::IPv4)
{
    auto parsed = parse::parseIptablesSave(text, family);
    if (!parsed)
        qFatal("parse failed: %s", parsed.error().message.c_str());
    return std::make_shared<const Ruleset>(std::move(*parsed));
}

RulesetPtr fixture(const QString& name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return rulesetOf(
        f.readAll().toStdString(), name.endsWith(QLatin1String(".ip6.rules")) ? Family::IPv6 : Family::IPv4);
}

// "-A FORWARD -i x -j ACCEPT" -> "-i x -j ACCEPT": rule text without the chain, for comparing with EXPECTED.md.
std::string body(const Rule* r)
{
    if (!r)
        return {};
    const auto& t = r->text;
    const auto first = t.find(' ');
    const auto second = t.find(' ', first + 1);
    return t.rfind("-A ", 0) == 0 && second != std::string::npos ? t.substr(second + 1) : t;
}

// The rows of one chain whose kind is `kind`, as rule bodies from the side that has them.
std::vector<std::string> rowsOf(const diff::RuleDiff& d, const char* table, const char* chain, RowKind kind)
{
    std::vector<std::string> out;
    const auto* c = d.chain(table, chain);
    if (!c)
        return out;
    for (const auto& row : c->rows)
        if (row.kind == kind)
            out.push_back(body(row.left ? row.left : row.right));
    return out;
}

const diff::RuleRow* findRow(const diff::RuleDiff& d, const char* table, const char* chain, const std::string& text)
{
    const auto* c = d.chain(table, chain);
    if (!c)
        return nullptr;
    for (const auto& row : c->rows)
        if (body(row.left) == text || body(row.right) == text)
            return &row;
    return nullptr;
}

bool contains(const std::vector<std::string>& v, const std::string& s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

const char* kHeader = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";

} // namespace

class TestRuleDiff final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fixturePairs_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        for (const char* scenario : { "a-default-bridge", "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" })
            for (const char* version : { "28.x", "28.0.0" })
                for (const char* ext : { ".rules", ".ip6.rules" }) {
                    const QString s = QLatin1String(scenario);
                    const QString b = QLatin1String("docker-27.5.1-") + s + QLatin1String(ext);
                    const QString a
                        = QLatin1String("docker-") + QLatin1String(version) + QLatin1Char('-') + s + QLatin1String(ext);
                    QTest::newRow(qPrintable(a)) << b << a;
                }
    }
    // On every pair: each rule of either side shows exactly once on its side; Same rows join identical rules;
    // a moved rule's counterpart names the row on the other side that points back.
    void fixturePairs()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        const auto l = fixture(before);
        const auto r = fixture(after);
        const auto d = diff::diffRulesets(l, r);
        QVERIFY(!d.empty());
        std::size_t leftRules = 0, rightRules = 0;
        for (const auto& c : d.chains)
            for (const auto& row : c.rows) {
                leftRules += row.left ? 1 : 0;
                rightRules += row.right ? 1 : 0;
                if (row.kind == RowKind::Same)
                    QCOMPARE(diff::ruleKey(*row.left), diff::ruleKey(*row.right));
                if (row.kind == RowKind::Changed)
                    QVERIFY(diff::ruleKey(*row.left) != diff::ruleKey(*row.right));
                if (row.kind == RowKind::Moved) {
                    const auto* other = d.chain(row.counterpart.table, row.counterpart.chain);
                    QVERIFY(other);
                    auto it = std::find_if(other->rows.begin(), other->rows.end(), [&](const diff::RuleRow& o) {
                        return o.kind == RowKind::Moved
                            && (row.left ? o.rightIndex : o.leftIndex) == row.counterpart.index;
                    });
                    QVERIFY(it != other->rows.end());
                    QCOMPARE(diff::ruleKey(*(row.left ? row.left : row.right)),
                        diff::ruleKey(*(it->left ? it->left : it->right)));
                    QCOMPARE(it->counterpart.chain, c.name);
                }
            }
        QCOMPARE(leftRules, l->ruleCount());
        QCOMPARE(rightRules, r->ruleCount());
        // Against itself a ruleset has no differences.
        QVERIFY(diff::diffRulesets(l, l).empty());
        QVERIFY(diff::diffRulesets(r, r).empty());
    }

    // EXPECTED.md pair (a): the structural differences a diff tool should report.
    void pairA()
    {
        const auto d = diff::diffRulesets(fixture(QStringLiteral("docker-27.5.1-a-default-bridge.rules")),
            fixture(QStringLiteral("docker-28.x-a-default-bridge.rules")));
        // FORWARD keeps its two jumps in 28.x; the four docker0 rules leave it.
        const auto* fwd = d.chain("filter", "FORWARD");
        QVERIFY(fwd);
        QCOMPARE(rowsOf(d, "filter", "FORWARD", RowKind::Same), std::vector<std::string> { "-j DOCKER-USER" });
        QCOMPARE(rowsOf(d, "filter", "FORWARD", RowKind::Added), std::vector<std::string> { "-j DOCKER-FORWARD" });
        const auto* ct
            = findRow(d, "filter", "FORWARD", "-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        QVERIFY(ct);
        QCOMPARE(ct->kind, RowKind::Moved);
        QCOMPARE(ct->counterpart.chain, std::string("DOCKER-CT"));
        const auto* toDocker = findRow(d, "filter", "FORWARD", "-o docker0 -j DOCKER");
        QVERIFY(toDocker && toDocker->kind == RowKind::Moved);
        QCOMPARE(toDocker->counterpart.chain, std::string("DOCKER-BRIDGE"));
        const auto* iso = findRow(d, "filter", "FORWARD", "-j DOCKER-ISOLATION-STAGE-1");
        QVERIFY(iso && iso->kind == RowKind::Moved);
        QCOMPARE(iso->counterpart.chain, std::string("DOCKER-FORWARD"));
        const auto removed = rowsOf(d, "filter", "FORWARD", RowKind::Removed);
        QVERIFY(contains(removed, "-i docker0 ! -o docker0 -j ACCEPT"));
        QVERIFY(contains(removed, "-i docker0 -o docker0 -j ACCEPT"));
        // New DROP in DOCKER; DOCKER-USER's RETURN and the isolation chains' RETURNs are gone.
        QCOMPARE(rowsOf(d, "filter", "DOCKER", RowKind::Added),
            std::vector<std::string> { "! -i docker0 -o docker0 -j DROP" });
        QCOMPARE(rowsOf(d, "filter", "DOCKER-USER", RowKind::Removed), std::vector<std::string> { "-j RETURN" });
        QCOMPARE(rowsOf(d, "filter", "DOCKER-ISOLATION-STAGE-1", RowKind::Removed),
            std::vector<std::string> { "-j RETURN" });
        QCOMPARE(rowsOf(d, "filter", "DOCKER-ISOLATION-STAGE-2", RowKind::Removed),
            std::vector<std::string> { "-j RETURN" });
        for (const char* c : { "DOCKER-BRIDGE", "DOCKER-CT", "DOCKER-FORWARD" }) {
            QVERIFY(d.chain("filter", c));
            QCOMPARE(d.chain("filter", c)->status, diff::ChainStatus::Added);
        }
        QCOMPARE(d.counts.chainsAdded, 3);
        QCOMPARE(d.counts.chainsRemoved, 0);
        QCOMPARE(d.counts.policyChanges, 0);
        // nat PREROUTING/OUTPUT jumps exist in both: nat is unchanged in IPv4.
        for (const auto& c : d.chains)
            if (c.table == "nat")
                QVERIFY2(!c.hasChanges(), c.name.c_str());
        // Everything that changed is Docker's.
        QCOMPARE(d.byProvenance.size(), std::size_t(1));
        QVERIFY(d.byProvenance.count(Provenance::Docker));
    }

    // IPv6 (a): ip6tables FORWARD policy DROP in 27.5.1, ACCEPT in 28.x; nat gains the DOCKER jumps.
    void pairAIpv6()
    {
        const auto d = diff::diffRulesets(fixture(QStringLiteral("docker-27.5.1-a-default-bridge.ip6.rules")),
            fixture(QStringLiteral("docker-28.x-a-default-bridge.ip6.rules")));
        const auto* fwd = d.chain("filter", "FORWARD");
        QVERIFY(fwd);
        QVERIFY(fwd->policyChanged());
        QCOMPARE(fwd->policyBefore, std::string("DROP"));
        QCOMPARE(fwd->policyAfter, std::string("ACCEPT"));
        QCOMPARE(d.counts.policyChanges, 1);
        QCOMPARE(rowsOf(d, "nat", "PREROUTING", RowKind::Added),
            std::vector<std::string> { "-m addrtype --dst-type LOCAL -j DOCKER" });
        QCOMPARE(rowsOf(d, "nat", "OUTPUT", RowKind::Added),
            std::vector<std::string> { "! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER" });
    }

    // Pair (b): the raw per-endpoint DROP in 28.x, the per-port one in 28.0.0; the container's outgoing ACCEPT
    // moves from FORWARD to DOCKER-FORWARD and loses its "! -o" in 28.x.
    void pairB()
    {
        const auto x = diff::diffRulesets(fixture(QStringLiteral("docker-27.5.1-b-usernet-portmap.rules")),
            fixture(QStringLiteral("docker-28.x-b-usernet-portmap.rules")));
        QVERIFY(
            contains(rowsOf(x, "raw", "PREROUTING", RowKind::Added), "-d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP"));
        QVERIFY(contains(rowsOf(x, "filter", "DOCKER-FORWARD", RowKind::Added), "-i br-897b3066eb8a -j ACCEPT"));
        QVERIFY(contains(
            rowsOf(x, "filter", "FORWARD", RowKind::Removed), "-i br-897b3066eb8a ! -o br-897b3066eb8a -j ACCEPT"));
        const auto* perPort = findRow(x, "filter", "DOCKER",
            "-d 172.18.0.2/32 ! -i br-897b3066eb8a -o br-897b3066eb8a -p tcp -m tcp --dport 80 -j ACCEPT");
        QVERIFY(perPort);
        QCOMPARE(perPort->kind, RowKind::Same);

        const auto zero = diff::diffRulesets(fixture(QStringLiteral("docker-27.5.1-b-usernet-portmap.rules")),
            fixture(QStringLiteral("docker-28.0.0-b-usernet-portmap.rules")));
        QVERIFY(contains(rowsOf(zero, "raw", "PREROUTING", RowKind::Added),
            "-d 172.18.0.2/32 ! -i br-897b3066eb8a -p tcp -m tcp --dport 80 -j DROP"));
        QVERIFY(contains(
            rowsOf(zero, "filter", "DOCKER", RowKind::Added), "! -i br-897b3066eb8a -o br-897b3066eb8a -j DROP"));
    }

    // Pair (c): Tailscale's chains are untouched; only Docker's rules change.
    void pairCTailscaleUntouched()
    {
        const auto d = diff::diffRulesets(fixture(QStringLiteral("docker-27.5.1-c-tailscale.rules")),
            fixture(QStringLiteral("docker-28.x-c-tailscale.rules")));
        QVERIFY(d.chain("filter", "ts-forward"));
        QVERIFY(!d.chain("filter", "ts-forward")->hasChanges());
        QCOMPARE(findRow(d, "filter", "FORWARD", "-j ts-forward")->kind, RowKind::Same);
        QVERIFY(!d.byProvenance.count(Provenance::Tailscale));
        QVERIFY(d.byProvenance.count(Provenance::Docker));
    }

    void countersAndOptionOrderIgnored()
    {
        const auto l = rulesetOf(std::string(kHeader)
            + "[5:300] -A FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
              "[1:60] -A FORWARD -p tcp -m tcp --sport 1000 --dport 80 -d 10.0.0.1 -j ACCEPT\n"
              "-A FORWARD -m comment --comment x -m mark --mark 0x1 -j DROP\nCOMMIT\n");
        const auto r = rulesetOf(std::string(kHeader)
            + "[0:0] -A FORWARD -o br0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
              "[9:999] -A FORWARD -d 10.0.0.1/32 -p tcp -m tcp --dport 80 --sport 1000 -j ACCEPT\n"
              "-A FORWARD -m mark --mark 0x1 -m comment --comment x -j DROP\nCOMMIT\n");
        QCOMPARE(l->ruleCount(), std::size_t(3));
        QCOMPARE(r->ruleCount(), std::size_t(3));
        const auto d = diff::diffRulesets(l, r);
        QVERIFY2(d.empty(), "only counters and option order differ");
    }

    void orderThatMattersIsKept()
    {
        // A limit before a mark spends a token on every packet, after it only on marked ones: a different rule.
        const auto l = rulesetOf(
            std::string(kHeader) + "-A FORWARD -m limit --limit 1/sec -m mark --mark 0x1 -j ACCEPT\nCOMMIT\n");
        const auto r = rulesetOf(
            std::string(kHeader) + "-A FORWARD -m mark --mark 0x1 -m limit --limit 1/sec -j ACCEPT\nCOMMIT\n");
        const auto d = diff::diffRulesets(l, r);
        QCOMPARE(d.counts.changed, 1);
    }

    void changedMovedAddedRemoved()
    {
        const auto l = rulesetOf(std::string(kHeader)
            + ":A - [0:0]\n"
              "-A FORWARD -s 10.0.0.1/32 -j ACCEPT\n"
              "-A FORWARD -s 10.0.0.2/32 -j ACCEPT\n"
              "-A FORWARD -s 10.0.0.3/32 -j DROP\n"
              "-A FORWARD -s 10.0.0.4/32 -j A\n"
              "-A FORWARD -s 10.0.0.5/32 -j REJECT\n"
              "-A A -s 10.0.0.6/32 -j ACCEPT\nCOMMIT\n");
        const auto r = rulesetOf(std::string(kHeader)
            + ":A - [0:0]\n"
              "-A FORWARD -s 10.0.0.2/32 -j ACCEPT\n"
              "-A FORWARD -s 10.9.0.3/32 -j DROP\n"
              "-A FORWARD -s 10.0.0.4/32 -j A\n"
              "-A FORWARD -s 10.0.0.1/32 -j ACCEPT\n"
              "-A FORWARD -s 10.0.0.7/32 -j ACCEPT\n"
              "-A A -s 10.0.0.6/32 -j ACCEPT\n"
              "-A A -s 10.0.0.5/32 -j REJECT\nCOMMIT\n");
        const auto d = diff::diffRulesets(l, r);
        const auto* f = d.chain("filter", "FORWARD");
        QVERIFY(f);
        std::vector<std::pair<RowKind, std::string>> rows;
        for (const auto& row : f->rows)
            rows.emplace_back(row.kind, body(row.left ? row.left : row.right));
        const std::vector<std::pair<RowKind, std::string>> expected {
            { RowKind::Moved, "-s 10.0.0.1/32 -j ACCEPT" },
            { RowKind::Same, "-s 10.0.0.2/32 -j ACCEPT" },
            { RowKind::Changed, "-s 10.0.0.3/32 -j DROP" },
            { RowKind::Same, "-s 10.0.0.4/32 -j A" },
            { RowKind::Moved, "-s 10.0.0.5/32 -j REJECT" },
            { RowKind::Moved, "-s 10.0.0.1/32 -j ACCEPT" },
            { RowKind::Added, "-s 10.0.0.7/32 -j ACCEPT" },
        };
        QCOMPARE(rows, expected);
        QCOMPARE(body(f->rows[2].right), std::string("-s 10.9.0.3/32 -j DROP"));
        QCOMPARE(f->rows[0].counterpart, (diff::RuleLocation { "filter", "FORWARD", 3 }));
        QCOMPARE(f->rows[4].counterpart, (diff::RuleLocation { "filter", "A", 1 }));
        QCOMPARE(d.counts.moved, 2);
        QCOMPARE(d.counts.changed, 1);
        QCOMPARE(d.counts.added, 1);
        QCOMPARE(d.counts.removed, 0);
    }

    void chainsAddedRemovedRenamedAndPolicy()
    {
        const auto l = rulesetOf(std::string(kHeader)
            + ":OLD - [0:0]\n:GONE - [0:0]\n"
              "-A FORWARD -j OLD\n"
              "-A OLD -s 10.0.0.1/32 -j ACCEPT\n-A OLD -s 10.0.0.2/32 -j ACCEPT\n-A OLD -s 10.0.0.3/32 -j DROP\n"
              "-A GONE -j RETURN\nCOMMIT\n");
        std::string header(kHeader);
        header.replace(header.find("FORWARD DROP"), 12, "FORWARD ACCEPT");
        const auto r = rulesetOf(header
            + ":NEW - [0:0]\n:FRESH - [0:0]\n"
              "-A FORWARD -j NEW\n"
              "-A NEW -s 10.0.0.1/32 -j ACCEPT\n-A NEW -s 10.0.0.2/32 -j ACCEPT\n-A NEW -s 10.0.0.4/32 -j DROP\n"
              "-A FRESH -j LOG\nCOMMIT\n");
        const auto d = diff::diffRulesets(l, r);
        const auto* renamed = d.chain("filter", "NEW");
        QVERIFY(renamed);
        QCOMPARE(renamed->status, diff::ChainStatus::Renamed);
        QCOMPARE(renamed->renamedFrom, std::string("OLD"));
        QCOMPARE(rowsOf(d, "filter", "NEW", RowKind::Same).size(), std::size_t(2));
        QCOMPARE(rowsOf(d, "filter", "NEW", RowKind::Changed), std::vector<std::string> { "-s 10.0.0.3/32 -j DROP" });
        // The jump into the renamed chain is the same jump, changed in place.
        QCOMPARE(rowsOf(d, "filter", "FORWARD", RowKind::Changed), std::vector<std::string> { "-j OLD" });
        QCOMPARE(d.chain("filter", "GONE")->status, diff::ChainStatus::Removed);
        QCOMPARE(d.chain("filter", "FRESH")->status, diff::ChainStatus::Added);
        QVERIFY(d.chain("filter", "FORWARD")->policyChanged());
        QCOMPARE(d.counts.chainsRenamed, 1);
        QCOMPARE(d.counts.chainsAdded, 1);
        QCOMPARE(d.counts.chainsRemoved, 1);
        QCOMPARE(d.counts.policyChanges, 1);
        QCOMPARE(d.chains.size(), std::size_t(6)); // INPUT FORWARD OUTPUT NEW GONE FRESH
    }

    void tablesOnlyOnOneSide()
    {
        const auto l = rulesetOf(std::string(kHeader) + "COMMIT\n");
        const auto r = rulesetOf(std::string(kHeader)
            + "COMMIT\n*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
              "-A PREROUTING -d 172.18.0.2/32 ! -i br0 -j DROP\nCOMMIT\n");
        const auto d = diff::diffRulesets(l, r);
        QCOMPARE(d.chain("raw", "PREROUTING")->status, diff::ChainStatus::Added);
        QCOMPARE(d.counts.added, 1);
        QCOMPARE(d.counts.chainsAdded, 2);
    }

    // A stop request is heard between chains: the comparison ends early and says so; without one it is whole.
    void stopRequestAbandonsTheComparison()
    {
        std::string text = kHeader;
        for (int c = 0; c < 50; ++c)
            text += ":C" + std::to_string(c) + " - [0:0]\n";
        for (int c = 0; c < 50; ++c)
            text += "-A C" + std::to_string(c) + " -p tcp -m tcp --dport " + std::to_string(1000 + c) + " -j ACCEPT\n";
        const auto l = rulesetOf(text + "COMMIT\n");
        const auto r = rulesetOf(text + "-A C7 -j DROP\nCOMMIT\n");
        int asked = 0;
        QVERIFY(!diff::diffRulesets(l, r, [&asked] { return ++asked > 10; }));
        QCOMPARE(asked, 11); // stopped at the first yes, long before the 53 chains were done

        asked = 0;
        const auto whole = diff::diffRulesets(l, r, [&asked] { return ++asked < 0; });
        QVERIFY(whole);
        QVERIFY(asked > 53);
        QCOMPARE(whole->counts.added, 1);
        QCOMPARE(whole->chains.size(), diff::diffRulesets(l, r).chains.size());
        QVERIFY(whole->before == l && whole->after == r);
    }
};

QTEST_GUILESS_MAIN(TestRuleDiff)
#include "tst_rulediff.moc"
