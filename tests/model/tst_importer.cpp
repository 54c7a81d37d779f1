// Opening what users have on disk: one raw dump, a folder of dumps (kinds detected from content), a snapshot file.
#include "model/importer.h"
#include "model/parse/cleaninput.h"
#include "model/parse/detect.h"
#include "model/snapshotfile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kFixtures = QStringLiteral(CHAINSIGHT_FIXTURES_DIR);

QByteArray fixture(const QString& name)
{
    QFile f(kFixtures + QLatin1Char('/') + name);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

class TestImporter final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void singleDumpFile()
    {
        const auto imported = model::importPath(kFixtures + QStringLiteral("/docker-27.5.1-c-tailscale.ip6.rules"));
        QVERIFY2(imported.ok(), imported.ok() ? "" : imported.error().toString().c_str());
        const auto& s = *imported.value();
        QVERIFY(!s.ipv4); // only the IPv6 dump was given: IPv4 is unknown, not empty
        QVERIFY(s.ipv6);
        QVERIFY(s.ipv6->table("filter"));
        QCOMPARE(s.sources.size(), std::size_t(1));
        QCOMPARE(s.sources[0].origin, std::string("docker-27.5.1-c-tailscale.ip6.rules"));
        QVERIFY(!s.docker);
    }

    void folderOfOneHost()
    {
        QTemporaryDir dir;
        // Names that say nothing: the kind comes from the content.
        const std::pair<const char*, const char*> files[] = { { "docker-28.x-c-tailscale.rules", "a.txt" },
            { "docker-28.x-c-tailscale.ip6.rules", "b" }, { "docker-28.x-c-tailscale.networks.json", "c.out" },
            { "host-tailscale-ip-addr.json", "d" }, { "host-tailscale-ip-route.json", "e" } };
        for (const auto& [from, to] : files)
            QVERIFY(writeFile(dir.filePath(QString::fromLatin1(to)), fixture(QString::fromLatin1(from))));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("README")), "notes about this host\n"));
        const auto imported = model::importPath(dir.path());
        QVERIFY2(imported.ok(), imported.ok() ? "" : imported.error().toString().c_str());
        const auto& s = *imported.value();
        QVERIFY(s.ipv4 && s.ipv6);
        QCOMPARE(s.ipv4->family, model::Family::IPv4);
        QCOMPARE(s.ipv6->family, model::Family::IPv6);
        QVERIFY(s.ipv4->table("nat")->chain("DOCKER"));
        QCOMPARE(s.docker->networks->size(), std::size_t(2));
        QCOMPARE(s.docker->networkByBridge("br-897b3066eb8a")->endpoints.at(0).ipv4, std::string("172.18.0.2"));
        QVERIFY(std::any_of(s.interfaces->begin(), s.interfaces->end(), [](const model::Interface& i) { return i.name == "tailscale0"; }));
        QVERIFY(!s.routes->empty());
        QVERIFY(!s.docker->containers); // no docker inspect among the files
        QCOMPARE(s.notes.size(), std::size_t(1));
        QVERIFY(s.notes[0].find("README") != std::string::npos);
        QCOMPARE(s.source(model::SourceKind::DockerNetworks)->origin, std::string("c.out"));
    }

    void wholeFixturesFolderIsAConflict()
    {
        const auto imported = model::importPath(kFixtures);
        QVERIFY(!imported.ok());
        QCOMPARE(imported.error().code, model::ErrorCode::Conflict);
        const std::string& message = imported.error().message;
        QVERIFY2(message.find("docker-27.5.1-a-default-bridge.ip6.rules") != std::string::npos, message.c_str());
        QVERIFY2(message.find("docker-27.5.1-b-usernet-portmap.ip6.rules") != std::string::npos, message.c_str());
    }

    void brokenDumpInFolderNamesFileAndLine()
    {
        QTemporaryDir dir;
        QByteArray networks = fixture(QStringLiteral("docker-28.x-c-tailscale.networks.json"));
        networks.replace("\"Internal\": false", "\"Internal\": \"no\"");
        QVERIFY(writeFile(dir.filePath(QStringLiteral("networks.json")), networks));
        const auto imported = model::importPath(dir.path());
        QVERIFY(!imported.ok());
        QCOMPARE(imported.error().code, model::ErrorCode::JsonShape);
        QVERIFY2(imported.error().where.find("networks.json") != std::string::npos, imported.error().where.c_str());
        QVERIFY2(imported.error().message.find("/0/Internal") != std::string::npos, imported.error().message.c_str());
    }

    void unknownSingleFileIsAnError()
    {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("x")), "hello world\n"));
        const auto imported = model::importPath(dir.filePath(QStringLiteral("x")));
        QVERIFY(!imported.ok());
        QCOMPARE(imported.error().code, model::ErrorCode::UnknownFormat);
        QVERIFY(!model::importPath(dir.filePath(QStringLiteral("missing"))).ok());
    }

    void snapshotFileOpensToo()
    {
        QTemporaryDir dir;
        const auto imported = model::importPath(kFixtures + QStringLiteral("/docker-28.x-a-default-bridge.rules"));
        QVERIFY(imported.ok());
        const QString path = dir.filePath(QStringLiteral("s.chainsight.json"));
        QVERIFY(model::saveSnapshotFile(*imported.value(), path).ok());
        const auto reopened = model::importPath(path);
        QVERIFY(reopened.ok());
        QCOMPARE(reopened.value()->ipv4->ruleCount(), imported.value()->ipv4->ruleCount());
    }

    // Comment prose in a dump is not a pasted shell prompt; real prompt lines are.
    void promptLinesInComments_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("command");
        QTest::newRow("source path") << QStringLiteral("#   tailscale/tailscale v1.84.0 util/linuxfw/iptables_runner.go: AddChains") << QString();
        QTest::newRow("prose") << QStringLiteral("# iptables-save header names its own iptables version") << QString();
        QTest::newRow("nft prose") << QStringLiteral("# nft order (mangle, security, raw, filter, nat).") << QString();
        QTest::newRow("save") << QStringLiteral("# iptables-save") << QStringLiteral("iptables-save");
        QTest::newRow("sudo -S") << QStringLiteral("# sudo iptables -t nat -S") << QStringLiteral("sudo iptables -t nat -S");
        QTest::newRow("absolute") << QStringLiteral("# /usr/sbin/ip6tables-save -c") << QStringLiteral("/usr/sbin/ip6tables-save -c");
        QTest::newRow("docker") << QStringLiteral("# docker network inspect bridge") << QStringLiteral("docker network inspect bridge");
    }
    void promptLinesInComments()
    {
        QFETCH(QString, line);
        QFETCH(QString, command);
        QCOMPARE(QString::fromStdString(std::string(model::parse::promptCommand(line.toStdString()))), command);
    }

    void detection_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("kind");
        QTest::newRow("iptables-save v4") << fixture(QStringLiteral("docker-28.x-b-usernet-portmap.rules")) << QStringLiteral("iptables");
        QTest::newRow("ip6tables-save") << fixture(QStringLiteral("docker-28.x-b-usernet-portmap.ip6.rules")) << QStringLiteral("ip6tables");
        QTest::newRow("-S v4") << QByteArray("-P INPUT ACCEPT\n-N DOCKER\n-A FORWARD -d 172.17.0.0/16 -j DOCKER\n") << QStringLiteral("iptables");
        QTest::newRow("-S v6") << QByteArray("-P INPUT ACCEPT\n-A FORWARD -d fd00::/64 -j DROP\n") << QStringLiteral("ip6tables");
        QTest::newRow("-L") << QByteArray("Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\n") << QStringLiteral("iptables");
        QTest::newRow("-L v6") << QByteArray("Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\nACCEPT     all      ::/0                 ::/0\n") << QStringLiteral("ip6tables");
        QTest::newRow("ipset") << QByteArray("create s hash:net family inet hashsize 1024 maxelem 65536\nadd s 10.0.0.0/8\n") << QStringLiteral("ipset");
        QTest::newRow("networks") << fixture(QStringLiteral("docker-28.x-a-default-bridge.networks.json")) << QStringLiteral("docker-networks");
        QTest::newRow("ip addr") << fixture(QStringLiteral("host-ip-addr.json")) << QStringLiteral("ip-addr");
        QTest::newRow("ip route") << fixture(QStringLiteral("host-ip-route.json")) << QStringLiteral("ip-route");
        QTest::newRow("ip -6 route") << QByteArray("[{\"dst\":\"fd00::/64\",\"dev\":\"eth0\"},{\"dst\":\"default\",\"gateway\":\"fe80::1\",\"dev\":\"eth0\"}]") << QStringLiteral("ip6-route");
        QTest::newRow("containers") << QByteArray("[{\"Id\":\"ab\",\"Name\":\"/web\",\"State\":{},\"HostConfig\":{},\"NetworkSettings\":{}}]") << QStringLiteral("docker-containers");
        QTest::newRow("version") << QByteArray("{\"Client\":{\"Version\":\"28.5.2\"},\"Server\":{\"Version\":\"28.5.2\"}}") << QStringLiteral("docker-version");
        QTest::newRow("info") << QByteArray("{\"ID\":\"x\",\"ServerVersion\":\"28.5.2\",\"Swarm\":{\"LocalNodeState\":\"inactive\"}}") << QStringLiteral("docker-info");
        QTest::newRow("daemon.json") << QByteArray("{ \"userland-proxy\": false }") << QStringLiteral("daemon-json");
        QTest::newRow("empty daemon.json") << QByteArray("{}\n") << QStringLiteral("daemon-json");
        QTest::newRow("resolv.conf") << QByteArray("# generated\nnameserver 100.100.100.100\nsearch tail.ts.net\n") << QStringLiteral("resolv-conf");
        QTest::newRow("sysctl") << QByteArray("net.ipv4.ip_forward = 1\nsysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n") << QStringLiteral("sysctl");
        QTest::newRow("nft") << QByteArray("table ip filter {\n\tchain INPUT {\n\t}\n}\n") << QStringLiteral("nft");
        QTest::newRow("iptables --version") << QByteArray("iptables v1.8.9 (nf_tables)\n") << QStringLiteral("iptables-version");
        QTest::newRow("prose") << QByteArray("The firewall broke after the upgrade.\n") << QString();
        QTest::newRow("other JSON") << fixture(QStringLiteral("expected-verdicts.json")) << QString();
        QTest::newRow("empty array") << QByteArray("[]") << QString();
        QTest::newRow("binary") << QByteArray("\x7f" "ELF\0\0\0", 7) << QString();
    }
    void detection()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, kind);
        const auto detected = model::parse::detectSourceKind(text.toStdString());
        QCOMPARE(detected ? QString::fromStdString(detected->kind) : QString(), kind);
    }
};

QTEST_GUILESS_MAIN(TestImporter)
#include "tst_importer.moc"
