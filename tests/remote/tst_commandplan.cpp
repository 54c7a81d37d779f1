// The fixed command list and the parsing of what hosts report back: nothing a host or a user types may reach
// a command line unchecked.
#include "remote/commandplan.h"
#include "remote/target.h"

#include <QTest>

#include <algorithm>
#include <set>

class TestCommandPlan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dockerIds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("short id") << QStringLiteral("1671efb8c6b2") << true;
        QTest::newRow("full id") << QStringLiteral("1671efb8c6b2a48ef096db512e2e3927c8f05aefe70c426d562695db576638d3")
                                 << true;
        QTest::newRow("too short") << QStringLiteral("1671efb8c6b") << false;
        QTest::newRow("too long") << QString(65, QLatin1Char('a')) << false;
        QTest::newRow("upper case") << QStringLiteral("1671EFB8C6B2") << false;
        QTest::newRow("shell") << QStringLiteral("1671efb8c6b2;reboot") << false;
        QTest::newRow("space") << QStringLiteral("1671efb8c6b2 x") << false;
        QTest::newRow("name") << QStringLiteral("bridge-network") << false;
    }
    void dockerIds()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QCOMPARE(remote::isDockerId(text.toStdString()), valid);
    }

    void dockerIdListDropsWhatIsNotHex()
    {
        std::vector<std::string> rejected;
        const auto ids = remote::parseDockerIds("1671efb8c6b2\r\n\n$(reboot)\n897b3066eb8a\n", &rejected);
        QCOMPARE(ids, (std::vector<std::string> { "1671efb8c6b2", "897b3066eb8a" }));
        QCOMPARE(rejected, std::vector<std::string> { "$(reboot)" });
    }

    void probeOutput()
    {
        const auto probe = remote::parseProbe("1000\niptables-save /usr/sbin/iptables-save\ndocker /usr/bin/docker\n"
                                              "ip /weird path/ip\nsudo /usr/bin/sudo\nfile /etc/resolv.conf\n");
        QVERIFY(probe);
        QCOMPARE(probe->uid, 1000);
        QCOMPARE(probe->path("iptables-save").value_or(""), std::string("/usr/sbin/iptables-save"));
        QVERIFY(!probe->path("ip")); // a path that would need quoting counts as absent
        QVERIFY(!probe->path("nft"));
        QVERIFY(probe->hasFile("/etc/resolv.conf"));
        QVERIFY(!probe->hasFile("/etc/docker/daemon.json"));
        QVERIFY(!remote::parseProbe("bash: sh: not found\n"));
        QVERIFY(!remote::parseProbe(""));
    }

    void safePaths()
    {
        QVERIFY(remote::isSafePath("/usr/sbin/iptables-legacy-save"));
        QVERIFY(!remote::isSafePath("usr/sbin/ip"));
        QVERIFY(!remote::isSafePath("/usr/bin/a b"));
        QVERIFY(!remote::isSafePath("/usr/bin/$(x)"));
        QVERIFY(!remote::isSafePath("/usr/../tmp/x"));
    }

    void planIsReadOnlyAndFixed()
    {
        // every command is a known read-only tool; none takes anything from outside but the probe's paths
        const std::set<std::string> readOnly { "hostname", "uname", "iptables", "iptables-save", "ip6tables-save",
            "iptables-legacy-save", "iptables-nft-save", "ip6tables-legacy-save", "ip6tables-nft-save", "ipset", "nft",
            "ip", "sysctl", "docker" };
        for (const auto& spec : remote::commandPlan()) {
            QVERIFY2(readOnly.count(spec.program) == 1, spec.program);
            const std::string arguments = spec.arguments;
            QVERIFY2(arguments.find_first_of(";|&`$<>") == std::string::npos, spec.arguments);
            if (std::string(spec.program) == "ipset")
                QCOMPARE(arguments, std::string(" save"));
        }
        const std::string probe = remote::probeCommand();
        QVERIFY(probe.rfind("sh -c '", 0) == 0 && probe.back() == '\'');
        QCOMPARE(std::count(probe.begin(), probe.end(), '\''), 2L);
    }

    void targets_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::newRow("host") << QStringLiteral("fw1") << true << QString() << QStringLiteral("fw1") << 0;
        QTest::newRow("user@host:port") << QStringLiteral("admin@fw1.example:2222") << true << QStringLiteral("admin")
                                        << QStringLiteral("fw1.example") << 2222;
        QTest::newRow("ipv6 with port") << QStringLiteral("root@[fd00::1]:22") << true << QStringLiteral("root")
                                        << QStringLiteral("fd00::1") << 22;
        QTest::newRow("bare ipv6") << QStringLiteral("fd00::1") << true << QString() << QStringLiteral("fd00::1") << 0;
        QTest::newRow("bad port") << QStringLiteral("fw1:99999") << false << QString() << QString() << 0;
        QTest::newRow("empty user") << QStringLiteral("@fw1") << false << QString() << QString() << 0;
        QTest::newRow("option injection") << QStringLiteral("-oProxyCommand=x") << false << QString() << QString() << 0;
        QTest::newRow("empty") << QString() << false << QString() << QString() << 0;
    }
    void targets()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        const auto target = remote::parseTarget(text.toStdString());
        QCOMPARE(target.has_value(), valid);
        if (!valid)
            return;
        QFETCH(QString, user);
        QFETCH(QString, host);
        QFETCH(int, port);
        QCOMPARE(QString::fromStdString(target->user.value_or("")), user);
        QCOMPARE(QString::fromStdString(target->host), host);
        QCOMPARE(target->port.value_or(0), port);
    }
};

QTEST_GUILESS_MAIN(TestCommandPlan)
#include "tst_commandplan.moc"
