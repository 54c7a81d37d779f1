// iptables-save reading and printing: exact round trips on every Docker fixture, with and without counters,
// the structure a user relies on, and provenance of the rules.

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

// iptables-save varies only its "#" header lines between runs; the fixtures add a "#" preamble.
std::string withoutCommentLines(const std::string& text)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        const auto end = nl == std::string::npos ? text.size() : nl + 1;
        if (text[pos] != '#')
            out.append(text, pos, end - pos);
        pos = end;
    }
    return out;
}

// The same dump as iptables-save -c would write it: "[p:b]" before every rule, non-zero chain counters.
std::string withCounters(const std::string& text)
{
    std::string out;
    std::size_t pos = 0;
    int n = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        const auto end = nl == std::string::npos ? text.size() : nl + 1;
        std::string line = text.substr(pos, end - pos);
        ++n;
        if (line.rfind("-A ", 0) == 0)
            line = '[' + std::to_string(n * 7) + ':' + std::to_string(n * 4211) + "] " + line;
        else if (line.rfind(':', 0) == 0) {
            const auto b = line.rfind("[0:0]");
            if (b != std::string::npos)
                line.replace(b, 5, '[' + std::to_string(n) + ':' + std::to_string(n * 60) + ']');
        }
        out += line;
        pos = end;
    }
    return out;
}

QStringList fixtureFiles()
{
    const QDir dir(QStringLiteral(CHAINSIGHT_FIXTURES_DIR));
    return dir.entryList({ QStringLiteral("*.rules") }, QDir::Files, QDir::Name);
}

Family familyOf(const QString& file)
{
    return file.endsWith(QLatin1String(".ip6.rules")) ? Family::IPv6 : Family::IPv4;
}

QString fixturePath(const QString& file) { return QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + file; }

} // namespace

