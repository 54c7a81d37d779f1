// The Docker rule generator against the shared fixtures: from each scenario's snapshot, the fresh-boot ruleset
// predicted for 27.5.1, 28.0.0 and 28.5.2 equals that version's fixture rule for rule, whichever version's
// snapshot it starts from. The fixtures were made by replaying each version's exact commands.
#include "model/edit/iptablescommand.h"
#include "model/parse/iptables.h"
#include "model/predict/upgradepreview.h"
#include "model/snapshotbuilder.h"

#include <QFile>
#include <QTest>

using namespace model;
using namespace model::predict;

namespace {

std::string readFixture(const QString& name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", qPrintable(name));
    return f.readAll().toStdString();
}

// A snapshot as a capture of the fixture host would give it: rulesets, networks, addresses and routes.
SnapshotPtr fixtureSnapshot(const QString& version, const QString& scenario)
{
    const QString base = QStringLiteral("docker-") + version + QLatin1Char('-') + scenario;
    const QString host
        = scenario.startsWith(QLatin1Char('c')) ? QStringLiteral("host-tailscale") : QStringLiteral("host");
    std::vector<SourceRecord> sources {
        makeSource(SourceKind::IptablesV4, "fixture", readFixture(base + QStringLiteral(".rules"))),
        makeSource(SourceKind::IptablesV6, "fixture", readFixture(base + QStringLiteral(".ip6.rules"))),
        makeSource(SourceKind::DockerNetworks, "fixture", readFixture(base + QStringLiteral(".networks.json"))),
        makeSource(SourceKind::IpAddr, "fixture", readFixture(host + QStringLiteral("-ip-addr.json"))),
        makeSource(SourceKind::IpRoute, "fixture", readFixture(host + QStringLiteral("-ip-route.json"))),
    };
    auto built = snapshotFromSources(SnapshotMeta {}, std::move(sources), BuildOptions { true });
    if (!built)
        qFatal("%s: %s", qPrintable(base), built.error().toString().c_str());
    return *built;
}

// Policies and rules per table and chain, in order, counters aside; tables without any content left out.
QString canonical(const Ruleset& rs)
{
    QStringList lines;
    std::vector<const Table*> tables;
    for (const auto& t : rs.tables)
        tables.push_back(&t);
    std::sort(tables.begin(), tables.end(), [](const Table* a, const Table* b) { return a->name < b->name; });
    for (const Table* t : tables) {
        const bool empty = std::all_of(t->chains.begin(), t->chains.end(),
            [](const Chain& c) { return c.builtin && c.rules.empty() && c.policy == "ACCEPT"; });
        if (empty)
            continue;
        lines << QStringLiteral("*") + QString::fromStdString(t->name);
        for (const auto& c : t->chains)
            lines << QStringLiteral(":") + QString::fromStdString(c.name + ' ' + (c.policy.empty() ? "-" : c.policy));
        for (const auto& c : t->chains)
            for (const auto& r : c.rules)
                lines << QString::fromStdString(parse::ruleText(r, c.name));
    }
    return lines.join(QLatin1Char('\n'));
}

// Empty when equal; otherwise the first line where they part and what each has there.
QString firstDifference(const QString& actual, const QString& expected)
{
    const QStringList a = actual.split(QLatin1Char('\n'));
    const QStringList e = expected.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < std::max(a.size(), e.size()); ++i) {
        const QString x = i < a.size() ? a[i] : QStringLiteral("<end>");
        const QString y = i < e.size() ? e[i] : QStringLiteral("<end>");
        if (x != y)
            return QStringLiteral("line %1: predicted '%2', fixture '%3'").arg(i + 1).arg(x, y);
    }
    return {};
}

// The ipset members a 28.0.0 fixture lists in its "#   add <set> <member>" comment lines, sorted.
QStringList fixtureIpsetMembers(const QString& base)
{
    QStringList out;
    for (const char* suffix : { ".rules", ".ip6.rules" })
        for (const auto& line :
            QString::fromStdString(readFixture(base + QLatin1String(suffix))).split(QLatin1Char('\n')))
            if (line.startsWith(QLatin1String("#   add ")) && !out.contains(line.mid(8)))
                out << line.mid(8);
    out.sort();
    return out;
}

// One state-changing command in a comparable form: the rule of -A/-I/-D in iptables-save's canonical text, so
// that Docker's own argument order ("-p tcp -d 0/0 --dport 8080 -j DNAT ... ! -i br0") does not matter.
QString normalCommand(const QString& line)
{
    if (line.startsWith(QLatin1String("ipset")))
        return line;
    QStringList words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString binary = words.takeFirst();
    QString table = QStringLiteral("filter");
    if (words.size() > 1 && words.front() == QLatin1String("-t")) {
        table = words[1];
        words = words.mid(2);
    }
    if (words.size() < 2)
        return line;
    const QString verb = words.takeFirst();
    const QString chain = words.takeFirst();
    QString rest = words.join(QLatin1Char(' '));
    if (verb == QLatin1String("-A") || verb == QLatin1String("-I") || verb == QLatin1String("-D")) {
        const auto family = binary == QLatin1String("ip6tables") ? Family::IPv6 : Family::IPv4;
        rest = rest.replace(QLatin1String("-d 0/0 "), QString()).replace(QLatin1String("--dst "), QLatin1String("-d "));
        const auto rule = edit::parseRuleSpec(rest.toStdString(), chain.toStdString(), family);
        if (rule)
            return binary + QLatin1Char(' ') + table + QLatin1Char(' ') + verb + QLatin1Char(' ')
                + QString::fromStdString(parse::ruleText(*rule, chain.toStdString()))
                      .mid(3); // "-A CHAIN ..." -> "CHAIN ..."
    }
    return QStringList { binary, table, verb, chain, rest }.join(QLatin1Char(' '));
}

