// The host source parsers: Docker JSON, daemon.json, ip -j, ipset save, resolv.conf, sysctl.
#include "model/parse/detect.h"
#include "model/parse/docker.h"
#include "model/parse/hosttext.h"
#include "model/parse/iproute.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTest>

namespace {

QByteArray fixture(const QString& name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + name);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

template <typename T>
std::optional<model::ParseError> errorOf(const model::Result<T>& r)
{
    return r.ok() ? std::nullopt : std::optional<model::ParseError>(r.error());
}

// Runs the named parser and returns its error, if any.
std::optional<model::ParseError> run(const QString& parser, const std::string& text)
{
    using namespace model::parse;
    if (parser == QLatin1String("networks"))
        return errorOf(parseDockerNetworks(text));
    if (parser == QLatin1String("containers"))
        return errorOf(parseDockerContainers(text));
    if (parser == QLatin1String("version"))
        return errorOf(parseDockerVersion(text));
    if (parser == QLatin1String("info"))
        return errorOf(parseDockerInfo(text));
    if (parser == QLatin1String("daemon"))
        return errorOf(parseDaemonJson(text));
    if (parser == QLatin1String("addr"))
        return errorOf(parseIpAddr(text));
    if (parser == QLatin1String("route"))
        return errorOf(parseIpRoute(text));
    if (parser == QLatin1String("ipset"))
        return errorOf(parseIpsetSave(text));
    if (parser == QLatin1String("resolv"))
        return errorOf(parseResolvConf(text));
    if (parser == QLatin1String("sysctl"))
        return errorOf(parseSysctl(text));
    qFatal("unknown parser");
}

const char* kContainers = "[{\"Id\":\"0f96\",\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx\"},\"State\":{\"Running\":true},"
                          "\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}},"
                          "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}],\"443/tcp\":null},"
                          "\"Networks\":{\"mynet\":{\"IPAddress\":\"172.18.0.2\",\"GlobalIPv6Address\":\"fd00::2\"}}}},"
                          "{\"Id\":\"77\",\"Name\":\"/db\",\"State\":{\"Running\":false},\"HostConfig\":{\"PortBindings\":"
                          "{\"5432/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]}},\"NetworkSettings\":{\"Ports\":{}}}]";

} // namespace

