// The three text forms of one ruleset, as the real tools print them, must read as the same rules: each Docker
// fixture is loaded into a network namespace of this test's own (both backends), read back with iptables-save,
// iptables -S and iptables -L -n -v --line-numbers, and the three parses compared up to what -L cannot say.

#include "model/parse/iptables.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <signal.h>
#include <unistd.h>

using namespace model;
using namespace model::parse;

namespace {

const QString kPrefix = QStringLiteral("csl-fmt-");

struct Output {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool ok() const { return exitCode == 0; }
    QString describe() const
    {
        return QStringLiteral("exit %1: %2").arg(exitCode).arg(QString::fromUtf8(err.trimmed()));
    }
};

Output run(const QStringList& command, const QByteArray& input = {})
{
    QProcess p;
    p.start(command.front(), command.mid(1));
    Output o;
    if (!p.waitForStarted(10000))
        return o;
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return o;
    }
    o.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = p.readAllStandardOutput();
    o.err = p.readAllStandardError();
    return o;
}

// A network namespace named csl-fmt-<pid>-<n> that lives as long as this object.
class TestNamespace final {
public:
    TestNamespace()
    {
        static int counter = 0;
        m_name = kPrefix + QString::number(::getpid()) + QLatin1Char('-') + QString::number(++counter);
        const Output o = run({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("add"), m_name });
        m_valid = o.ok();
        m_error = o.describe();
    }
    ~TestNamespace()
    {
        if (m_valid)
            run({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), m_name });
    }
    TestNamespace(const TestNamespace&) = delete;
    TestNamespace& operator=(const TestNamespace&) = delete;

    bool valid() const { return m_valid; }
    QString error() const { return m_error; }
    Output exec(QStringList command, const QByteArray& input = {}) const
    {
        command.prepend(m_name);
        command.prepend(QStringLiteral("exec"));
        command.prepend(QStringLiteral("netns"));
        command.prepend(QStringLiteral("ip"));
        return run(command, input);
    }

    // Namespaces of this test left behind by an earlier run that crashed (its process is gone).
    static void removeOrphans()
    {
        const Output list = run({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("list") });
        static const QRegularExpression re(QStringLiteral("^csl-fmt-(\\d+)-\\d+"));
        for (const QByteArray& line : list.out.split('\n')) {
            const auto m = re.match(QString::fromUtf8(line));
            if (m.hasMatch() && ::kill(m.captured(1).toInt(), 0) != 0)
                run({ QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), m.captured(0) });
        }
    }

private:
    QString m_name;
    QString m_error;
    bool m_valid = false;
};

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The fixtures carry the ipsets their -m set matches need as "#   create ..." / "#   add ..." comment lines.
QByteArray ipsetState(const QByteArray& fixture)
{
    QByteArray out;
    for (const QByteArray& line : fixture.split('\n')) {
        const QByteArray t = line.mid(1).trimmed();
        if (line.startsWith('#') && (t.startsWith("create ") || t.startsWith("add ")))
            out += t + '\n';
    }
    return out;
}

std::string_view view(const QByteArray& b)
{
    return std::string_view(b.constData(), static_cast<std::size_t>(b.size()));
}

QStringList tableNames(const QByteArray& save)
{
    QStringList out;
    for (const QByteArray& line : save.split('\n'))
        if (line.startsWith('*'))
            out << QString::fromUtf8(line.mid(1).trimmed());
    return out;
}

// Everything iptables distinguishes, except what -L cannot say for this rule.
QString differenceFromList(const Rule& expected, const Rule& listed)
{
    if (listed.unknown & UnknownMatches)
        return QStringLiteral("options not decoded: ") + QString::fromStdString(listed.text);
    Rule e = expected;
    if (listed.unknown & UnknownInInterface)
        e.inInterface = listed.inInterface;
    if (listed.unknown & UnknownOutInterface)
        e.outInterface = listed.outInterface;
    if (e.sameRule(listed))
        return {};
    return QStringLiteral("save: %1\n   -L: %2")
        .arg(QString::fromStdString(ruleText(expected, "X")), QString::fromStdString(ruleText(listed, "X")));
}

} // namespace

