// The snapshot file: lossless round trip, refusal of newer versions and tampered sources, atomic saves.
#include "model/importer.h"
#include "model/parse/iptables.h"
#include "model/snapshotbuilder.h"
#include "model/snapshotfile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <csignal>
#include <sys/resource.h>

namespace {

QString fixture(const char* name)
{
    return QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromLatin1(name);
}

std::string readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

model::SnapshotPtr tailscaleHost()
{
    std::vector<model::SourceRecord> sources;
    sources.push_back(model::makeSource(model::SourceKind::IptablesV4, "iptables-save", readAll(fixture("docker-28.x-c-tailscale.rules")), 0));
    sources.push_back(model::makeSource(model::SourceKind::IptablesV6, "ip6tables-save", readAll(fixture("docker-28.x-c-tailscale.ip6.rules")), 0));
    sources.push_back(model::makeSource(model::SourceKind::DockerNetworks, "docker network inspect", readAll(fixture("docker-28.x-c-tailscale.networks.json")), 0));
    sources.push_back(model::makeSource(model::SourceKind::IpAddr, "ip -j addr", readAll(fixture("host-tailscale-ip-addr.json")), 0));
    sources.push_back(model::makeSource(model::SourceKind::IpRoute, "ip -j route", readAll(fixture("host-tailscale-ip-route.json")), 0));
    sources.push_back(model::makeSource(model::SourceKind::Sysctl, "sysctl net.ipv4.ip_forward", "net.ipv4.ip_forward = 1\n", 0));
    auto ipset = model::makeSource(model::SourceKind::IpsetSave, "ipset save", "", 127);
    ipset.absent = true;
    sources.push_back(ipset);
    // Bytes that are not UTF-8 (a Latin-1 comment) must survive the JSON file unchanged.
    sources.push_back(model::makeSource(model::SourceKind::ResolvConf, "/etc/resolv.conf", "# caf\xe9\nnameserver 100.100.100.100\n"));
    model::SnapshotMeta meta;
    meta.hostname = "ts-router";
    meta.takenAt = "2025-11-10T10:00:00Z";
    meta.takenFrom = "test";
    meta.label = "after";
    auto built = model::snapshotFromSources(meta, std::move(sources), model::BuildOptions { true });
    if (!built)
        qWarning("%s", built.error().toString().c_str());
    return built ? built.value() : nullptr;
}

nlohmann::json document(const model::Snapshot& s)
{
    return nlohmann::json::parse(model::snapshotToJson(s));
}

} // namespace