// The commands of a trace file that changed state (neither events nor the ignored failures of start-up).
QStringList traceCommands(const QString& name, bool afterRestart)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/../traces/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read trace %s", qPrintable(name));
    QStringList out;
    bool take = !afterRestart;
    for (const auto& line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("# systemctl restart docker")))
            take = true;
        else if (take && !line.isEmpty() && !line.startsWith(QLatin1Char('#'))
            && !line.contains(QLatin1String("(ignored/expected)"))
            && !line.startsWith(QLatin1String("iptables-restore"))) // the host's own rules, restored at boot
            out << normalCommand(line);
    return out;
}

QString fixtureVersion(const QString& release)
{
    return release == QLatin1String("28.5.2") ? QStringLiteral("28.x") : release;
}

} // namespace

class TestUpgradePreview final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void freshBootMatchesFixture_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("to");
        const QStringList scenarios { QStringLiteral("a-default-bridge"), QStringLiteral("b-usernet-portmap"),
            QStringLiteral("c-tailscale"), QStringLiteral("d-oracle-cloud") };
        const QStringList versions { QStringLiteral("27.5.1"), QStringLiteral("28.0.0"), QStringLiteral("28.x") };
        const QStringList targets { QStringLiteral("27.5.1"), QStringLiteral("28.0.0"), QStringLiteral("28.5.2") };
        for (const auto& from : versions)
            for (const auto& scenario : scenarios)
                for (const auto& to : targets)
                    QTest::newRow(qPrintable(from + QLatin1Char(' ') + scenario + QStringLiteral(" -> ") + to))
                        << from << scenario << to;
    }
    void freshBootMatchesFixture()
    {
        QFETCH(QString, from);
        QFETCH(QString, scenario);
        QFETCH(QString, to);
        const auto snapshot = fixtureSnapshot(from, scenario);
        const auto release = parseDockerRelease(to.toStdString());
        QVERIFY(release.ok());
        const auto predicted = predictRulesets(*snapshot, PreviewRequest { *release, false });
        QVERIFY2(predicted.ok(), predicted.ok() ? "" : predicted.error().toString().c_str());
        const auto expected = fixtureSnapshot(fixtureVersion(to), scenario);
        const QString v4 = firstDifference(canonical(predicted->ipv4), canonical(*expected->ipv4));
        QVERIFY2(v4.isEmpty(), qPrintable(QStringLiteral("IPv4 ") + v4));
        QVERIFY(predicted->ipv6.has_value());
        const QString v6 = firstDifference(canonical(*predicted->ipv6), canonical(*expected->ipv6));
        QVERIFY2(v6.isEmpty(), qPrintable(QStringLiteral("IPv6 ") + v6));
        if (to == QLatin1String("28.0.0")) {
            QStringList members;
            for (const auto& set : predicted->ipsets)
                for (const auto& m : set.members)
                    members << QString::fromStdString(set.name + ' ' + m);
            members.sort();
            QCOMPARE(members, fixtureIpsetMembers(QStringLiteral("docker-28.0.0-") + scenario));
        }
        for (const auto& note : predicted->notes)
            QVERIFY2(!note.starts_with("command not applied"), note.c_str());
    }

    // The commands themselves, in the order each version runs them. In c only those of Docker's restart after
    // Tailscale are compared: the preview does not replay Tailscale's own set-up.
    void commandsFollowTheTrace_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("to");
        for (const char* scenario : { "a-default-bridge", "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" })
            for (const char* to : { "27.5.1", "28.0.0", "28.5.2" })
                QTest::newRow(qPrintable(QLatin1String(scenario) + QStringLiteral(" -> ") + QLatin1String(to)))
                    << QString::fromLatin1(scenario) << QString::fromLatin1(to);
    }
    void commandsFollowTheTrace()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, to);
        const auto release = parseDockerRelease(to.toStdString());
        const auto predicted
            = predictRulesets(*fixtureSnapshot(QStringLiteral("27.5.1"), scenario), PreviewRequest { *release, false });
        QVERIFY(predicted.ok());
        const bool afterRestart = scenario.startsWith(QLatin1Char('c'));
        QStringList commands;
        bool take = !afterRestart;
        for (const auto& c : predicted->commands)
            if (c.starts_with("# systemctl restart docker"))
                take = true;
            else if (take && !c.starts_with('#'))
                commands << normalCommand(QString::fromStdString(c));
        const QStringList trace = traceCommands(
            QStringLiteral("docker-") + fixtureVersion(to) + QLatin1Char('-') + scenario + QStringLiteral(".trace"),
            afterRestart);
        const QString difference = firstDifference(commands.join(QLatin1Char('\n')), trace.join(QLatin1Char('\n')));
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }
};

QTEST_GUILESS_MAIN(TestUpgradePreview)
#include "tst_upgradepreview.moc"
