// The built chainsight-cli trace, as a user runs it: on the shipped demo pair and on a raw iptables-save file.
#include "../common/clirun.h"

#include <QTest>

#include <nlohmann/json.hpp>

namespace {

using clitest::demo;
using clitest::Run;

Run trace(const QStringList& args) { return clitest::runCommand(QStringLiteral("trace"), args); }

QStringList tailnetToContainer(int port)
{
    return { QStringLiteral("--in"), QStringLiteral("tailscale0"), QStringLiteral("--src"), QStringLiteral("100.64.10.20"),
        QStringLiteral("--dst"), QStringLiteral("172.18.0.2"), QStringLiteral("--proto"), QStringLiteral("tcp"),
        QStringLiteral("--dport"), QString::number(port) };
}

} // namespace

class TestCliTrace final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void upgradeBreaksTailnetAccessToTheContainer_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("verdict");
        QTest::addColumn<QString>("rule");
        QTest::newRow("27.5.1") << demo("before.chainsight.json") << QStringLiteral("ACCEPT")
                                << QStringLiteral("-A ts-forward -m mark --mark 0x40000/0xff0000 -j ACCEPT");
        QTest::newRow("28.5.2") << demo("after.chainsight.json") << QStringLiteral("DROP")
                                << QStringLiteral("-A PREROUTING -d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP");
    }
    void upgradeBreaksTailnetAccessToTheContainer()
    {
        QFETCH(QString, file);
        QFETCH(QString, verdict);
        QFETCH(QString, rule);
        const Run run = trace(QStringList { file } + tailnetToContainer(80) + QStringList { QStringLiteral("--format"), QStringLiteral("json") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto j = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(QString::fromStdString(j.at("verdict").get<std::string>()), verdict);
        QCOMPARE(QString::fromStdString(j.at("deciding_rule").get<std::string>()), rule);
        QVERIFY(j.at("hops").is_array() && !j.at("hops").empty());
    }

    void textNamesTheContainerAndShowsTheRewrite()
    {
        const QStringList args { demo("after.chainsight.json"), QStringLiteral("--in"), QStringLiteral("eth0"), QStringLiteral("--src"),
            QStringLiteral("203.0.113.7"), QStringLiteral("--dst"), QStringLiteral("10.0.0.10"), QStringLiteral("--dport"), QStringLiteral("8080") };
        const Run run = trace(args);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString text = QString::fromUtf8(run.out);
        QVERIFY2(text.contains(QLatin1String("172.18.0.2 (web on mynet)")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("(changed by the previous rule)")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("-j DNAT --to-destination 172.18.0.2:80")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("Verdict: ACCEPT")), qPrintable(text));
    }

    void rawDumpWithoutTopologySaysWhatItDependsOn()
    {
        // A bare iptables-save file does not say whether 10.0.0.10 is the host's own address.
        const QString rules = QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/docker-28.x-b-usernet-portmap.rules");
        const Run run = trace({ rules, QStringLiteral("--in"), QStringLiteral("eth0"), QStringLiteral("--src"), QStringLiteral("203.0.113.7"),
            QStringLiteral("--dst"), QStringLiteral("10.0.0.10"), QStringLiteral("--dport"), QStringLiteral("8080"),
            QStringLiteral("--format"), QStringLiteral("json") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto j = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(j.at("verdict").get<std::string>(), std::string("DEPENDS"));
        QVERIFY(j.at("deciding_rule").is_null());
        QVERIFY(j.at("outcomes").size() >= 2);
        QVERIFY(!j.at("depends_on").empty());
    }

    void badArgumentsAreAUsageError()
    {
        QCOMPARE(trace({ demo("after.chainsight.json"), QStringLiteral("--src"), QStringLiteral("1.2.3.4") }).exitCode, 2);
        QCOMPARE(trace({ demo("after.chainsight.json"), QStringLiteral("--in"), QStringLiteral("eth0"), QStringLiteral("--src"),
                           QStringLiteral("10.0.0.50"), QStringLiteral("--dst"), QStringLiteral("fd00::1") }).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliTrace)
#include "tst_clitrace.moc"