class TestSnapshotFile final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripKeepsEverySourceAndParse()
    {
        const auto original = tailscaleHost();
        QVERIFY(original);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("host.chainsight.json"));
        const auto saved = model::saveSnapshotFile(*original, path);
        QVERIFY2(saved.ok(), saved.ok() ? "" : saved.error().toString().c_str());
        const auto loaded = model::loadSnapshotFile(path);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
        const auto& copy = *loaded.value();
        QCOMPARE(copy.meta.hostname, original->meta.hostname);
        QCOMPARE(copy.meta.label, std::string("after"));
        QCOMPARE(copy.sources.size(), original->sources.size());
        for (std::size_t i = 0; i < copy.sources.size(); ++i) {
            QCOMPARE(copy.sources[i].kind, original->sources[i].kind);
            QCOMPARE(copy.sources[i].origin, original->sources[i].origin);
            QVERIFY(copy.sources[i].text == original->sources[i].text);
            QCOMPARE(copy.sources[i].sha256, original->sources[i].sha256);
            QCOMPARE(copy.sources[i].exitStatus, original->sources[i].exitStatus);
            QCOMPARE(copy.sources[i].absent, original->sources[i].absent);
        }
        // The parsed views are rebuilt from the sources and say the same.
        QVERIFY(copy.ipv4 && copy.ipv6);
        QCOMPARE(model::parse::printIptablesSave(*copy.ipv4), model::parse::printIptablesSave(*original->ipv4));
        QCOMPARE(copy.ipv6->ruleCount(), original->ipv6->ruleCount());
        QCOMPARE(copy.docker->networkByName("mynet")->bridgeName, std::string("br-897b3066eb8a"));
        QCOMPARE(copy.interfaces->size(), original->interfaces->size());
        QCOMPARE(copy.routes->size(), std::size_t(5));
        QCOMPARE(copy.sysctl("net.ipv4.ip_forward"), std::optional<std::string>("1"));
        QVERIFY(copy.ipsets && copy.ipsets->empty()); // absent on the host: known to be empty
        QCOMPARE(copy.resolv->nameservers, std::vector<std::string> { "100.100.100.100" });
        QCOMPARE(document(copy)["sources"][7]["encoding"].get<std::string>(), std::string("base64"));
    }

    void newerVersionIsRefused()
    {
        auto doc = document(*tailscaleHost());
        doc["version"] = model::kSnapshotFormatVersion + 1;
        const auto loaded = model::snapshotFromJson(doc.dump(), "future.chainsight.json");
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, model::ErrorCode::UnsupportedVersion);
        QVERIFY(loaded.error().message.find("newer Chainsight") != std::string::npos);
        QCOMPARE(loaded.error().where, std::string("future.chainsight.json"));
    }

    void tamperedSourceIsRefused()
    {
        auto doc = document(*tailscaleHost());
        auto& text = doc["sources"][0]["text"];
        std::string changed = text.get<std::string>();
        changed.replace(changed.find("-j DROP"), 7, "-j ACCEPT");
        text = changed;
        const auto loaded = model::snapshotFromJson(doc.dump(), "x");
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, model::ErrorCode::Checksum);
        QVERIFY2(loaded.error().message.find("source 1 (iptables, iptables-save)") != std::string::npos, loaded.error().message.c_str());
    }

    void foreignDocumentsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("code");
        QTest::newRow("not a snapshot") << QByteArray("{\"format\":\"other\",\"version\":1,\"sources\":[]}") << int(model::ErrorCode::UnknownFormat);
        QTest::newRow("sources not an array") << QByteArray("{\"format\":\"chainsight-snapshot\",\"version\":1,\"sources\":{}}") << int(model::ErrorCode::JsonShape);
        QTest::newRow("version a string") << QByteArray("{\"format\":\"chainsight-snapshot\",\"version\":\"one\",\"sources\":[]}") << int(model::ErrorCode::JsonShape);
        QTest::newRow("cut short") << QByteArray("{\"format\":\"chainsight-snapshot\",\"version\":1,\"sources\":[{\"kind\":\"ipt") << int(model::ErrorCode::InvalidJson);
        QTest::newRow("bad base64") << QByteArray("{\"format\":\"chainsight-snapshot\",\"version\":1,\"sources\":[{\"kind\":\"ipset\",\"encoding\":\"base64\",\"text\":\"@@@\",\"sha256\":\"\"}]}") << int(model::ErrorCode::JsonShape);
    }
    void foreignDocumentsAreRefused()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, code);
        const auto loaded = model::snapshotFromJson(text.toStdString(), "f");
        QVERIFY(!loaded.ok());
        QCOMPARE(int(loaded.error().code), code);
    }

    // A write that fails half-way (here: the file size limit, as a full disk would) leaves the old file intact.
    void failedSaveKeepsPreviousFile()
    {
        const auto snapshot = tailscaleHost();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("host.chainsight.json"));
        QFile previous(path);
        QVERIFY(previous.open(QIODevice::WriteOnly));
        previous.write("previous content\n");
        previous.close();

        rlimit original {};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &original), 0);
        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limited = original;
        limited.rlim_cur = 4096;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
        const auto saved = model::saveSnapshotFile(*snapshot, path);
        setrlimit(RLIMIT_FSIZE, &original);
        std::signal(SIGXFSZ, oldHandler);

        QVERIFY(!saved.ok());
        QCOMPARE(saved.error().code, model::ErrorCode::Io);
        QCOMPARE(readAll(path), std::string("previous content\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { QStringLiteral("host.chainsight.json") });

        QVERIFY(model::saveSnapshotFile(*snapshot, path).ok());
        QVERIFY(model::loadSnapshotFile(path).ok());
    }

    void saveIntoMissingFolderFails()
    {
        QTemporaryDir dir;
        const auto saved = model::saveSnapshotFile(*tailscaleHost(), dir.filePath(QStringLiteral("no/such/folder/x.chainsight.json")));
        QVERIFY(!saved.ok());
        QCOMPARE(saved.error().code, model::ErrorCode::Io);
        QVERIFY(saved.error().where.find("no/such/folder") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestSnapshotFile)
#include "tst_snapshotfile.moc"
