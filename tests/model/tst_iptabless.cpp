// iptables -S reading: the same rules as iptables-save on every fixture, table naming and inference,
// -S -v counters.

#include "model/parse/iptables.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace model;
using namespace model::parse;

namespace {

std::string readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    const QByteArray data = f.readAll();
    return std::string(data.constData(), static_cast<std::size_t>(data.size()));
}

// What "iptables -t <table> -S" prints for each table of a parsed save dump, one table after another,
// each preceded by header (with %1 replaced by the table name) unless header is empty.
std::string asDashS(const Ruleset& rs, const std::string& header, bool counters)
{
    std::string out;
    for (const Table& t : rs.tables) {
        if (!header.empty())
            out += QString::fromStdString(header).arg(QString::fromStdString(t.name)).toStdString() + '\n';
        for (const Chain& c : t.chains)
            out += c.builtin ? "-P " + c.name + ' ' + c.policy + (counters ? " -c 3 180" : "") + '\n'
                             : "-N " + c.name + '\n';
        for (const Chain& c : t.chains)
            for (const Rule& r : c.rules) {
                std::string line = ruleText(r, c.name);
                if (counters) {
                    const auto j = line.rfind(" -j ");
                    line.insert(j == std::string::npos ? line.size() : j, " -c 12 3456");
                }
                out += line + '\n';
            }
    }
    return out;
}

void compareRulesets(const Ruleset& a, const Ruleset& b)
{
    QCOMPARE(a.tables.size(), b.tables.size());
    for (std::size_t i = 0; i < a.tables.size(); ++i) {
        const Table& ta = a.tables[i];
        const Table& tb = b.tables[i];
        QCOMPARE(QString::fromStdString(tb.name), QString::fromStdString(ta.name));
        QCOMPARE(tb.chains.size(), ta.chains.size());
        for (std::size_t c = 0; c < ta.chains.size(); ++c) {
            QCOMPARE(QString::fromStdString(tb.chains[c].name), QString::fromStdString(ta.chains[c].name));
            QCOMPARE(tb.chains[c].builtin, ta.chains[c].builtin);
            QCOMPARE(QString::fromStdString(tb.chains[c].policy), QString::fromStdString(ta.chains[c].policy));
            QCOMPARE(tb.chains[c].rules.size(), ta.chains[c].rules.size());
            for (std::size_t r = 0; r < ta.chains[c].rules.size(); ++r) {
                QVERIFY2(tb.chains[c].rules[r].sameRule(ta.chains[c].rules[r]), ta.chains[c].rules[r].text.c_str());
                QCOMPARE(tb.chains[c].rules[r].provenance, ta.chains[c].rules[r].provenance);
            }
        }
    }
}

} // namespace

class TestIptablesS final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameAsSave_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("header");
        QTest::addColumn<bool>("counters");
        const QDir dir(QStringLiteral(CHAINSIGHT_FIXTURES_DIR));
        for (const QString& f : dir.entryList({ QStringLiteral("*.rules") }, QDir::Files, QDir::Name)) {
            QTest::newRow(qPrintable(f + QStringLiteral(" # table"))) << f << QStringLiteral("# table %1") << false;
            QTest::newRow(qPrintable(f + QStringLiteral(" command"))) << f << QStringLiteral("# iptables -t %1 -S") << true;
            QTest::newRow(qPrintable(f + QStringLiteral(" inferred"))) << f << QString() << false;
        }
    }
    void sameAsSave()
    {
        QFETCH(QString, file);
        QFETCH(QString, header);
        QFETCH(bool, counters);
        const Family family = file.contains(QLatin1String(".ip6.")) ? Family::IPv6 : Family::IPv4;
        const auto save = parseIptablesSave(readFile(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + file), family);
        QVERIFY(save.ok());
        // Put filter first, as "iptables -S" followed by "iptables -t nat -S" would.
        Ruleset ordered = *save;
        std::stable_partition(ordered.tables.begin(), ordered.tables.end(), [](const Table& t) { return t.name == "filter"; });
        const std::string text = asDashS(ordered, header.toStdString(), counters);
        const auto s = parseIptablesS(text, family);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        QCOMPARE(s->format, SourceFormat::IptablesS);
        compareRulesets(ordered, *s);
        if (counters) {
            for (const Chain& c : s->tables[0].chains)
                for (const Rule& r : c.rules)
                    QVERIFY(r.counters && r.counters->packets == 12 && r.counters->bytes == 3456);
            QVERIFY(s->tables[0].chains[0].counters && s->tables[0].chains[0].counters->bytes == 180);
        }
    }

    void ambiguousTableIsUnknown()
    {
        // A second table with INPUT/FORWARD/OUTPUT and nothing naming it: filter or security.
        const std::string text = "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-A INPUT -j ACCEPT\n"
                                 "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-A OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 53 -j ACCEPT\n";
        const auto s = parseIptablesS(text, Family::IPv4);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        QCOMPARE(s->tables.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(s->tables[0].name), QStringLiteral("filter"));
        QVERIFY(s->tables[1].name.empty());
        const Rule& r = s->tables[1].chains[2].rules.at(0);
        QVERIFY(r.unknown & UnknownTable);
        QVERIFY(std::any_of(s->notes.begin(), s->notes.end(),
            [](const std::string& n) { return n.find("unknown") != std::string::npos; }));
    }

    void singleChainExcerpt()
    {
        const auto s = parseIptablesS("-N DOCKER-USER\n-A DOCKER-USER -s 10.0.0.0/8 -j DROP\n-A DOCKER-USER -j RETURN\n",
            Family::IPv4);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        QCOMPARE(s->ruleCount(), std::size_t(2));
        QCOMPARE(s->tables[0].chains[0].rules[1].provenance, Provenance::Docker);
        QCOMPARE(s->tables[0].chains[0].rules[0].provenance, Provenance::Unknown);
    }

    void natInferredFromTargets()
    {
        const auto s = parseIptablesS("-N DOCKER\n-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\n",
            Family::IPv4);
        QVERIFY(s.ok());
        QCOMPARE(QString::fromStdString(s->tables[0].name), QStringLiteral("nat"));
    }
};

QTEST_GUILESS_MAIN(TestIptablesS)
#include "tst_iptabless.moc"
