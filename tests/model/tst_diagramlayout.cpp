// The Diagram view's layout: the pipeline in kernel order, every reachable chain accounted for, nothing drawn on
// top of anything else, and the before/after paths of the demo's flows marked where they really go.
#include "model/diagram/layout.h"
#include "model/engine/engine.h"
#include "model/snapshotbuilder.h"
#include "model/snapshotfile.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <set>

using namespace model;
using namespace model::diagram;
using namespace model::engine;

namespace {

SnapshotPtr demo(const char* name)
{
    auto loaded = loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromLatin1(name));
    if (!loaded)
        qFatal("cannot load demo %s", name);
    return *loaded;
}

std::string readText(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll().toStdString();
}

SnapshotPtr fromRules(const std::string& rules, const std::string& networks = {})
{
    std::vector<SourceRecord> sources { makeSource(SourceKind::IptablesV4, "test", rules) };
    if (!networks.empty())
        sources.push_back(makeSource(SourceKind::DockerNetworks, "test", networks));
    auto built = snapshotFromSources({}, std::move(sources), { true });
    if (!built)
        qFatal("cannot build snapshot: %s", built.error().toString().c_str());
    return *built;
}

QStringList fixtureNames()
{
    return QDir(QStringLiteral(CHAINSIGHT_FIXTURES_DIR))
        .entryList({ QStringLiteral("docker-*.rules") }, QDir::Files, QDir::Name)
        .filter(QRegularExpression(QStringLiteral("^(?!.*\\.ip6\\.rules$)")));
}

SnapshotPtr fixture(const QString& name)
{
    const QString dir = QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/");
    QString networks = name;
    networks.replace(QStringLiteral(".rules"), QStringLiteral(".networks.json"));
    return fromRules(readText(dir + name), QFile::exists(dir + networks) ? readText(dir + networks) : std::string());
}

Outcome trace(const SnapshotPtr& snapshot, const char* in, const char* src, const char* dst, int dport)
{
    Packet p;
    p.inInterface = in;
    p.header.src = *IpAddress::parse(src);
    p.header.dst = *IpAddress::parse(dst);
    p.header.protocol = Proto::Tcp;
    p.header.sport = 40000;
    p.header.dport = static_cast<std::uint16_t>(dport);
    return Engine::fromSnapshot(*snapshot)->trace(p).primary();
}

// The user chains reachable from each hook's built-in chains, found independently of the layout.
std::set<std::string> reachableChains(const Ruleset& ruleset, Hook hook, const std::string& tableName)
{
    std::set<std::string> out;
    const Table* table = ruleset.table(tableName);
    if (!table || !table->chain(hookName(hook)))
        return out;
    std::vector<std::string> todo { hookName(hook) };
    while (!todo.empty()) {
        const Chain* chain = table->chain(todo.back());
        todo.pop_back();
        for (const Rule& rule : chain->rules) {
            const Chain* next = table->chain(rule.target.name);
            if (rule.target.kind != Target::Kind::None && next && !next->builtin && out.insert(next->name).second)
                todo.push_back(next->name);
        }
    }
    return out;
}

constexpr Hook kHooks[] = { Hook::Prerouting, Hook::Input, Hook::Forward, Hook::Output, Hook::Postrouting };

void checkGeometry(const Layout& layout)
{
    for (std::size_t i = 0; i < layout.nodes.size(); ++i) {
        const Node& a = layout.nodes[i];
        QVERIFY2(a.rect.width > 0 && a.rect.height > 0, a.id.c_str());
        QVERIFY2(layout.bounds.contains(a.rect), a.id.c_str());
        if (!a.parent.empty())
            QVERIFY2(layout.node(a.parent)->rect.contains(a.rect), a.id.c_str());
        for (std::size_t j = i + 1; j < layout.nodes.size(); ++j) {
            const Node& b = layout.nodes[j];
            const bool nested = a.id == b.parent || b.id == a.parent;
            QVERIFY2(nested || !a.rect.intersects(b.rect), (a.id + " overlaps " + b.id).c_str());
        }
    }
    for (const Edge& e : layout.edges) {
        QVERIFY2(e.points.size() >= 2, e.from.c_str());
        QVERIFY2(layout.node(e.from)->rect.touches(e.points.front()), (e.from + " -> " + e.to).c_str());
        QVERIFY2(layout.node(e.to)->rect.touches(e.points.back()), (e.from + " -> " + e.to).c_str());
    }
}