class TestFormats final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        TestNamespace::removeOrphans();
    }

    void threeFormsAgree_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("backend");
        const QDir dir(QStringLiteral(CHAINSIGHT_FIXTURES_DIR));
        const QStringList fixtures = dir.entryList({ QStringLiteral("*.rules") }, QDir::Files, QDir::Name);
        QVERIFY2(fixtures.size() >= 2, "no fixtures found in " CHAINSIGHT_FIXTURES_DIR);
        for (const QString& f : fixtures)
            for (const char* backend : { "nft", "legacy" })
                QTest::addRow("%s %s", qPrintable(f), backend) << dir.filePath(f) << QString::fromLatin1(backend);
    }
    void threeFormsAgree()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, backend);
        const bool v6 = fixture.endsWith(QStringLiteral(".ip6.rules"));
        const Family family = v6 ? Family::IPv6 : Family::IPv4;
        const QString tool = (v6 ? QStringLiteral("ip6tables-") : QStringLiteral("iptables-")) + backend;
        const QByteArray rules = readFile(fixture);
        QVERIFY(!rules.isEmpty());

        TestNamespace ns;
        QVERIFY2(ns.valid(), qPrintable(QStringLiteral("ip netns add failed: ") + ns.error()));
        // An IPv6 fixture's sets are listed in its IPv4 sibling (one ipset state per host).
        QByteArray sets
            = ipsetState(readFile(QString(fixture).replace(QStringLiteral(".ip6.rules"), QStringLiteral(".rules"))));
        if (!sets.isEmpty()) {
            const Output o = ns.exec({ QStringLiteral("ipset"), QStringLiteral("restore") }, sets);
            QVERIFY2(o.ok(), qPrintable(QStringLiteral("ipset restore: ") + o.describe()));
        }
        const Output loaded = ns.exec({ tool + QStringLiteral("-restore") }, rules);
        QVERIFY2(loaded.ok(),
            qPrintable(tool
                + QStringLiteral("-restore failed (for legacy: are the ip_tables/ip6_tables kernel modules "
                                 "available?) ")
                + loaded.describe()));

        const Output save = ns.exec({ tool + QStringLiteral("-save") });
        QVERIFY2(save.ok(), qPrintable(save.describe()));
        QByteArray sText, lText;
        for (const QString& table : tableNames(save.out)) {
            const Output s = ns.exec({ tool, QStringLiteral("-t"), table, QStringLiteral("-S") });
            const Output l = ns.exec({ tool, QStringLiteral("-t"), table, QStringLiteral("-L"), QStringLiteral("-n"),
                QStringLiteral("-v"), QStringLiteral("--line-numbers") });
            QVERIFY2(s.ok() && l.ok(), qPrintable(s.describe() + l.describe()));
            sText += "# table " + table.toUtf8() + '\n' + s.out;
            lText += l.out + '\n'; // as pasted: no header, tables told apart by their chains
        }
        compare(parseIptablesSave(view(save.out), family), parseIptablesS(view(sText), family),
            parseIptablesList(view(lText), family));
    }

private:
    void compare(const Result<Ruleset>& save, const Result<Ruleset>& s, const Result<Ruleset>& list)
    {
        QVERIFY2(save, save ? "" : save.error().toString().c_str());
        QVERIFY2(s, s ? "" : s.error().toString().c_str());
        QVERIFY2(list, list ? "" : list.error().toString().c_str());
        QVERIFY(save->ruleCount() > 0);
        QCOMPARE(s->ruleCount(), save->ruleCount());
        QCOMPARE(list->ruleCount(), save->ruleCount());
        QCOMPARE(list->tables.size(), save->tables.size());
        for (const Table& t : save->tables) {
            const Table* st = s->table(t.name);
            const Table* lt = list->table(t.name);
            QVERIFY2(st && lt, t.name.c_str());
            QCOMPARE(st->chains.size(), t.chains.size());
            QCOMPARE(lt->chains.size(), t.chains.size());
            for (const Chain& c : t.chains) {
                const Chain* sc = st->chain(c.name);
                const Chain* lc = lt->chain(c.name);
                QVERIFY2(sc && lc, c.name.c_str());
                QCOMPARE(sc->policy, c.policy);
                QCOMPARE(lc->policy, c.policy);
                QCOMPARE(lc->builtin, c.builtin);
                QCOMPARE(sc->rules.size(), c.rules.size());
                QCOMPARE(lc->rules.size(), c.rules.size());
                for (std::size_t i = 0; i < c.rules.size(); ++i) {
                    QVERIFY2(sc->rules[i].sameRule(c.rules[i]), sc->rules[i].text.c_str());
                    const QString diff = differenceFromList(c.rules[i], lc->rules[i]);
                    QVERIFY2(diff.isEmpty(), qPrintable(diff));
                    QVERIFY(lc->rules[i].counters.has_value());
                    // Only filter's name is uncertain without a header (security has the same chains).
                    QCOMPARE(bool(lc->rules[i].unknown & UnknownTable), t.name == "filter");
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestFormats)
#include "tst_formats.moc"