class TestHostParsers final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dockerNetworksFromEveryFixture()
    {
        const auto files = QDir(QStringLiteral(CHAINSIGHT_FIXTURES_DIR)).entryList({ QStringLiteral("*.networks.json") });
        QCOMPARE(files.size(), 12);
        for (const QString& name : files) {
            const auto parsed = model::parse::parseDockerNetworks(fixture(name).toStdString());
            QVERIFY2(parsed.ok(), qPrintable(name));
            const auto& bridge = parsed.value().at(0);
            QCOMPARE(bridge.name, std::string("bridge"));
            QCOMPARE(bridge.bridgeName, std::string("docker0"));
            QCOMPARE(bridge.subnets.at(0).subnet, std::string("172.17.0.0/16"));
            QVERIFY(bridge.icc && bridge.masquerade && bridge.enableIPv4 && !bridge.internal);
        }
    }

    void dockerNetworkDetails()
    {
        const auto parsed = model::parse::parseDockerNetworks(fixture(QStringLiteral("docker-28.x-c-tailscale.networks.json")).toStdString());
        QVERIFY(parsed.ok());
        const auto& mynet = parsed.value().at(1);
        QCOMPARE(mynet.bridgeName, std::string("br-897b3066eb8a")); // no name option: "br-" + 12 id characters
        QCOMPARE(mynet.endpoints.size(), std::size_t(1));
        QCOMPARE(mynet.endpoints[0].containerName, std::string("web"));
        QCOMPARE(mynet.endpoints[0].ipv4, std::string("172.18.0.2"));

        const std::string custom = "[{\"Name\":\"lan\",\"Id\":\"abc\",\"Driver\":\"bridge\",\"EnableIPv6\":true,\"Internal\":true,"
                                   "\"IPAM\":{\"Config\":[{\"Subnet\":\"192.168.50.0/24\"},{\"Subnet\":\"fd00:50::/64\",\"Gateway\":\"fd00:50::1\"}]},"
                                   "\"Options\":{\"com.docker.network.bridge.name\":\"br-lan\",\"com.docker.network.bridge.gateway_mode_ipv4\":\"routed\","
                                   "\"com.docker.network.bridge.gateway_mode_ipv6\":\"isolated\",\"com.docker.network.bridge.enable_icc\":\"false\","
                                   "\"com.docker.network.bridge.enable_ip_masquerade\":\"false\",\"com.docker.network.bridge.trusted_host_interfaces\":\"eth1:wg0\"}}]";
        const auto lan = model::parse::parseDockerNetworks(custom);
        QVERIFY(lan.ok());
        const auto& n = lan.value().at(0);
        QCOMPARE(n.bridgeName, std::string("br-lan"));
        QVERIFY(n.internal && n.enableIPv6 && !n.icc && !n.masquerade);
        QCOMPARE(n.gatewayModeIPv4, std::string("routed"));
        QCOMPARE(n.gatewayModeIPv6, std::string("isolated"));
        QCOMPARE(n.trustedHostInterfaces, (std::vector<std::string> { "eth1", "wg0" }));
        QCOMPARE(n.subnets.size(), std::size_t(2));
        QVERIFY(!n.subnets[0].ipv6 && n.subnets[1].ipv6);
    }

    void dockerContainers()
    {
        const auto parsed = model::parse::parseDockerContainers(kContainers);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().toString().c_str());
        const auto& web = parsed.value().at(0);
        QCOMPARE(web.name, std::string("web"));
        QCOMPARE(web.image, std::string("nginx"));
        QCOMPARE(web.networkAddresses.at("mynet"), std::string("172.18.0.2"));
        QCOMPARE(web.networkAddressesV6.at("mynet"), std::string("fd00::2"));
        QCOMPARE(web.ports.size(), std::size_t(1)); // 443/tcp is exposed, not published
        QCOMPARE(web.ports[0].hostIp, std::string("0.0.0.0"));
        QCOMPARE(web.ports[0].hostPort, 8080);
        QCOMPARE(web.ports[0].containerPort, 80);
        const auto& db = parsed.value().at(1); // stopped: what it asks for
        QVERIFY(!db.running);
        QCOMPARE(db.ports.at(0).protocol, std::string("udp"));
        QCOMPARE(db.ports.at(0).hostIp, std::string("127.0.0.1"));
        QCOMPARE(db.ports.at(0).hostPort, 0);
    }

    void dockerVersionInfoAndDaemon()
    {
        const auto version = model::parse::parseDockerVersion("{\"Client\":{\"Version\":\"28.5.2\"},\"Server\":{\"Version\":\"28.5.1\",\"ApiVersion\":\"1.51\"}}");
        QVERIFY(version.ok());
        QCOMPARE(version->serverVersion, std::optional<std::string>("28.5.1"));
        const auto noDaemon = model::parse::parseDockerVersion("{\"Client\":{\"Version\":\"28.5.2\"},\"Server\":null}");
        QVERIFY(noDaemon.ok() && !noDaemon->serverVersion);
        const auto info = model::parse::parseDockerInfo("{\"ServerVersion\":\"27.5.1\",\"Swarm\":{\"LocalNodeState\":\"active\"},"
                                                        "\"SecurityOptions\":[\"name=seccomp,profile=builtin\"],\"FirewallBackend\":{\"Driver\":\"iptables\"}}");
        QVERIFY(info.ok());
        QCOMPARE(info->swarmNodeState, std::optional<std::string>("active"));
        QCOMPARE(info->securityOptions.size(), std::size_t(1));
        QCOMPARE(info->firewallDriver, std::optional<std::string>("iptables"));
        const auto daemon = model::parse::parseDaemonJson("{\"iptables\":true,\"ip6tables\":false,\"userland-proxy\":false,\"allow-direct-routing\":true,"
                                                          "\"ip-forward\":true,\"ip-forward-no-drop\":true,\"icc\":false,\"ipv6\":true,"
                                                          "\"firewall-backend\":\"nftables\",\"log-driver\":\"json-file\"}");
        QVERIFY(daemon.ok());
        QCOMPARE(daemon->ip6tables, std::optional<bool>(false));
        QCOMPARE(daemon->userlandProxy, std::optional<bool>(false));
        QCOMPARE(daemon->allowDirectRouting, std::optional<bool>(true));
        QCOMPARE(daemon->ipForwardNoDrop, std::optional<bool>(true));
        QCOMPARE(daemon->icc, std::optional<bool>(false));
        QCOMPARE(daemon->firewallBackend, std::optional<std::string>("nftables"));
        const auto empty = model::parse::parseDaemonJson("{}");
        QVERIFY(empty.ok() && !empty->iptables); // not set: Docker's default applies
    }

    void ipAddrAndRoute()
    {
        const auto addr = model::parse::parseIpAddr(fixture(QStringLiteral("host-tailscale-ip-addr.json")).toStdString());
        QVERIFY(addr.ok());
        const auto& eth0 = addr.value().at(1);
        QCOMPARE(eth0.name, std::string("eth0"));
        QCOMPARE(eth0.addresses.at(0).address, std::string("10.0.0.10"));
        QCOMPARE(eth0.addresses.at(0).prefixLength, 24);
        QVERIFY(eth0.addresses.at(1).ipv6);
        const auto routes = model::parse::parseIpRoute(fixture(QStringLiteral("host-tailscale-ip-route.json")).toStdString());
        QVERIFY(routes.ok());
        QCOMPARE(routes.value().at(0).destination, std::string("default"));
        QCOMPARE(routes.value().at(0).gateway, std::string("10.0.0.1"));
        QCOMPARE(routes.value().at(0).type, std::string("unicast"));
        QCOMPARE(routes.value().at(2).device, std::string("tailscale0"));
        const auto v6 = model::parse::parseIpRoute("[{\"dst\":\"default\",\"gateway\":\"fe80::1\",\"dev\":\"eth0\",\"metric\":1024}]", true);
        QVERIFY(v6.ok() && v6.value().at(0).ipv6 && v6.value().at(0).metric == 1024);
    }

    void textSources()
    {
        const auto sets = model::parse::parseIpsetSave("create docker-ext-bridges-v4 hash:net family inet hashsize 1024 maxelem 65536 bucketsize 12\n"
                                                       "add docker-ext-bridges-v4 172.17.0.0/16\n"
                                                       "create allow hash:ip,port family inet6 comment\n"
                                                       "add allow fd00::1,tcp:443 comment \"web server\"\n");
        QVERIFY(sets.ok());
        QCOMPARE(sets.value().size(), std::size_t(2));
        QCOMPARE(sets.value()[0].type, std::string("hash:net"));
        QCOMPARE(sets.value()[0].members, std::vector<std::string> { "172.17.0.0/16" });
        QCOMPARE(sets.value()[1].family, std::string("inet6"));
        QCOMPARE(sets.value()[1].members.at(0), std::string("fd00::1,tcp:443 comment \"web server\""));
        QVERIFY(model::parse::parseIpsetSave("").ok());

        const auto resolv = model::parse::parseResolvConf("# tailscale\nnameserver 100.100.100.100\r\nsearch a.ts.net example.com\noptions edns0 trust-ad\n");
        QVERIFY(resolv.ok());
        QCOMPARE(resolv->nameservers, std::vector<std::string> { "100.100.100.100" });
        QCOMPARE(resolv->search.size(), std::size_t(2));
        QCOMPARE(resolv->options.at(1), std::string("trust-ad"));

        const auto sysctl = model::parse::parseSysctl("net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter=2\n"
                                                      "sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n");
        QVERIFY(sysctl.ok());
        QCOMPARE(sysctl->values.at("net.ipv4.ip_forward"), std::string("1"));
        QCOMPARE(sysctl->values.at("net.ipv4.conf.all.rp_filter"), std::string("2"));
        QCOMPARE(sysctl->absent, std::vector<std::string> { "net.bridge.bridge-nf-call-iptables" });
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("parser");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("line"); // -1: not checked
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("mentions"); // part of the message (a JSON path, a word)
        using E = model::ErrorCode;
        const QByteArray networks = fixture(QStringLiteral("docker-28.x-c-tailscale.networks.json"));
        QTest::newRow("networks empty") << "networks" << QByteArray() << int(E::Empty) << 0 << 0 << "";
        QTest::newRow("networks blank") << "networks" << QByteArray(" \n\t\n") << int(E::Empty) << 0 << 0 << "";
        QTest::newRow("networks object") << "networks" << QByteArray("{\"Name\":\"bridge\"}") << int(E::JsonShape) << 0 << 0 << "/: expected an array";
        QTest::newRow("networks truncated") << "networks" << networks.left(700) << int(E::InvalidJson) << 26 << -1 << "truncated";
        QTest::newRow("networks invalid") << "networks" << QByteArray("[{\"Name\": bridge}]") << int(E::InvalidJson) << 1 << 11 << "invalid JSON";
        QTest::newRow("networks binary") << "networks" << QByteArray("\x1f\x8b\x08\0\0\0", 6) << int(E::Binary) << 1 << 4 << "";
        QTest::newRow("networks bool as string") << "networks" << QByteArray("[{\"Internal\": \"yes\"}]") << int(E::JsonShape) << 0 << 0 << "/0/Internal: expected a boolean, found a string";
        QTest::newRow("networks IPAM config object") << "networks" << QByteArray("[{\"IPAM\": {\"Config\": {}}}]") << int(E::JsonShape) << 0 << 0 << "/0/IPAM/Config";
        QTest::newRow("networks option number") << "networks" << QByteArray("[{\"Options\": {\"com.docker.network.bridge.name\": 7}}]") << int(E::JsonShape) << 0 << 0 << "/0/Options/com.docker.network.bridge.name";
        QTest::newRow("networks of strings") << "networks" << QByteArray("[\"bridge\"]") << int(E::JsonShape) << 0 << 0 << "/0: expected an object";
        QTest::newRow("networks error on line 3") << "networks" << QByteArray("[\n {\n  \"Name\": ,\n }\n]") << int(E::InvalidJson) << 3 << 11 << "";
        QTest::newRow("containers ports not a list") << "containers" << QByteArray("[{\"NetworkSettings\": {\"Ports\": {\"80/tcp\": \"8080\"}}}]") << int(E::JsonShape) << 0 << 0 << "/0/NetworkSettings/Ports/80/tcp";
        QTest::newRow("containers port word") << "containers" << QByteArray("[{\"NetworkSettings\": {\"Ports\": {\"80/tcp\": [{\"HostPort\": \"http\"}]}}}]") << int(E::JsonShape) << 0 << 0 << "/0/NetworkSettings/Ports/80/tcp/0/HostPort";
        QTest::newRow("version array") << "version" << QByteArray("[]") << int(E::JsonShape) << 0 << 0 << "expected an object";
        QTest::newRow("version other object") << "version" << QByteArray("{\"foo\": 1}") << int(E::JsonShape) << 0 << 0 << "Client";
        QTest::newRow("info version number") << "info" << QByteArray("{\"ServerVersion\": 28}") << int(E::JsonShape) << 0 << 0 << "/ServerVersion";
        QTest::newRow("daemon bool as string") << "daemon" << QByteArray("{\n  \"iptables\": \"false\"\n}") << int(E::JsonShape) << 0 << 0 << "/iptables: expected a boolean";
        QTest::newRow("daemon trailing comma") << "daemon" << QByteArray("{\n  \"iptables\": false,\n}\n") << int(E::InvalidJson) << 3 << 1 << "";
        QTest::newRow("daemon array") << "daemon" << QByteArray("[1]") << int(E::JsonShape) << 0 << 0 << "expected an object";
        QTest::newRow("addr info object") << "addr" << QByteArray("[{\"ifname\": \"eth0\", \"addr_info\": {}}]") << int(E::JsonShape) << 0 << 0 << "/0/addr_info: expected an array";
        QTest::newRow("addr prefix word") << "addr" << QByteArray("[{\"addr_info\": [{\"local\": \"10.0.0.1\", \"prefixlen\": \"24x\"}]}]") << int(E::JsonShape) << 0 << 0 << "/0/addr_info/0/prefixlen";
        QTest::newRow("route object") << "route" << QByteArray("{\"dst\": \"default\"}") << int(E::JsonShape) << 0 << 0 << "expected an array";
        QTest::newRow("route metric bool") << "route" << QByteArray("[{\"dst\": \"default\", \"metric\": true}]") << int(E::JsonShape) << 0 << 0 << "/0/metric";
        QTest::newRow("ipset create without type") << "ipset" << QByteArray("create s\n") << int(E::Syntax) << 1 << 9 << "type";
        QTest::newRow("ipset add before create") << "ipset" << QByteArray("add s 10.0.0.1\n") << int(E::Syntax) << 1 << 5 << "before it is created";
        QTest::newRow("ipset created twice") << "ipset" << QByteArray("create s hash:ip\ncreate s hash:ip\n") << int(E::Syntax) << 2 << 8 << "twice";
        QTest::newRow("ipset unknown verb") << "ipset" << QByteArray("create s hash:ip\nflush s\n") << int(E::Syntax) << 2 << 1 << "flush";
        QTest::newRow("ipset open quote") << "ipset" << QByteArray("create s hash:ip comment\nadd s 10.0.0.1 comment \"web\n") << int(E::UnbalancedQuote) << 2 << 24 << "";
        QTest::newRow("ipset binary") << "ipset" << QByteArray("create s hash:ip\n\0\0", 19) << int(E::Binary) << 2 << 1 << "";
        QTest::newRow("ipset huge line") << "ipset" << (QByteArray("create s hash:ip\nadd s ") + QByteArray(2 * 1024 * 1024, '1')) << int(E::LineTooLong) << 2 << -1 << "";
        QTest::newRow("resolv nameserver without address") << "resolv" << QByteArray("search x\nnameserver\n") << int(E::Syntax) << 2 << 11 << "nameserver";
        QTest::newRow("resolv binary") << "resolv" << QByteArray("\0ELF", 4) << int(E::Binary) << 1 << 1 << "";
        QTest::newRow("sysctl without equals") << "sysctl" << QByteArray("net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward 1\n") << int(E::Syntax) << 2 << 1 << "key = value";
        QTest::newRow("sysctl without key") << "sysctl" << QByteArray("  = 1\n") << int(E::Syntax) << 1 << 3 << "key";
    }
    void malformed()
    {
        QFETCH(QString, parser);
        QFETCH(QByteArray, text);
        QFETCH(int, code);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, mentions);
        const auto error = run(parser, text.toStdString());
        QVERIFY2(error, "accepted");
        QVERIFY2(int(error->code) == code, (std::string("got ") + model::errorCodeName(error->code) + ": " + error->toString()).c_str());
        if (line >= 0)
            QCOMPARE(error->line, line);
        if (column >= 0)
            QCOMPARE(error->column, column);
        QVERIFY2(error->message.find(mentions.toStdString()) != std::string::npos, error->message.c_str());
    }

    // 50 MB of printable noise: every reader says no (or, for resolv.conf, finds nothing it knows), quickly.
    void fiftyMegabytesOfGarbage()
    {
        std::string noise(50u << 20, ' ');
        std::uint32_t state = 12345;
        for (std::size_t i = 0; i < noise.size(); ++i) {
            state = state * 1664525u + 1013904223u;
            noise[i] = i % 181 == 180 ? '\n' : static_cast<char>('!' + (state >> 24) % 90);
        }
        noise[0] = '[';
        QElapsedTimer timer;
        timer.start();
        for (const char* parser : { "networks", "containers", "version", "info", "daemon", "addr", "route" }) {
            const auto error = run(QString::fromLatin1(parser), noise);
            QVERIFY2(error && error->code == model::ErrorCode::InvalidJson, parser);
        }
        noise[0] = 'x';
        const auto ipset = run(QStringLiteral("ipset"), noise);
        QVERIFY(ipset && ipset->line == 1 && (ipset->code == model::ErrorCode::Syntax || ipset->code == model::ErrorCode::UnbalancedQuote));
        QCOMPARE(run(QStringLiteral("sysctl"), noise)->code, model::ErrorCode::Syntax);
        const auto resolv = model::parse::parseResolvConf(noise);
        QVERIFY(resolv.ok() && resolv->nameservers.empty());
        QVERIFY(!model::parse::detectSourceKind(noise));
        QVERIFY2(timer.elapsed() < 60000, qPrintable(QString::number(timer.elapsed())));
    }

    // Cut anywhere, a JSON dump is refused as truncated, never half-read.
    void everyCutOfAJsonDumpIsRefused()
    {
        const std::string text = fixture(QStringLiteral("host-tailscale-ip-addr.json")).toStdString();
        const auto end = text.find_last_not_of(" \n");
        for (std::size_t cut = 1; cut <= end; ++cut) {
            const auto parsed = model::parse::parseIpAddr(text.substr(0, cut));
            QVERIFY2(!parsed.ok() && parsed.error().code == model::ErrorCode::InvalidJson, qPrintable(QString::number(cut)));
            QVERIFY(parsed.error().message.find("truncated") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestHostParsers)
#include "tst_hostparsers.moc"