void checkEveryChainAppears(const Layout& layout, const Ruleset& ruleset)
{
    for (Hook hook : kHooks) {
        for (const std::string& table : tablesAt(hook)) {
            const std::string prefix = std::string("chain:") + hookName(hook) + '/' + table + '/';
            if (ruleset.table(table) && ruleset.table(table)->chain(hookName(hook)))
                QVERIFY2(layout.node(prefix + hookName(hook)), (prefix + hookName(hook)).c_str());
            const Node* collapsed = layout.node(std::string("collapsed:") + hookName(hook) + '/' + table);
            for (const std::string& chain : reachableChains(ruleset, hook, table)) {
                const bool folded = collapsed
                    && std::find(collapsed->members.begin(), collapsed->members.end(), chain) != collapsed->members.end();
                QVERIFY2(layout.node(prefix + chain) || folded, (prefix + chain).c_str());
            }
        }
    }
}

std::string hostWith300Rules()
{
    std::string filter = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                         ":DOCKER - [0:0]\n:DOCKER-FORWARD - [0:0]\n:DOCKER-USER - [0:0]\n";
    std::string rules = "-A FORWARD -j DOCKER-USER\n-A FORWARD -j DOCKER-FORWARD\n";
    std::string nat = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                      ":POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n"
                      "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n";
    for (int i = 0; i < 34; ++i) {
        const std::string n = std::to_string(i);
        const std::string br = "br-" + std::string(12 - n.size(), '0') + n;
        const std::string net = "172." + std::to_string(20 + i) + ".0.";
        filter += ":CUSTOM-" + n + " - [0:0]\n";
        rules += "-A INPUT -s 198.51.100." + n + " -j CUSTOM-" + n + "\n-A CUSTOM-" + n + " -p tcp -m tcp --dport 22 -j ACCEPT\n"
            + "-A CUSTOM-" + n + " -j DROP\n-A DOCKER -d " + net + "2/32 ! -i " + br + " -o " + br
            + " -p tcp -m tcp --dport 80 -j ACCEPT\n-A DOCKER ! -i " + br + " -o " + br + " -j DROP\n"
            + "-A DOCKER-FORWARD -o " + br + " -j DOCKER\n-A DOCKER-FORWARD -i " + br + " -j ACCEPT\n";
        nat += "-A POSTROUTING -s " + net + "0/16 ! -o " + br + " -j MASQUERADE\n-A DOCKER ! -i " + br
            + " -p tcp -m tcp --dport " + std::to_string(8000 + i) + " -j DNAT --to-destination " + net + "2:80\n";
    }
    return filter + rules + "COMMIT\n" + nat + "COMMIT\n";
}

} // namespace

class TestDiagramLayout final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tablesInKernelPriorityOrder();
    void demoPipelineInKernelOrder();
    void fixturesDrawEveryChainWithoutOverlaps_data();
    void fixturesDrawEveryChainWithoutOverlaps();
    void directRoutingFlowDroppedInRawAfter();
    void publishedPortFlowLabelsTheDnat();
    void untouchedChainsCollapseOnABigHost();
    void sameInputSameLayout();
};

void TestDiagramLayout::tablesInKernelPriorityOrder()
{
    // nat's DNAT hooks run before filter, its SNAT hooks after filter and security.
    QCOMPARE(tablesAt(Hook::Prerouting), (std::vector<std::string> { "raw", "mangle", "nat" }));
    QCOMPARE(tablesAt(Hook::Output), (std::vector<std::string> { "raw", "mangle", "nat", "filter", "security" }));
    QCOMPARE(tablesAt(Hook::Input), (std::vector<std::string> { "mangle", "filter", "security", "nat" }));
    QCOMPARE(tablesAt(Hook::Postrouting), (std::vector<std::string> { "mangle", "nat" }));
}