class TestIptablesSave final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fixturesArePresent() { QVERIFY2(fixtureFiles().size() >= 24, "the Docker fixtures are missing"); }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("counters");
        for (const QString& f : fixtureFiles()) {
            QTest::newRow(qPrintable(f)) << f << false;
            QTest::newRow(qPrintable(f + QStringLiteral(" -c"))) << f << true;
        }
    }
    void roundTrip()
    {
        QFETCH(QString, file);
        QFETCH(bool, counters);
        std::string input = readFile(fixturePath(file));
        if (counters)
            input = withCounters(input);
        const auto rs = parseIptablesSave(input, familyOf(file));
        QVERIFY2(rs.ok(), rs.ok() ? "" : rs.error().toString().c_str());
        QVERIFY(!rs->truncatedAtLine);
        QVERIFY(rs->ruleCount() > 5);
        const std::string printed = printIptablesSave(*rs);
        QCOMPARE(QString::fromStdString(withoutCommentLines(printed)),
            QString::fromStdString(withoutCommentLines(input)));
        // Each rule keeps its exact source line, and ruleText reproduces it.
        for (const auto& t : rs->tables)
            for (const auto& c : t.chains)
                for (const auto& r : c.rules) {
                    const std::string expected = counters ? r.text.substr(r.text.find(" -A ") + 1) : r.text;
                    QCOMPARE(QString::fromStdString(ruleText(r, c.name)), QString::fromStdString(expected));
                    QCOMPARE(r.counters.has_value(), counters);
                }
    }

    void headerGivesGeneratorAndBackend()
    {
        const auto rs = parseIptablesSave(readFile(fixturePath(QStringLiteral("docker-28.x-c-tailscale.rules"))),
            Family::IPv4);
        QVERIFY(rs.ok());
        QCOMPARE(rs->backend, Backend::NfTables);
        QCOMPARE(QString::fromStdString(rs->generator), QStringLiteral("iptables-save v1.8.9 (nf_tables)"));
        QCOMPARE(rs->tables.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(rs->tables[0].name), QStringLiteral("raw"));
    }

    void structure()
    {
        const auto rs = parseIptablesSave(readFile(fixturePath(QStringLiteral("docker-28.x-c-tailscale.rules"))),
            Family::IPv4);
        QVERIFY(rs.ok());
        const Table* filter = rs->table("filter");
        QVERIFY(filter);
        const Chain* docker = filter->chain("DOCKER");
        QVERIFY(docker && !docker->builtin && docker->policy.empty());
        const Rule& first = docker->rules.front();
        QCOMPARE(QString::fromStdString(first.destination->value), QStringLiteral("172.18.0.2/32"));
        QVERIFY(first.inInterface->negated);
        QVERIFY(!first.outInterface->negated);
        QCOMPARE(QString::fromStdString(first.protocol->value), QStringLiteral("tcp"));
        const Option* dport = first.match("tcp")->option("--dport");
        QVERIFY(dport && dport->args == std::vector<std::string> { "80" });
        QCOMPARE(first.target.kind, Target::Kind::Jump);
        QCOMPARE(QString::fromStdString(first.target.name), QStringLiteral("ACCEPT"));

        const Chain* dnatChain = rs->table("nat")->chain("DOCKER");
        const Rule& dnat = dnatChain->rules.back();
        QCOMPARE(QString::fromStdString(dnat.target.name), QStringLiteral("DNAT"));
        QVERIFY(dnat.target.option("--to-destination")->args == std::vector<std::string> { "172.18.0.2:80" });
        const Chain* forward = filter->chain("FORWARD");
        QVERIFY(forward->builtin);
        QCOMPARE(QString::fromStdString(forward->policy), QStringLiteral("ACCEPT"));
    }

    void quotingAndEscapes()
    {
        const std::string text = "*filter\n:INPUT ACCEPT [0:0]\n"
                                 "-A INPUT -m comment --comment \"say \\\"hi\\\" to C:\\\\tmp\" -j ACCEPT\n"
                                 "-A INPUT -m comment --comment plain -j LOG --log-prefix \"[UFW BLOCK] \"\n"
                                 "COMMIT\n";
        const auto rs = parseIptablesSave(text, Family::IPv4);
        QVERIFY2(rs.ok(), rs.ok() ? "" : rs.error().toString().c_str());
        const auto& rules = rs->table("filter")->chain("INPUT")->rules;
        QCOMPARE(QString::fromStdString(rules[0].match("comment")->options[0].args[0]),
            QStringLiteral("say \"hi\" to C:\\tmp"));
        QCOMPARE(QString::fromStdString(rules[1].target.option("--log-prefix")->args[0]), QStringLiteral("[UFW BLOCK] "));
        QCOMPARE(QString::fromStdString(printIptablesSave(*rs)), QString::fromStdString(text));
    }

    void negationForms_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("before option") << "-A INPUT ! -s 10.0.0.0/8 -j DROP"
                                       << "-A INPUT ! -s 10.0.0.0/8 -j DROP";
        QTest::newRow("old form core") << "-A INPUT -i ! eth0 -j DROP"
                                       << "-A INPUT ! -i eth0 -j DROP";
        QTest::newRow("match option") << "-A INPUT -m conntrack ! --ctstate NEW -j DROP"
                                      << "-A INPUT -m conntrack ! --ctstate NEW -j DROP";
        QTest::newRow("old form match") << "-A INPUT -p tcp -m tcp --dport ! 22 -j DROP"
                                        << "-A INPUT -p tcp -m tcp ! --dport 22 -j DROP";
        QTest::newRow("fragment") << "-A INPUT ! -f -j DROP"
                                  << "-A INPUT ! -f -j DROP";
        QTest::newRow("set") << "-A INPUT -m set ! --match-set docker-ext-bridges-v4 dst -j RETURN"
                             << "-A INPUT -m set ! --match-set docker-ext-bridges-v4 dst -j RETURN";
        QTest::newRow("goto") << "-A INPUT -i eth0 -g IN_public"
                              << "-A INPUT -i eth0 -g IN_public";
        QTest::newRow("counters only") << "-A INPUT -p tcp"
                                       << "-A INPUT -p tcp";
        QTest::newRow("unknown module") << "-A INPUT -m frobnicate --level 3 --fancy -j ACCEPT"
                                        << "-A INPUT -m frobnicate --level 3 --fancy -j ACCEPT";
    }
    void negationForms()
    {
        QFETCH(QString, rule);
        QFETCH(QString, canonical);
        const std::string text = "*filter\n:INPUT ACCEPT [0:0]\n:IN_public - [0:0]\n" + rule.toStdString() + "\nCOMMIT\n";
        const auto rs = parseIptablesSave(text, Family::IPv4);
        QVERIFY2(rs.ok(), rs.ok() ? "" : rs.error().toString().c_str());
        const Rule& r = rs->table("filter")->chain("INPUT")->rules.at(0);
        QCOMPARE(QString::fromStdString(ruleText(r, "INPUT")), canonical);
    }

    // Hand-written files interleave chains and may declare a chain after a rule that jumps to it.
    void interleavedChainsAndLateDeclaration()
    {
        const std::string text = "*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n-A INPUT -j A\n-A A -j B\n-A INPUT -j ACCEPT\n"
                                 ":B - [0:0]\n-A \"A\" -j RETURN\n-A B -j DROP\nCOMMIT\n";
        const auto rs = parseIptablesSave(text, Family::IPv4);
        QVERIFY2(rs.ok(), rs.ok() ? "" : rs.error().toString().c_str());
        const Table* t = rs->table("filter");
        QCOMPARE(t->chain("INPUT")->rules.size(), std::size_t(2));
        QCOMPARE(t->chain("A")->rules.size(), std::size_t(2));
        QCOMPARE(t->chain("B")->rules.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(t->chain("A")->rules[1].target.name), QStringLiteral("RETURN"));
    }

    void unknownModuleIsKept()
    {
        const auto rs = parseIptablesSave(
            "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m frobnicate ! --level 3 --mode a b -j ACCEPT\nCOMMIT\n",
            Family::IPv4);
        QVERIFY(rs.ok());
        const Match* m = rs->table("filter")->chain("INPUT")->rules[0].match("frobnicate");
        QVERIFY(m);
        QCOMPARE(m->options.size(), std::size_t(2));
        QVERIFY(m->options[0].negated);
        QVERIFY((m->options[1].args == std::vector<std::string> { "a", "b" }));
    }

    void provenanceOnTailscaleFixture()
    {
        const auto rs = parseIptablesSave(readFile(fixturePath(QStringLiteral("docker-28.x-c-tailscale.rules"))),
            Family::IPv4);
        QVERIFY(rs.ok());
        int docker = 0, tailscale = 0;
        for (const auto& t : rs->tables)
            for (const auto& c : t.chains) {
                for (const auto& r : c.rules) {
                    QVERIFY2(!r.provenanceReason.empty() || r.provenance == Provenance::Unknown, r.text.c_str());
                    if (c.name.rfind("DOCKER", 0) == 0 && c.name != "DOCKER-USER") {
                        QVERIFY2(r.provenance == Provenance::Docker, r.text.c_str());
                        ++docker;
                    }
                    if (c.name.rfind("ts-", 0) == 0) {
                        QVERIFY2(r.provenance == Provenance::Tailscale, r.text.c_str());
                        ++tailscale;
                    }
                    if (r.target.name.rfind("ts-", 0) == 0)
                        QCOMPARE(r.provenance, Provenance::Tailscale);
                    if (r.target.name.rfind("DOCKER", 0) == 0)
                        QCOMPARE(r.provenance, Provenance::Docker);
                    if (r.text.find("MASQUERADE") != std::string::npos && r.text.find("172.1") != std::string::npos)
                        QCOMPARE(r.provenance, Provenance::Docker);
                }
            }
        QVERIFY(docker > 10);
        QVERIFY(tailscale >= 10);
        QCOMPARE(rs->table("filter")->chain("DOCKER")->provenance, Provenance::Docker);
        QCOMPARE(rs->table("filter")->chain("ts-input")->provenance, Provenance::Tailscale);
    }

    void provenanceOnOracleFixture_data()
    {
        QTest::addColumn<QString>("file");
        for (const QString& f : fixtureFiles())
            if (f.contains(QLatin1String("oracle")) && !f.contains(QLatin1String(".ip6.")))
                QTest::newRow(qPrintable(f)) << f;
    }
    void provenanceOnOracleFixture()
    {
        QFETCH(QString, file);
        const auto rs = parseIptablesSave(readFile(fixturePath(file)), Family::IPv4);
        QVERIFY(rs.ok());
        int rejects = 0;
        for (const auto& c : rs->table("filter")->chains)
            for (const auto& r : c.rules) {
                if (r.target.name == "REJECT") {
                    QVERIFY2(r.provenance == Provenance::CloudImage, r.text.c_str());
                    ++rejects;
                }
                if (c.name == "InstanceServices" || r.target.name == "InstanceServices")
                    QCOMPARE(r.provenance, Provenance::CloudImage);
            }
        QVERIFY(rejects >= 4);
        const Rule& ssh = rs->table("filter")->chain("INPUT")->rules.at(4);
        QCOMPARE(ssh.provenance, Provenance::CloudImage);
    }
};

QTEST_GUILESS_MAIN(TestIptablesSave)
#include "tst_iptablessave.moc"
