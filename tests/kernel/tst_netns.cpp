#include "support/netns.h"

#include <QFile>
#include <QTest>

#include <sys/socket.h>
#include <unistd.h>

using ktest::Backend;
using ktest::Family;
using ktest::Namespace;

namespace {

const QByteArray kRules = "*filter\n"
                          ":INPUT ACCEPT [0:0]\n"
                          ":FORWARD DROP [0:0]\n"
                          ":OUTPUT ACCEPT [0:0]\n"
                          ":DOCKER-USER - [0:0]\n"
                          "-A FORWARD -j DOCKER-USER\n"
                          "-A DOCKER-USER -s 10.0.0.0/24 -i eth0 -p tcp -m tcp --dport 80 -j DROP\n"
                          "-A DOCKER-USER -j RETURN\n"
                          "COMMIT\n";

} // namespace

// The namespace harness the kernel-agreement test stands on: it must create, load, read back and clean up.
class TestNetns final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        Namespace::removeOrphans();
    }

    void namespaceLivesAsLongAsTheObject()
    {
        QString path;
        {
            Namespace ns(QStringLiteral("life"));
            QVERIFY2(ns.isValid(), qPrintable(ns.error()));
            QVERIFY(ns.name().startsWith(QStringLiteral("csk-%1-life-").arg(::getpid())));
            path = QStringLiteral("/run/netns/") + ns.name();
            QVERIFY(QFile::exists(path));
            const auto links = ns.run({ QStringLiteral("ip"), QStringLiteral("-o"), QStringLiteral("link") });
            QVERIFY2(links.ok(), qPrintable(links.describe()));
            // A fresh namespace holds only its loopback.
            QCOMPARE(links.out.count('\n'), 1);
        }
        QVERIFY(!QFile::exists(path));
    }

    void restoreAndSave_data()
    {
        QTest::addColumn<Backend>("backend");
        QTest::newRow("nft") << Backend::Nft;
        QTest::newRow("legacy") << Backend::Legacy;
    }

    void restoreAndSave()
    {
        QFETCH(Backend, backend);
        Namespace ns(QStringLiteral("rst"));
        QVERIFY2(ns.isValid(), qPrintable(ns.error()));
        const auto loaded = ns.restore(kRules, backend);
        QVERIFY2(loaded.ok(), qPrintable(loaded.describe()));
        const auto saved = ns.save(backend, Family::V4, true);
        QVERIFY2(saved.ok(), qPrintable(saved.describe()));
        QVERIFY(saved.out.contains(":FORWARD DROP [0:0]"));
        QVERIFY(saved.out.contains("[0:0] -A DOCKER-USER -s 10.0.0.0/24 -i eth0 -p tcp -m tcp --dport 80 -j DROP"));
        const auto rules = ns.listRules(backend, Family::V4, QStringLiteral("filter"));
        QVERIFY2(rules.ok(), qPrintable(rules.describe()));
        QVERIFY(rules.out.contains("-A DOCKER-USER -j RETURN"));
        const auto listing = ns.listVerbose(backend, Family::V4, QStringLiteral("filter"));
        QVERIFY2(listing.ok(), qPrintable(listing.describe()));
        QVERIFY(listing.out.contains("Chain DOCKER-USER"));
        // The other backend's view of this namespace stays empty: nothing leaked across.
        const Backend other = backend == Backend::Nft ? Backend::Legacy : Backend::Nft;
        QVERIFY(!ns.save(other).out.contains("DOCKER-USER"));
    }

    void socketsAndSysctlsBelongToTheNamespace()
    {
        Namespace ns(QStringLiteral("sock"));
        QVERIFY2(ns.isValid(), qPrintable(ns.error()));
        QVERIFY(ns.setSysctl(QStringLiteral("net.ipv4.ip_forward"), QStringLiteral("1")));
        const auto forward = ns.run({ QStringLiteral("cat"), QStringLiteral("/proc/sys/net/ipv4/ip_forward") });
        QCOMPARE(forward.out.trimmed(), QByteArray("1"));
        const int fd = ns.openSocket(AF_INET, SOCK_DGRAM, 0);
        QVERIFY(fd >= 0);
        ::close(fd);
    }
};

QTEST_GUILESS_MAIN(TestNetns)
#include "tst_netns.moc"