void TestDiagramLayout::demoPipelineInKernelOrder()
{
    const SnapshotPtr after = demo("after.chainsight.json");
    const Layout layout = computeLayout(*after, {}, {});
    const auto x = [&layout](const char* id) {
        const Node* n = layout.node(id);
        return n ? n->rect.x : -1.0;
    };
    QVERIFY(x("in:eth0") >= 0 && x("in:eth0") < x("hook:PREROUTING"));
    QVERIFY(x("hook:PREROUTING") < x("routing"));
    QVERIFY(x("routing") < x("hook:FORWARD"));
    QCOMPARE(x("hook:INPUT"), x("hook:FORWARD"));
    QVERIFY(layout.node("hook:INPUT")->rect.y > layout.node("hook:FORWARD")->rect.bottom());
    QVERIFY(x("hook:FORWARD") < x("local") && x("local") < x("hook:OUTPUT"));
    QVERIFY(x("hook:OUTPUT") < x("hook:POSTROUTING"));
    QVERIFY(x("hook:POSTROUTING") < x("net:br-897b3066eb8a"));
    QVERIFY(layout.node("container:web"));
    QCOMPARE(layout.node("container:web")->parent, std::string("net:br-897b3066eb8a"));

    // Within a hook, the tables' built-in chains stack top to bottom in kernel order.
    const auto y = [&layout](const std::string& id) { return layout.node(id) ? layout.node(id)->rect.y : -1.0; };
    QVERIFY(y("chain:PREROUTING/raw/PREROUTING") >= 0);
    QVERIFY(y("chain:PREROUTING/raw/PREROUTING") < y("chain:PREROUTING/nat/PREROUTING"));
    QVERIFY(y("chain:OUTPUT/raw/OUTPUT") < y("chain:OUTPUT/nat/OUTPUT"));
    QVERIFY(y("chain:OUTPUT/nat/OUTPUT") < y("chain:OUTPUT/filter/OUTPUT"));
    QVERIFY(y("chain:INPUT/filter/INPUT") < y("chain:INPUT/nat/INPUT"));
    checkGeometry(layout);
    checkEveryChainAppears(layout, *after->ipv4);
}

void TestDiagramLayout::fixturesDrawEveryChainWithoutOverlaps_data()
{
    QTest::addColumn<QString>("name");
    const QStringList names = fixtureNames();
    QVERIFY(names.size() >= 12);
    for (const QString& name : names)
        QTest::newRow(qPrintable(name)) << name;
}

void TestDiagramLayout::fixturesDrawEveryChainWithoutOverlaps()
{
    QFETCH(QString, name);
    const SnapshotPtr snapshot = fixture(name);
    QVERIFY(snapshot->ipv4);
    const Layout plain = computeLayout(*snapshot, {}, {});
    checkGeometry(plain);
    checkEveryChainAppears(plain, *snapshot->ipv4);
    // With a path the untouched chains fold away, and still every one is accounted for.
    const Outcome o = trace(snapshot, "eth0", "203.0.113.7", "10.0.0.10", 8080);
    const Layout traced = computeLayout(*snapshot, { &o, "eth0" }, {});
    checkGeometry(traced);
    checkEveryChainAppears(traced, *snapshot->ipv4);
    QVERIFY(traced.node("in:eth0")->paths & PathBit::Before);
}

void TestDiagramLayout::directRoutingFlowDroppedInRawAfter()
{
    const SnapshotPtr before = demo("before.chainsight.json");
    const SnapshotPtr after = demo("after.chainsight.json");
    const Outcome was = trace(before, "tailscale0", "100.64.10.20", "172.18.0.2", 80);
    const Outcome now = trace(after, "tailscale0", "100.64.10.20", "172.18.0.2", 80);
    QCOMPARE(was.fate, Fate::Accept);
    QCOMPARE(now.fate, Fate::Drop);
    const Layout layout = computeLayout(*after, { &was, "tailscale0" }, { &now, "tailscale0" });
    checkGeometry(layout);

    const Node* raw = layout.node("chain:PREROUTING/raw/PREROUTING");
    QVERIFY(raw);
    QVERIFY(raw->paths & PathBit::After);
    QVERIFY(raw->decidedHere & PathBit::After);
    QVERIFY(!(raw->decidedHere & PathBit::Before));
    const Node* web = layout.node("container:web");
    QVERIFY(web);
    QCOMPARE(web->paths, PathBit::Before);
    QCOMPARE(layout.node("hook:FORWARD")->paths, PathBit::Before);
    QCOMPARE(layout.node("in:tailscale0")->paths, PathBit::Before | PathBit::After);
    const Edge* intoPre = nullptr;
    for (const Edge& e : layout.edges) {
        if (e.from == "in:tailscale0" && e.to == "hook:PREROUTING")
            intoPre = &e;
    }
    QVERIFY(intoPre && intoPre->paths == (PathBit::Before | PathBit::After));

    QCOMPARE(layout.decisions.size(), std::size_t(2));
    const Decision& d = layout.decisions[1];
    QCOMPARE(d.path, PathBit::After);
    QCOMPARE(d.node, raw->id);
    QCOMPARE(d.rule, 1);
    QCOMPARE(d.fate, std::string("DROP"));
    QVERIFY(d.text.find("-A PREROUTING -d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP") != std::string::npos);
    QVERIFY(std::find(raw->lines.begin(), raw->lines.end(), "after: DROP at rule 1") != raw->lines.end());
}

