// Building a snapshot from its sources: unknown versus empty, absent tools, failed commands, both iptables
// backends, duplicates, truncated dumps, and what strict and lenient builds do with a source that does not parse.
#include "model/snapshotbuilder.h"

#include <QFile>
#include <QTest>

namespace {

std::string fixture(const char* name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromLatin1(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

model::SnapshotPtr build(std::vector<model::SourceRecord> sources, bool strict = false)
{
    auto built = model::snapshotFromSources({}, std::move(sources), model::BuildOptions { strict });
    return built ? built.value() : nullptr;
}

bool hasNote(const model::Snapshot& s, const std::string& part)
{
    return std::any_of(s.notes.begin(), s.notes.end(), [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

} // namespace

class TestSnapshotBuilder final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nothingCapturedIsUnknown()
    {
        const auto s = build({});
        QVERIFY(s);
        QVERIFY(!s->ipv4 && !s->ipv6 && !s->ipsets && !s->interfaces && !s->routes && !s->resolv && !s->docker);
        QVERIFY(!s->sysctl("net.ipv4.ip_forward"));
    }

    void absentToolsAreKnownEmpty()
    {
        auto ipset = model::makeSource(model::SourceKind::IpsetSave, "ipset save", "", 127);
        ipset.absent = true;
        auto docker = model::makeSource(model::SourceKind::DockerNetworks, "docker network inspect", "", 127);
        docker.absent = true;
        const auto s = build({ ipset, docker });
        QVERIFY(s->ipsets && s->ipsets->empty());
        QVERIFY(s->docker && s->docker->networks && s->docker->networks->empty());
        QVERIFY(!s->docker->containers); // not asked: still unknown
        QVERIFY(hasNote(*s, "not present on the host"));
    }

    void failedCommandWithoutOutputStaysUnknown()
    {
        const auto s = build({ model::makeSource(model::SourceKind::DockerContainers, "docker inspect", "", 1) });
        QVERIFY(!s->docker || !s->docker->containers);
        QVERIFY(hasNote(*s, "exit status 1"));
    }

    void sourcesFillTheirParts()
    {
        const auto s = build({ model::makeSource(model::SourceKind::IptablesV4, "iptables-save", fixture("docker-28.x-a-default-bridge.rules")),
                                model::makeSource(model::SourceKind::IpRoute, "ip -j route", fixture("host-ip-route.json")),
                                model::makeSource(model::SourceKind::IpRoute6, "ip -j -6 route", "[{\"dst\":\"fe80::/64\",\"dev\":\"eth0\"}]"),
                                model::makeSource(model::SourceKind::DockerInfo, "docker info", "{\"Name\":\"web1\",\"ServerVersion\":\"28.5.2\",\"KernelVersion\":\"6.1.0-28-amd64\",\"Swarm\":{\"LocalNodeState\":\"inactive\"}}"),
                                model::makeSource(model::SourceKind::KernelRelease, "uname -r", "6.1.0-29-amd64\n"),
                                model::makeSource(model::SourceKind::Sysctl, "sysctl", "net.ipv4.ip_forward = 1\n") },
            true);
        QVERIFY(s);
        QCOMPARE(s->ipv4->family, model::Family::IPv4);
        QVERIFY(s->ipv4->ruleCount() > 0);
        QVERIFY(!s->ipv6);
        QVERIFY(s->routes->back().ipv6);
        QVERIFY(!s->routes->front().ipv6);
        QCOMPARE(s->meta.hostname, std::string("web1"));
        QCOMPARE(s->docker->version, std::optional<std::string>("28.5.2"));
        QCOMPARE(s->docker->swarmActive, std::optional<bool>(false));
        QCOMPARE(s->kernelRelease, std::optional<std::string>("6.1.0-29-amd64")); // uname -r wins over the daemon
        QCOMPARE(s->sysctl("net.ipv4.ip_forward"), std::optional<std::string>("1"));
        for (const auto& r : s->sources)
            QCOMPARE(r.sha256.size(), std::size_t(64));
    }

    void bothBackendsUseTheFirstAndReportTheOther()
    {
        auto nft = model::makeSource(model::SourceKind::IptablesV4, "iptables-nft-save", fixture("docker-28.x-c-tailscale.rules"));
        nft.variant = "nft";
        auto legacy = model::makeSource(model::SourceKind::IptablesV4, "iptables-legacy-save", fixture("docker-27.5.1-a-default-bridge.rules"));
        legacy.variant = "legacy";
        const auto s = build({ nft, legacy }, true);
        QVERIFY(s);
        QVERIFY(s->ipv4->table("raw")); // the nft one (28.x writes raw PREROUTING rules)
        QVERIFY(hasNote(*s, "iptables-legacy-save) also holds"));
    }

    void duplicateSources()
    {
        const auto a = model::makeSource(model::SourceKind::ResolvConf, "/etc/resolv.conf", "nameserver 1.1.1.1\n");
        const auto b = model::makeSource(model::SourceKind::ResolvConf, "/run/systemd/resolve/resolv.conf", "nameserver 9.9.9.9\n");
        const auto strict = model::snapshotFromSources({}, { a, b }, model::BuildOptions { true });
        QVERIFY(!strict.ok());
        QCOMPARE(strict.error().code, model::ErrorCode::Conflict);
        QVERIFY(strict.error().message.find("/etc/resolv.conf and /run/systemd/resolve/resolv.conf") != std::string::npos);
        const auto lenient = build({ a, b });
        QCOMPARE(lenient->resolv->nameservers, std::vector<std::string> { "1.1.1.1" });
        QVERIFY(hasNote(*lenient, "the second is ignored"));
    }

    void unreadableSourceStrictAndLenient()
    {
        const auto bad = model::makeSource(model::SourceKind::DockerNetworks, "docker network inspect", "[{\"Internal\": 1}]");
        const auto good = model::makeSource(model::SourceKind::IpAddr, "ip -j addr", fixture("host-ip-addr.json"));
        const auto strict = model::snapshotFromSources({}, { good, bad }, model::BuildOptions { true });
        QVERIFY(!strict.ok());
        QCOMPARE(strict.error().code, model::ErrorCode::JsonShape);
        QCOMPARE(strict.error().where, std::string("docker network inspect"));
        const auto lenient = build({ good, bad });
        QVERIFY(lenient);
        QVERIFY(lenient->interfaces);
        QVERIFY(!lenient->docker || !lenient->docker->networks);
        QVERIFY(hasNote(*lenient, "/0/Internal"));
    }

    void truncatedDumpIsReadUpToTheCut()
    {
        std::string text = fixture("docker-28.x-b-usernet-portmap.rules");
        text.resize(text.find("COMMIT", text.find("*filter")) - 20); // mid-rule, inside *filter
        const auto s = build({ model::makeSource(model::SourceKind::IptablesV4, "pasted", text) }, true);
        QVERIFY(s);
        QVERIFY(s->ipv4->truncatedAtLine);
        QVERIFY(hasNote(*s, "truncated at line " + std::to_string(*s->ipv4->truncatedAtLine)));
    }

    void unknownKindIsKeptAndReported()
    {
        const auto s = build({ model::makeSource("conntrack", "conntrack -L", "tcp 6 431999 ESTABLISHED\n") });
        QCOMPARE(s->sources.size(), std::size_t(1));
        QVERIFY(hasNote(*s, "kept verbatim"));
    }
};

QTEST_GUILESS_MAIN(TestSnapshotBuilder)
#include "tst_snapshotbuilder.moc"
