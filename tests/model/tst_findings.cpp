// The findings catalogue on the shared Docker fixtures (real Docker 27.5.1 / 28.0.0 / 28.x rulesets) and on edits
// of them: each check shows on a ruleset that has the problem and stays silent on one that does not, and the
// recommended fix, applied to the ruleset, makes the engine accept every flow the finding targets.
#include "model/edit/iptablescommand.h"
#include "model/engine/engine.h"
#include "model/findings/finding.h"
#include "model/findings/findingsjson.h"
#include "model/findings/flowcatalogue.h"
#include "model/provenance.h"
#include "model/snapshotbuilder.h"

#include <QFile>
#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>

using namespace model;
using namespace model::findings;

namespace {

std::string readFixture(const std::string& name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromStdString(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", name.c_str());
    return f.readAll().toStdString();
}

// The fixtures carry their ipset state as "#   create ..." / "#   add ..." comment lines.
std::string ipsetSave(const std::string& rules)
{
    std::string out;
    std::size_t pos = 0;
    while ((pos = rules.find("\n#   ", pos)) != std::string::npos) {
        pos += 5;
        const std::size_t end = rules.find('\n', pos);
        const std::string line = rules.substr(pos, end - pos);
        if (line.rfind("create ", 0) == 0 || line.rfind("add ", 0) == 0)
            out += line + "\n";
    }
    return out;
}

struct Extra {
    std::string dockerVersion; // "28.5.2"
    std::string resolv; // resolv.conf text
    std::string networks; // replaces the fixture's networks.json
    std::string sysctl;
};

// A host snapshot from a fixture: "28.x-c-tailscale" -> docker-28.x-c-tailscale.* plus the matching host files.
Snapshot fixture(const std::string& name, const Extra& extra = {})
{
    const std::string base = "docker-" + name;
    const bool tailscale = name.find("tailscale") != std::string::npos;
    const std::string host = tailscale ? "host-tailscale-ip-" : "host-ip-";
    const std::string rules = readFixture(base + ".rules");
    std::vector<SourceRecord> sources { makeSource(SourceKind::IptablesV4, base + ".rules", rules),
        makeSource(SourceKind::IptablesV6, base + ".ip6.rules", readFixture(base + ".ip6.rules")),
        makeSource(SourceKind::DockerNetworks, base + ".networks.json",
            extra.networks.empty() ? readFixture(base + ".networks.json") : extra.networks),
        makeSource(SourceKind::IpAddr, host + "addr.json", readFixture(host + "addr.json")),
        makeSource(SourceKind::IpRoute, host + "route.json", readFixture(host + "route.json")),
        makeSource(SourceKind::IpsetSave, "ipset comments", ipsetSave(rules)) };
    if (!extra.dockerVersion.empty())
        sources.push_back(makeSource(SourceKind::DockerVersion, "test",
            R"({"Server":{"Version":")" + extra.dockerVersion + R"(","ApiVersion":"1.51"}})"));
    if (!extra.resolv.empty())
        sources.push_back(makeSource(SourceKind::ResolvConf, "test", extra.resolv));
    if (!extra.sysctl.empty())
        sources.push_back(makeSource(SourceKind::Sysctl, "test", extra.sysctl));
    auto built = snapshotFromSources(SnapshotMeta {}, std::move(sources), BuildOptions { true });
    if (!built)
        qFatal("fixture %s: %s", name.c_str(), built.error().toString().c_str());
    return *built.value();
}

Snapshot edited(Snapshot s, const std::vector<std::string>& commands, Family family = Family::IPv4)
{
    RulesetPtr& slot = family == Family::IPv4 ? s.ipv4 : s.ipv6;
    auto applied = edit::applyIptablesCommands(*slot, commands);
    if (!applied)
        qFatal("edit: %s", applied.error().toString().c_str());
    Ruleset rules = std::move(applied).value();
    classifyProvenance(rules); // as every parser does
    slot = std::make_shared<Ruleset>(std::move(rules));
    return s;
}

const Finding* find(const std::vector<Finding>& all, const std::string& id)
{
    auto it = std::find_if(all.begin(), all.end(), [&](const Finding& f) { return f.id == id; });
    return it == all.end() ? nullptr : &*it;
}

const fix::FixOption* recommended(const Finding& f)
{
    auto it = std::find_if(f.fixes.begin(), f.fixes.end(), [](const fix::FixOption& o) { return o.recommended; });
    return it == f.fixes.end() ? nullptr : &*it;
}

// Applies the recommended option's rules and traces every target: each must get the fate it wants.
QString fixFailure(const Snapshot& after, const Finding& f)
{
    const fix::FixOption* option = recommended(f);
    if (!option)
        return QStringLiteral("no recommended fix");
    std::vector<std::string> commands;
    for (const auto& r : option->rules)
        commands.push_back(ruleChangeCommand(r));
    const Snapshot fixedSnapshot = edited(after, commands);
    const auto engine = engine::Engine::fromSnapshot(fixedSnapshot);
    if (f.targets.empty())
        return QStringLiteral("no targets");
    for (const auto& t : f.targets) {
        const auto r = engine->traceFlow(t.packet);
        if (r.fate != t.wanted)
            return QString::fromStdString(t.label + ": " + engine::fateName(r.fate) + " by " + r.qualifiedDeciding());
    }
    return {};
}

bool hasFlow(const Finding& f, const std::string& labelPart)
{
    return std::any_of(f.flows.begin(), f.flows.end(),
        [&](const EvidenceFlow& e) { return e.probe.label.find(labelPart) != std::string::npos; });
}

std::vector<std::string> commandsOf(const fix::FixOption& o)
{
    std::vector<std::string> out;
    for (const auto& r : o.rules)
        out.push_back(ruleChangeCommand(r));
    return out;
}

const std::string kTsStateful
    = "iptables -I ts-forward 4 -o tailscale0 -m conntrack ! --ctstate ESTABLISHED,RELATED -j DROP";

} // namespace

class TestFindings final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // A stop is asked between flows and checks: a yes leaves no findings, a no changes nothing.
    void aStoppedAnalysisGivesNoFindings()
    {
        const Snapshot before = fixture("27.5.1-b-usernet-portmap");
        const Snapshot after = fixture("28.x-b-usernet-portmap");
        AnalyseOptions options;
        int asked = 0;
        options.stop = [&asked] { ++asked; return false; };
        const auto all = analyse(after, &before, options);
        QVERIFY(find(all, "direct-routing-raw-drop"));
        QVERIFY(asked > 9); // at least once before each check
        options.stop = [] { return true; };
        QVERIFY(analyse(after, &before, options).empty());
    }

