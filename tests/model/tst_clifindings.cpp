// The built chainsight-cli findings, as a user runs it: on the shipped demo pair and on folders of raw dumps made
// from the shared fixtures (Tailscale host c, Oracle Cloud host d).
#include "../common/clirun.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

namespace {

using clitest::demo;
using clitest::Run;

Run findings(const QStringList& args) { return clitest::runCommand(QStringLiteral("findings"), args); }

// A folder of raw dumps for one fixture, as a user would collect them from the host.
QString fixtureFolder(const QTemporaryDir& tmp, const QString& name)
{
    const QString dir = tmp.filePath(name);
    QDir().mkpath(dir);
    const QString fx = QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/");
    const QString host
        = name.contains(QLatin1String("tailscale")) ? QStringLiteral("host-tailscale-ip-") : QStringLiteral("host-ip-");
    const QStringList copies { QStringLiteral("docker-") + name + QStringLiteral(".rules"),
        QStringLiteral("docker-") + name + QStringLiteral(".ip6.rules"),
        QStringLiteral("docker-") + name + QStringLiteral(".networks.json"), host + QStringLiteral("addr.json"),
        host + QStringLiteral("route.json") };
    for (const QString& file : copies)
        if (!QFile::copy(fx + file, dir + QLatin1Char('/') + file))
            qFatal("cannot copy %s", qPrintable(file));
    // The fixtures note their ipsets as comments; a host dump has them from `ipset save`.
    QFile rules(fx + copies.front());
    QFile ipset(dir + QStringLiteral("/ipset.save"));
    if (!rules.open(QIODevice::ReadOnly) || !ipset.open(QIODevice::WriteOnly))
        qFatal("cannot write ipset.save");
    for (const QByteArray& line : rules.readAll().split('\n'))
        if (line.startsWith("#   create ") || line.startsWith("#   add "))
            ipset.write(line.mid(4) + '\n');
    return dir;
}

nlohmann::json json(const Run& run) { return nlohmann::json::parse(run.out.toStdString()); }

QStringList ids(const nlohmann::json& doc)
{
    QStringList out;
    for (const auto& f : doc.at("findings"))
        out << QString::fromStdString(f.at("id").get<std::string>());
    return out;
}

} // namespace

class TestCliFindings final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void demoPairShowsTheDirectRoutingFinding()
    {
        const Run run = findings({ demo("after.chainsight.json"), QStringLiteral("--against"),
            demo("before.chainsight.json"), QStringLiteral("--format"), QStringLiteral("json") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto doc = json(run);
        QCOMPARE(doc.at("schema").get<std::string>(), std::string("chainsight-findings"));
        QCOMPARE(doc.at("version").get<int>(), 1);
        QCOMPARE(ids(doc).value(0), QStringLiteral("direct-routing-raw-drop"));
        const auto& f = doc.at("findings").at(0);
        QCOMPARE(f.at("severity").get<std::string>(), std::string("high"));
        bool tailnet = false;
        for (const auto& flow : f.at("evidence").at("flows"))
            tailnet = tailnet
                || (flow.at("label").get<std::string>().rfind(
                        "tailnet 100.64.0.50 on tailscale0 -> container web 172.18.0.2:80/tcp", 0)
                        == 0
                    && flow.at("before").at("verdict") == "ACCEPT" && flow.at("after").at("verdict") == "DROP");
        QVERIFY(tailnet);
        QCOMPARE(f.at("fixes").at(0).at("id").get<std::string>(), std::string("raw-exemption"));
        QVERIFY(f.at("fixes").at(0).at("recommended").get<bool>());
    }

    void demoTextAndMarkdown()
    {
        const Run text
            = findings({ demo("after.chainsight.json"), QStringLiteral("--against"), demo("before.chainsight.json") });
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY(text.out.contains("[HIGH] direct-routing-raw-drop"));
        QVERIFY(text.out.contains(
            "iptables -t raw -I PREROUTING -i tailscale0 -s 100.64.0.0/10 -d 172.18.0.0/16 -j ACCEPT"));
        const Run md = findings({ demo("after.chainsight.json"), QStringLiteral("--format"), QStringLiteral("md") });
        QVERIFY2(md.exitCode == 0, md.err.constData());
        QVERIFY(md.out.startsWith("# Findings for after.chainsight.json"));
        QVERIFY(md.out.contains("| Flow | Before | After |"));
    }

    void fixturesShowTheirFindings_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QString>("id");
        QTest::newRow("c tailscale") << "27.5.1-c-tailscale"
                                     << "28.x-c-tailscale"
                                     << "direct-routing-raw-drop";
        QTest::newRow("c tailscale 28.0.0") << "27.5.1-c-tailscale"
                                            << "28.0.0-c-tailscale"
                                            << "unpublished-port-drop";
        QTest::newRow("d oracle 28.0.0") << "27.5.1-d-oracle-cloud"
                                         << "28.0.0-d-oracle-cloud"
                                         << "host-forward-rule-before-docker";
    }
    void fixturesShowTheirFindings()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        QFETCH(QString, id);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const Run run = findings({ fixtureFolder(tmp, after), QStringLiteral("--against"), fixtureFolder(tmp, before),
            QStringLiteral("--format"), QStringLiteral("json") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(ids(json(run)).contains(id), qPrintable(ids(json(run)).join(QLatin1Char(' '))));
    }

    void oracleOn28xHasNoForwardFinding()
    {
        QTemporaryDir tmp;
        const Run run = findings({ fixtureFolder(tmp, QStringLiteral("28.x-d-oracle-cloud")),
            QStringLiteral("--against"), fixtureFolder(tmp, QStringLiteral("27.5.1-d-oracle-cloud")),
            QStringLiteral("--format"), QStringLiteral("json") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(!ids(json(run)).contains(QStringLiteral("host-forward-rule-before-docker")));
    }

    void badArgumentsAreAUsageError()
    {
        QCOMPARE(findings({}).exitCode, 2);
        QCOMPARE(
            findings({ demo("after.chainsight.json"), QStringLiteral("--format"), QStringLiteral("xml") }).exitCode, 2);
        const Run missing = findings({ QStringLiteral("/nonexistent/snapshot.json") });
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(!missing.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliFindings)
#include "tst_clifindings.moc"
