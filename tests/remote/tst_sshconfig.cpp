// The ProxyJump lookup in an ssh config: which Host block applies, patterns and negations, first value wins,
// and the split of a jump list into hops.
#include "remote/sshconfig.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestSshConfigLookup : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string write(const QByteArray& text)
    {
        const QString path = m_dir.filePath(QStringLiteral("config"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        file.write(text);
        return path.toStdString();
    }

private Q_SLOTS:
    void patterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("matches");
        QTest::newRow("exact") << QStringLiteral("fw1") << QStringLiteral("fw1") << true;
        QTest::newRow("case") << QStringLiteral("FW1") << QStringLiteral("fw1") << true;
        QTest::newRow("star") << QStringLiteral("*.example.org") << QStringLiteral("fw1.example.org") << true;
        QTest::newRow("star not") << QStringLiteral("*.example.org") << QStringLiteral("example.org") << false;
        QTest::newRow("question") << QStringLiteral("fw?") << QStringLiteral("fw2") << true;
        QTest::newRow("question too short") << QStringLiteral("fw?") << QStringLiteral("fw") << false;
        QTest::newRow("stars") << QStringLiteral("*w*") << QStringLiteral("fw1") << true;
        QTest::newRow("prefix") << QStringLiteral("fw") << QStringLiteral("fw1") << false;
    }
    void patterns()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, text);
        QFETCH(bool, matches);
        QCOMPARE(remote::sshPatternMatches(pattern.toStdString(), text.toStdString()), matches);
    }

    void proxyJumpOfAHost()
    {
        QVERIFY(m_dir.isValid());
        const std::string config = write("# jump hosts\n"
                                         "Host bastion !bastion2 *.internal\n"
                                         "  HostName 10.0.0.1\n"
                                         "Host fw1 fw2\n"
                                         "  ProxyJump admin@bastion:2222\n"
                                         "Host *.internal\n"
                                         "  ProxyJump=bastion\n"
                                         "Match host fw3\n"
                                         "  ProxyJump matched\n"
                                         "Host * !direct\n"
                                         "  ProxyJump \"gateway,bastion\"\n"
                                         "Host fw1\n"
                                         "  ProxyJump later\n");
        QCOMPARE(remote::configuredProxyJump(config, "fw1"), std::string("admin@bastion:2222"));
        QCOMPARE(remote::configuredProxyJump(config, "FW2"), std::string("admin@bastion:2222"));
        QCOMPARE(remote::configuredProxyJump(config, "db.internal"), std::string("bastion"));
        QCOMPARE(remote::configuredProxyJump(config, "fw3"), std::string("gateway,bastion")); // Match is not followed
        QCOMPARE(remote::configuredProxyJump(config, "direct"), std::string());
        const std::string none = write("Host fw1\n  ProxyJump none\nHost *\n  ProxyJump bastion\n");
        QCOMPARE(remote::configuredProxyJump(none, "fw1"), std::string());
        QCOMPARE(remote::configuredProxyJump(none, "fw2"), std::string("bastion"));
        QCOMPARE(remote::configuredProxyJump(m_dir.filePath(QStringLiteral("missing")).toStdString(), "fw1"),
            std::string());
    }

    void hopsOfAJumpList()
    {
        QCOMPARE(remote::splitProxyJump("a, root@b:2200 ,c"), (std::vector<std::string> { "a", "root@b:2200", "c" }));
        QVERIFY(remote::splitProxyJump("none").empty());
        QVERIFY(remote::splitProxyJump("").empty());
    }
};

QTEST_GUILESS_MAIN(TestSshConfigLookup)
#include "tst_sshconfig.moc"