    void directRoutingAfterTheUpgradeWithTheVerifiedFix()
    {
        const Snapshot before = fixture("27.5.1-b-usernet-portmap");
        const Snapshot after = fixture("28.x-b-usernet-portmap");
        const auto all = analyse(after, &before);
        const Finding* f = find(all, "direct-routing-raw-drop");
        QVERIFY(f);
        QCOMPARE(f->severity, Severity::High);
        QVERIFY(hasFlow(*f, "LAN 10.0.0.50 on eth0 -> container web 172.18.0.2:80/tcp on mynet"));
        QCOMPARE(f->rules.front().text, std::string("-A PREROUTING -d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP"));
        QCOMPARE(f->rules.front().provenance, Provenance::Docker);
        QVERIFY(f->impact.find("can no longer reach") != std::string::npos);
        // Only the published port worked before: the fix exempts the peers in raw and opens nothing more.
        QCOMPARE(commandsOf(*recommended(*f)),
            std::vector<std::string> {
                "iptables -t raw -I PREROUTING -i eth0 -s 10.0.0.0/24 -d 172.18.0.0/16 -j ACCEPT" });
        // Without a before snapshot (direct routing wanted) it is exactly the pair verified on the kernel for this
        // fixture.
        const auto wanted = analyse(after, nullptr);
        const std::vector<std::string> verified {
            "iptables -t raw -I PREROUTING -i eth0 -s 10.0.0.0/24 -d 172.18.0.0/16 -j ACCEPT",
            "iptables -I DOCKER-USER -i eth0 -s 10.0.0.0/24 -o br-897b3066eb8a -j ACCEPT"
        };
        QCOMPARE(commandsOf(*recommended(*find(wanted, "direct-routing-raw-drop"))), verified);
        QVERIFY(fixFailure(after, *find(wanted, "direct-routing-raw-drop")).isEmpty());
        QVERIFY(recommended(*f)->persistUnit);
        std::vector<std::string> ids;
        for (const auto& o : f->fixes)
            ids.push_back(o.id);
        QCOMPARE(ids,
            (std::vector<std::string> {
                "raw-exemption", "trusted-host-interfaces", "allow-direct-routing", "gateway-mode" }));
        const QString failure = fixFailure(after, *f);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    void directRoutingNotReportedWhereDockerDoesNotDropIt()
    {
        const auto old = analyse(fixture("27.5.1-b-usernet-portmap"), nullptr);
        QVERIFY(!find(old, "direct-routing-raw-drop"));
        // Without a before snapshot the 28.x drop is still reported, as a possibility rather than a regression.
        const auto now = analyse(fixture("28.x-c-tailscale"), nullptr);
        const Finding* f = find(now, "direct-routing-raw-drop");
        QVERIFY(f);
        QCOMPARE(f->severity, Severity::Medium);
        QVERIFY(hasFlow(*f, "tailnet 100.64.0.50 on tailscale0 -> container web 172.18.0.2:80/tcp"));
    }

    void unpublishedPortDropOn2800()
    {
        const Snapshot before = fixture("27.5.1-c-tailscale");
        const Snapshot after = fixture("28.0.0-c-tailscale");
        const auto all = analyse(after, &before);
        const Finding* f = find(all, "unpublished-port-drop");
        QVERIFY(f);
        QVERIFY(hasFlow(
            *f, "tailnet 100.64.0.50 on tailscale0 -> container web 172.18.0.2:22/tcp on mynet (not published)"));
        QVERIFY(f->explanation.find("ts-forward") != std::string::npos); // names what accepted it before
        const QString failure = fixFailure(after, *f);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // Without the before snapshot the engine still finds that ts-forward would accept them but for the DROP.
        const auto alone = analyse(after, nullptr);
        const Finding* g = find(alone, "unpublished-port-drop");
        QVERIFY(g);
        QCOMPARE(g->severity, Severity::Medium);
        QVERIFY(std::any_of(g->rules.begin(), g->rules.end(),
            [](const EvidenceRule& r) { return r.chain == "ts-forward" && r.provenance == Provenance::Tailscale; }));
        QVERIFY(!find(analyse(fixture("28.0.0-b-usernet-portmap"), nullptr), "unpublished-port-drop"));
        // On 28.x the raw drop decides these flows instead: that is the other finding, not this one.
        const Snapshot later = fixture("28.x-c-tailscale");
        QVERIFY(!find(analyse(later, &before), "unpublished-port-drop"));
    }

    void oracleRejectBeforeDockersAccept()
    {
        const Snapshot before = fixture("27.5.1-d-oracle-cloud");
        const Snapshot after = fixture("28.0.0-d-oracle-cloud");
        const auto all = analyse(after, &before);
        const Finding* f = find(all, "host-forward-rule-before-docker");
        QVERIFY(f);
        QCOMPARE(all.front().id, f->id); // the most severe comes first
        QVERIFY(hasFlow(*f, "container web 172.18.0.2 on mynet -> Internet 1.1.1.1:443/tcp via eth0"));
        QVERIFY(hasFlow(*f, "Internet 203.0.113.7 on eth0 -> 10.0.0.10:8080/tcp (published port of web on mynet)"));
        QVERIFY(f->explanation.find("reply") != std::string::npos);
        QCOMPARE(f->rules.front().provenance, Provenance::CloudImage);
        QCOMPARE(commandsOf(*recommended(*f)),
            (std::vector<std::string> { "iptables -I DOCKER-USER -i docker0 -o eth0 -j ACCEPT",
                "iptables -I DOCKER-USER -i br-897b3066eb8a -o eth0 -j ACCEPT" }));
        const QString failure = fixFailure(after, *f);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(!find(analyse(fixture("28.x-d-oracle-cloud"), &before), "host-forward-rule-before-docker"));
    }

    void tailscaleStatefulFilteringDropsContainerTraffic()
    {
        const Snapshot after = edited(fixture("28.0.0-c-tailscale"), { kTsStateful });
        const auto all = analyse(after, nullptr);
        const Finding* f = find(all, "tailscale-forward-order");
        QVERIFY(f);
        QVERIFY(hasFlow(*f, "container web 172.18.0.2 on mynet -> tailnet 100.64.0.50:443/tcp on tailscale0"));
        QVERIFY(f->explanation.find("dockerd started after tailscaled") != std::string::npos);
        const QString failure = fixFailure(after, *f);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // 28.x accepts container traffic in DOCKER-FORWARD before ts-forward when dockerd started last ...
        QVERIFY(
            !find(analyse(edited(fixture("28.x-c-tailscale"), { kTsStateful }), nullptr), "tailscale-forward-order"));
        // ... but not when tailscaled restarted after it.
        const Snapshot tsTop = edited(fixture("28.x-c-tailscale"),
            { "iptables -D FORWARD -j ts-forward", "iptables -I FORWARD 1 -j ts-forward", kTsStateful });
        const auto topFindings = analyse(tsTop, nullptr);
        const Finding* top = find(topFindings, "tailscale-forward-order");
        QVERIFY(top);
        QVERIFY2(top->explanation.find("tailscaled started (or restarted) after dockerd") != std::string::npos,
            top->explanation.c_str());
    }

    void dnsOfTheDefaultBridgeThroughForward()
    {
        // A container on the default bridge, resolving through the VCN's resolver: on 28.0.0 Oracle's REJECT stops it.
        auto networks = nlohmann::json::parse(readFixture("docker-28.0.0-d-oracle-cloud.networks.json"));
        for (auto& n : networks)
            if (n.at("Name") == "bridge")
                n["Containers"]
                    = { { "c0ffee", { { "Name", "db" }, { "IPv4Address", "172.17.0.2/16" }, { "IPv6Address", "" } } } };
        const Extra extra { "28.0.0", "nameserver 169.254.169.254\n", networks.dump(), {} };
        const Snapshot after = fixture("28.0.0-d-oracle-cloud", extra);
        const auto all = analyse(after, nullptr);
        const Finding* f = find(all, "dns-unreachable");
        QVERIFY(f);
        QVERIFY(hasFlow(*f, "DNS of network bridge: container db 172.17.0.2 -> nameserver 169.254.169.254:53/udp"));
        QVERIFY(f->title.find("169.254.169.254") != std::string::npos);
        const QString failure = fixFailure(after, *f);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // mynet's queries leave from the host namespace (OUTPUT), which accepts them: no finding for mynet.
        QVERIFY(!hasFlow(*f, "DNS of network mynet"));
        auto later = networks;
        const Extra extra28 { "28.5.2", extra.resolv, later.dump(), {} };
        QVERIFY(!find(analyse(fixture("28.x-d-oracle-cloud", extra28), nullptr), "dns-unreachable"));
    }

    void swarmIngressBelowDockersRules()
    {
        const std::vector<std::string> chain { "iptables -N DOCKER-INGRESS", "iptables -A DOCKER-INGRESS -j RETURN" };
        auto below = chain;
        below.push_back("iptables -A DOCKER-FORWARD -j DOCKER-INGRESS");
        const Snapshot after = edited(fixture("28.x-b-usernet-portmap"), below);
        const auto all = analyse(after, nullptr);
        const Finding* f = find(all, "swarm-ingress-order");
        QVERIFY(f);
        QCOMPARE(
            commandsOf(*recommended(*f)), std::vector<std::string> { "iptables -I DOCKER-FORWARD -j DOCKER-INGRESS" });
        QVERIFY(!find(analyse(edited(after, commandsOf(*recommended(*f))), nullptr), "swarm-ingress-order"));
        auto missing = chain;
        const auto missingFindings = analyse(edited(fixture("28.x-b-usernet-portmap"), missing), nullptr);
        QVERIFY(find(missingFindings, "swarm-ingress-order"));
        QVERIFY(find(missingFindings, "swarm-ingress-order")->title.find("not jumped to") != std::string::npos);
        auto first = chain;
        first.push_back("iptables -I DOCKER-FORWARD 1 -j DOCKER-INGRESS");
        QVERIFY(!find(analyse(edited(fixture("28.x-b-usernet-portmap"), first), nullptr), "swarm-ingress-order"));
    }

    void orphanedDockerForward()
    {
        const Snapshot after = edited(fixture("28.x-b-usernet-portmap"), { "iptables -D FORWARD -j DOCKER-FORWARD" });
        const auto all = analyse(after, nullptr);
        const Finding* f = find(all, "docker-forward-orphaned");
        QVERIFY(f);
        QCOMPARE(f->severity, Severity::High);
        QCOMPARE(commandsOf(*recommended(*f)), std::vector<std::string> { "iptables -I FORWARD 2 -j DOCKER-FORWARD" });
        QVERIFY(!find(analyse(edited(after, commandsOf(*recommended(*f))), nullptr), "docker-forward-orphaned"));
        QVERIFY(!find(analyse(fixture("28.x-b-usernet-portmap"), nullptr), "docker-forward-orphaned"));
    }

    void dockerUserReturnHidesAppendedRules()
    {
        const auto all
            = analyse(edited(fixture("28.x-b-usernet-portmap"),
                          { "iptables -A DOCKER-USER -j RETURN", "iptables -A DOCKER-USER -s 192.0.2.0/24 -j DROP" }),
                nullptr);
        const Finding* f = find(all, "docker-user-return");
        QVERIFY(f);
        QCOMPARE(f->rules.back().text, std::string("-A DOCKER-USER -s 192.0.2.0/24 -j DROP"));
        const Finding* unreachable = find(all, "unreachable-rules");
        QVERIFY(unreachable);
        QVERIFY(std::any_of(unreachable->rules.begin(), unreachable->rules.end(), [](const EvidenceRule& r) {
            return r.text == "-A DOCKER-USER -j RETURN" && r.role == "shadows the rules after it";
        }));
        const auto fine = analyse(
            edited(fixture("28.x-b-usernet-portmap"), { "iptables -I DOCKER-USER -s 192.0.2.0/24 -j DROP" }), nullptr);
        QVERIFY(!find(fine, "docker-user-return"));
        QVERIFY(!find(fine, "unreachable-rules"));
    }

    void layoutContradictsTheReportedVersion()
    {
        QVERIFY(find(analyse(fixture("28.x-b-usernet-portmap", Extra { "27.5.1", {}, {}, {} }), nullptr),
            "downgrade-leftover-chains"));
        QVERIFY(find(analyse(fixture("27.5.1-b-usernet-portmap", Extra { "28.5.2", {}, {}, {} }), nullptr),
            "layout-version-mismatch"));
        for (const auto& [name, version] : { std::pair { "28.x-b-usernet-portmap", "28.5.2" },
                 { "27.5.1-b-usernet-portmap", "27.5.1" }, { "28.0.0-b-usernet-portmap", "28.0.0" } }) {
            const auto all = analyse(fixture(name, Extra { version, {}, {}, {} }), nullptr);
            QVERIFY2(!find(all, "downgrade-leftover-chains") && !find(all, "layout-version-mismatch"), name);
        }
    }

    void ipv6ForwardDropLeftFrom27()
    {
        const Extra extra { "28.5.2", {}, {}, "net.ipv6.conf.all.forwarding = 1\n" };
        const Snapshot upgraded
            = edited(fixture("28.x-c-tailscale", extra), { "ip6tables -P FORWARD DROP" }, Family::IPv6);
        const auto all = analyse(upgraded, nullptr);
        const Finding* f = find(all, "ipv6-forward-policy-drop");
        QVERIFY(f);
        QCOMPARE(f->severity, Severity::Medium);
        QCOMPARE(f->rules.front().family, Family::IPv6);
        const Snapshot before = fixture("27.5.1-c-tailscale", Extra { "27.5.1", {}, {}, extra.sysctl });
        const auto againstBefore = analyse(upgraded, &before);
        QVERIFY(find(againstBefore, "ipv6-forward-policy-drop"));
        QVERIFY(
            find(againstBefore, "ipv6-forward-policy-drop")->title.find("survived the upgrade") != std::string::npos);
        QVERIFY(!find(analyse(fixture("28.x-c-tailscale", extra), nullptr), "ipv6-forward-policy-drop"));
        QVERIFY(!find(analyse(fixture("27.5.1-c-tailscale", Extra { "27.5.1", {}, {}, extra.sysctl }), nullptr),
            "ipv6-forward-policy-drop"));
    }

    void bothBackendsHoldingRules()
    {
        auto snapshotWith = [](bool both) {
            std::vector<SourceRecord> sources;
            SourceRecord nft = makeSource(
                SourceKind::IptablesV4, "iptables-nft-save", readFixture("docker-28.x-b-usernet-portmap.rules"));
            nft.variant = "nft";
            sources.push_back(nft);
            if (both) {
                SourceRecord legacy = makeSource(SourceKind::IptablesV4, "iptables-legacy-save",
                    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j "
                    "REJECT\nCOMMIT\n");
                legacy.variant = "legacy";
                sources.push_back(legacy);
            }
            return *snapshotFromSources(SnapshotMeta {}, std::move(sources)).value();
        };
        QVERIFY(find(analyse(snapshotWith(true), nullptr), "mixed-backends"));
        QVERIFY(!find(analyse(snapshotWith(false), nullptr), "mixed-backends"));
    }

    void rulesNoPacketReaches()
    {
        const auto all = analyse(fixture("28.0.0-d-oracle-cloud"), nullptr);
        const Finding* f = find(all, "unreachable-rules");
        QVERIFY(f);
        QCOMPARE(f->rules.front().text, std::string("-A FORWARD -j REJECT --reject-with icmp-host-prohibited"));
        QCOMPARE(f->rules.front().provenance, Provenance::CloudImage);
        QCOMPARE(f->rules.at(1).text, std::string("-A FORWARD -i docker0 -j ACCEPT"));
        QVERIFY(!find(analyse(fixture("28.x-d-oracle-cloud"), nullptr), "unreachable-rules"));
    }

    void recommendedFixesOpenNothingThatWasClosed_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        for (const char* scenario : { "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" })
            for (const char* version : { "28.0.0", "28.x" })
                QTest::addRow("%s %s", version, scenario)
                    << QStringLiteral("27.5.1-") + QString::fromLatin1(scenario)
                    << QString::fromLatin1(version) + QLatin1Char('-') + QString::fromLatin1(scenario);
    }
    void recommendedFixesOpenNothingThatWasClosed()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        const Snapshot old = fixture(before.toStdString());
        const Snapshot now = fixture(after.toStdString());
        std::vector<std::string> commands;
        for (const Finding& f : analyse(now, &old))
            if (const fix::FixOption* o = recommended(f))
                for (const auto& c : commandsOf(*o))
                    commands.push_back(c);
        const auto oldEngine = engine::Engine::fromSnapshot(old);
        const auto nowEngine = engine::Engine::fromSnapshot(now);
        const auto fixedEngine = engine::Engine::fromSnapshot(edited(now, commands));
        int restored = 0;
        for (const FlowProbe& p : catalogueFlows(now, nowEngine->host(), 28)) {
            const auto was = oldEngine->traceFlow(p.packet).fate;
            const auto is = nowEngine->traceFlow(p.packet).fate;
            const auto fixed = fixedEngine->traceFlow(p.packet).fate;
            const bool opened
                = fixed == engine::Fate::Accept && was != engine::Fate::Accept && is != engine::Fate::Accept;
            QVERIFY2(!opened, p.label.c_str());
            QVERIFY2(!(was == engine::Fate::Accept && is == engine::Fate::Accept && fixed != engine::Fate::Accept),
                p.label.c_str());
            restored += was == engine::Fate::Accept && is != engine::Fate::Accept && fixed == engine::Fate::Accept;
        }
        QVERIFY(restored > 0); // every pair lost something the fixes bring back
    }

    void dnsOfTheEmbeddedResolverThroughOutput()
    {
        // 28.x forwards mynet's queries from the host namespace: an OUTPUT rule, not FORWARD, decides them.
        const Extra extra { "28.5.2", "nameserver 100.100.100.100\n", {}, {} };
        const Snapshot after
            = edited(fixture("28.x-c-tailscale", extra), { "iptables -I OUTPUT 1 -p udp --dport 53 -j REJECT" });
        const auto all = analyse(after, nullptr);
        const Finding* f = find(all, "dns-unreachable");
        QVERIFY(f);
        QVERIFY(hasFlow(*f, "DNS of network mynet: Docker's embedded resolver, from the host"));
        QCOMPARE(f->rules.front().chain, std::string("OUTPUT"));
        QVERIFY(f->explanation.find("host's own namespace") != std::string::npos);
        const QString failure = fixFailure(after, *f);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(!find(analyse(fixture("28.x-c-tailscale", extra), nullptr), "dns-unreachable"));
    }

    void extraFlowsJoinTheChecks()
    {
        // A flow class from elsewhere (a WireGuard peer the snapshot knows nothing about) is examined like the rest.
        FlowProbe wg;
        wg.label = "WireGuard peer 10.8.0.2 on wg0 -> container web 172.18.0.2:80/tcp on mynet";
        wg.kind = FlowKind::DirectToContainer;
        wg.packet.inInterface = "wg0";
        wg.packet.header.src = *engine::IpAddress::parse("10.8.0.2");
        wg.packet.header.dst = *engine::IpAddress::parse("172.18.0.2");
        wg.packet.header.sport = 40000;
        wg.packet.header.dport = 80;
        wg.peerInterface = "wg0";
        wg.peerSubnet = "10.8.0.0/24";
        wg.peerName = "WireGuard peer";
        wg.network = "mynet";
        wg.bridge = "br-897b3066eb8a";
        wg.bridgeSubnet = "172.18.0.0/16";
        wg.publishedPort = true;
        AnalyseOptions options;
        options.extraFlows.push_back(wg);
        const auto all = analyse(fixture("28.x-b-usernet-portmap"), nullptr, options);
        const Finding* f = find(all, "direct-routing-raw-drop");
        QVERIFY(f);
        QVERIFY(hasFlow(*f, wg.label));
        const auto commands = commandsOf(*recommended(*f));
        QVERIFY(std::find(commands.begin(), commands.end(),
                    "iptables -t raw -I PREROUTING -i wg0 -s 10.8.0.0/24 -d 172.18.0.0/16 -j ACCEPT")
            != commands.end());
    }

    void explainFlowSaysWhenTheFirewallIsNotTheCause()
    {
        const Snapshot s = fixture("28.x-c-tailscale");
        engine::Packet p;
        p.inInterface = "eth0";
        p.header.src = *engine::IpAddress::parse("203.0.113.7");
        p.header.dst = *engine::IpAddress::parse("10.0.0.10");
        p.header.sport = 40000;
        p.header.dport = 8080;
        const Finding accepted = explainFlow(s, p);
        QCOMPARE(accepted.id, std::string("firewall-accepts-flow"));
        QVERIFY(accepted.title.find("The firewall accepts this flow") == 0);
        p.inInterface = "tailscale0";
        p.header.src = *engine::IpAddress::parse("100.64.10.20");
        p.header.dst = *engine::IpAddress::parse("172.18.0.2");
        p.header.dport = 80;
        const Finding blocked = explainFlow(s, p);
        QCOMPARE(blocked.id, std::string("firewall-blocks-flow"));
        QCOMPARE(blocked.rules.front().table, std::string("raw"));
        QCOMPARE(blocked.rules.front().provenance, Provenance::Docker);
    }

    void jsonIsVersionedAndComplete()
    {
        const Snapshot before = fixture("27.5.1-c-tailscale");
        const auto all = analyse(fixture("28.x-c-tailscale"), &before);
        const auto j = findingsToJson(all, { { "after", "a" }, { "before", "b" } });
        QCOMPARE(j.at("schema").get<std::string>(), std::string("chainsight-findings"));
        QCOMPARE(j.at("version").get<int>(), 1);
        const auto& first = j.at("findings").at(0);
        for (const char* key : { "id", "severity", "title", "explanation", "impact", "evidence", "fixes" })
            QVERIFY2(first.contains(key), key);
        QVERIFY(first.at("evidence").at("rules").is_array() && first.at("evidence").at("flows").is_array());
        QCOMPARE(first.at("evidence").at("flows").at(0).at("before").at("verdict").get<std::string>(),
            std::string("ACCEPT"));
        QVERIFY(first.at("fixes").at(0).at("rules").is_array() && first.at("fixes").at(0).at("manual").is_array());
    }
};

QTEST_GUILESS_MAIN(TestFindings)
#include "tst_findings.moc"