void TestDiagramLayout::publishedPortFlowLabelsTheDnat()
{
    const SnapshotPtr before = demo("before.chainsight.json");
    const SnapshotPtr after = demo("after.chainsight.json");
    const Outcome was = trace(before, "eth0", "203.0.113.7", "10.0.0.10", 8080);
    const Outcome now = trace(after, "eth0", "203.0.113.7", "10.0.0.10", 8080);
    const Layout layout = computeLayout(*after, { &was, "eth0" }, { &now, "eth0" });
    checkGeometry(layout);
    const std::string dnat = "DNAT 10.0.0.10:8080 -> 172.18.0.2:80";
    const Node* docker = layout.node("chain:PREROUTING/nat/DOCKER");
    QVERIFY(docker);
    QCOMPARE(docker->paths, PathBit::Before | PathBit::After);
    QVERIFY(std::find(docker->lines.begin(), docker->lines.end(), "before & after: " + dnat) != docker->lines.end());
    QCOMPARE(layout.rewrites.size(), std::size_t(2));
    QCOMPARE(layout.rewrites[0].node, docker->id);
    QCOMPARE(layout.rewrites[0].text, dnat);
    QCOMPARE(layout.node("container:web")->paths, PathBit::Before | PathBit::After);
}

void TestDiagramLayout::untouchedChainsCollapseOnABigHost()
{
    const SnapshotPtr host = fromRules(hostWith300Rules());
    QVERIFY(host->ipv4->ruleCount() >= 300);
    const Layout plain = computeLayout(*host, {}, {});
    checkGeometry(plain);
    checkEveryChainAppears(plain, *host->ipv4);
    QVERIFY2(plain.nodes.size() < 60, qPrintable(QString::number(plain.nodes.size())));
    const Node* folded = plain.node("collapsed:INPUT/filter");
    QVERIFY(folded);
    QCOMPARE(folded->title, std::string("+34 chains"));

    const Outcome o = trace(host, "eth0", "198.51.100.7", "10.0.0.10", 22);
    const Layout traced = computeLayout(*host, { &o, "eth0" }, {});
    checkGeometry(traced);
    checkEveryChainAppears(traced, *host->ipv4);
    QVERIFY2(traced.nodes.size() < 60, qPrintable(QString::number(traced.nodes.size())));
    QVERIFY(traced.node("chain:INPUT/filter/CUSTOM-7"));
    QCOMPARE(traced.node("collapsed:INPUT/filter")->title, std::string("+33 chains"));
    QVERIFY(traced.bounds.width < 3000 && traced.bounds.height < 2000);
}

void TestDiagramLayout::sameInputSameLayout()
{
    const SnapshotPtr after = demo("after.chainsight.json");
    const Outcome o = trace(after, "eth0", "203.0.113.7", "10.0.0.10", 8080);
    const Layout a = computeLayout(*after, {}, { &o, "eth0" });
    const Layout b = computeLayout(*after, {}, { &o, "eth0" });
    QCOMPARE(a.nodes.size(), b.nodes.size());
    for (std::size_t i = 0; i < a.nodes.size(); ++i) {
        QCOMPARE(a.nodes[i].id, b.nodes[i].id);
        QCOMPARE(a.nodes[i].rect.x, b.nodes[i].rect.x);
        QCOMPARE(a.nodes[i].rect.y, b.nodes[i].rect.y);
    }
    QCOMPARE(a.edges.size(), b.edges.size());
}

QTEST_GUILESS_MAIN(TestDiagramLayout)
#include "tst_diagramlayout.moc"
