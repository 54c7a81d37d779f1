// The generated remediation scripts, run for real: each EXPECTED.md remediation (c Tailscale, d Oracle
// 28.0.0, b LAN direct routing) as a script, run with bash inside the harness host namespace loaded with
// the "after" fixture. --dry-run changes nothing, the apply makes the target flows pass per the kernel, a
// second apply changes nothing, --undo restores the ruleset exactly, an unconfirmed apply rolls back.
#include "../common/fixtureplans.h"

#include "support/connections.h"

#include "model/fix/applyplans.h"
#include "model/fix/scriptgenerator.h"
#include "model/parse/iptables.h"

#include <QDir>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace ktest;

namespace {

// iptables-save without counters (chain lines carry policy counters even without -c) and without its
// comment lines (timestamps, version, warnings).
QStringList ruleLines(const QByteArray& saved)
{
    static const QRegularExpression counters(QStringLiteral("\\[\\d+:\\d+\\]$"));
    QStringList out;
    for (const QByteArray& line : saved.split('\n'))
        if (!line.isEmpty() && !line.startsWith('#'))
            out << QString::fromUtf8(line).replace(counters, QStringLiteral("[0:0]"));
    return out;
}

QStringList added(const QStringList& before, const QStringList& after)
{
    const QSet<QString> old(before.begin(), before.end());
    QStringList out;
    for (const QString& line : after)
        if (!old.contains(line))
            out << line;
    out.sort();
    return out;
}

} // namespace

class TestFixScriptKernel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(::geteuid() == 0, "the kernel tests need root (network namespaces)");
        Namespace::setPrefix(QStringLiteral("csf"));
        Namespace::removeOrphans();
        QVERIFY(m_dir.isValid());
    }

    void scriptOnTheKernel_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<Backend>("backend");
        for (const Backend backend : { Backend::Nft, Backend::Legacy }) {
            const QByteArray suffix = ' ' + backendName(backend).toUtf8();
            QTest::newRow(QByteArray("c tailscale 28.x" + suffix).constData()) << 0 << backend;
            QTest::newRow(QByteArray("d oracle 28.0.0" + suffix).constData()) << 1 << backend;
            QTest::newRow(QByteArray("b lan direct routing 28.x" + suffix).constData()) << 2 << backend;
        }
    }

    void scriptOnTheKernel()
    {
        QFETCH(int, which);
        QFETCH(Backend, backend);
        QElapsedTimer clock;
        clock.start();
        const fixtureplans::Case c = fixtureplans::allCases().at(static_cast<std::size_t>(which));
        Topology topology({ backend, c.after.find("-c-") != std::string::npos });
        QVERIFY2(topology.build(), qPrintable(topology.error()));
        QVERIFY2(topology.load(readFixture(QString::fromStdString(c.after + ".rules"))), qPrintable(topology.error()));
        m_topology = &topology;
        m_backend = backend;
        m_backups = m_dir.path() + QStringLiteral("/%1-%2").arg(which).arg(backendName(backend));
        const QStringList original = rules();
        QVERIFY(!original.isEmpty());

        model::fix::ScriptRequest request;
        request.hostname = "not-this-host";
        request.dockerVersion = c.after.find("28.0.0") != std::string::npos ? "28.0.0" : "28.5.2";
        request.snapshotLabel = c.after;
        request.chainsightVersion = CHAINSIGHT_VERSION;
        request.plans = { c.plan };
        m_script = m_backups + QStringLiteral(".sh");
        QVERIFY(model::fix::writeScript(m_script, model::fix::generateScript(request)).ok());

        refusesThenLooks(original);
        if (QTest::currentTestFailed())
            return;
        const QStringList applied = appliesAndFlowsPass(c, original);
        if (QTest::currentTestFailed())
            return;
        repeatsUndoesAndRollsBack(original, applied);
        qInfo("%s (%s): %lld ms", c.after.c_str(), qPrintable(backendName(backend)), clock.elapsed());
    }

private:
    void refusesThenLooks(const QStringList& original)
    {
        // Another hostname (and no usable Docker here) is refused unless forced.
        CommandResult r = script({ QStringLiteral("--yes") });
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("made for host 'not-this-host'"), r.err.constData());
        QCOMPARE(rules(), original);

        r = script({ QStringLiteral("--dry-run"), QStringLiteral("--force") });
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(r.out.contains("would run: "));
        QCOMPARE(rules(), original);
        QVERIFY(!QDir(m_backups).exists());
    }

    // Probes the target flows before and after the apply; returns the ruleset as applied.
    QStringList appliesAndFlowsPass(const fixtureplans::Case& c, const QStringList& original)
    {
        const Topology& topology = *m_topology;
        [&] { QVERIFY2(m_topology->armTracing(), qPrintable(topology.error())); }();
        TraceReader traces(topology.host(), m_backend);
        QString error;
        [&] { QVERIFY2(traces.start(&error), qPrintable(error)); }();
        traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
        Prober prober(topology, traces);
        [&] { QVERIFY2(prober.open(&error), qPrintable(error)); }();
        if (QTest::currentTestFailed())
            return {};
        QVector<ProbeSpec> probes;
        for (const std::string& id : c.flowIds)
            probes << *namedFlow(QString::fromStdString(id));
        const QVector<ConnectionResult> unfixed = runConnections(prober, probes);

        const CommandResult r = script({ QStringLiteral("--yes"), QStringLiteral("--force") });
        const QStringList applied = rules();
        [&] {
            QVERIFY2(r.ok(), qPrintable(r.describe() + QString::fromUtf8(r.out)));
            const QStringList kernelAdded = added(original, applied);
            QVERIFY2(
                kernelAdded.size() == int(c.plan.option.rules.size()), qPrintable(kernelAdded.join(QLatin1Char('\n'))));
            QCOMPARE(kernelAdded, modelAdded(c)); // exactly what applyPlans adds in the model
            QCOMPARE(QDir(m_backups).entryList(QDir::Files).size(), 2); // iptables and ip6tables

            traces.setIndex(std::make_shared<RulesetIndex>(topology.savedRules()));
            const QVector<ConnectionResult> fixed = runConnections(prober, probes);
            for (int i = 0; i < probes.size(); ++i) {
                qInfo("%s: %s before the script, %s after it (%s)", c.flowIds[std::size_t(i)].c_str(),
                    qPrintable(kernelFateName(unfixed[i].fate)), qPrintable(kernelFateName(fixed[i].fate)),
                    qPrintable(fixed[i].deciding));
                QVERIFY(unfixed[i].fate != KernelFate::Accept);
                QCOMPARE(fixed[i].fate, KernelFate::Accept);
            }
        }();
        return applied;
    }

    void repeatsUndoesAndRollsBack(const QStringList& original, const QStringList& applied)
    {
        CommandResult r = script({ QStringLiteral("--yes"), QStringLiteral("--force") });
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(r.out.contains("Nothing to change"));
        QCOMPARE(rules(), applied);

        for (int round = 0; round < 2; ++round) { // undo twice is harmless
            r = script({ QStringLiteral("--undo"), QStringLiteral("--yes"), QStringLiteral("--force") });
            QVERIFY2(r.ok(), qPrintable(r.describe()));
            QCOMPARE(rules(), original);
        }

        // No --yes and no terminal: the apply undoes itself.
        r = script({ QStringLiteral("--force"), QStringLiteral("--rollback-seconds"), QStringLiteral("2") });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("rolled back"), r.err.constData());
        QCOMPARE(rules(), original);
    }

    QStringList rules() const { return ruleLines(m_topology->host().save(m_backend, Family::V4, false).out); }

    // Runs the script with bash inside the host namespace, stdin /dev/null and no controlling terminal.
    CommandResult script(const QStringList& args) const
    {
        QStringList command { QStringLiteral("env"), QStringLiteral("CHAINSIGHT_BACKUP_DIR=") + m_backups,
            QStringLiteral("CHAINSIGHT_IPTABLES=") + iptablesProgram(m_backend, Family::V4),
            QStringLiteral("CHAINSIGHT_IP6TABLES=") + iptablesProgram(m_backend, Family::V6), QStringLiteral("setsid"),
            QStringLiteral("-w"), QStringLiteral("sh"), QStringLiteral("-c"),
            QStringLiteral("exec bash \"$@\" </dev/null"), QStringLiteral("sh"), m_script };
        return m_topology->host().run(command + args, {}, 30000);
    }

    // The lines applyPlans adds to the after snapshot, as iptables-save prints them.
    static QStringList modelAdded(const fixtureplans::Case& c)
    {
        const auto after = fixtureplans::fixtureSnapshot(c.after);
        if (!after)
            return { QStringLiteral("fixture snapshot failed") };
        const auto fixed = model::fix::applyPlans(*after, { c.plan });
        if (!fixed)
            return { QString::fromStdString(fixed.error().toString()) };
        return added(ruleLines(QByteArray::fromStdString(model::parse::printIptablesSave(*after->ipv4))),
            ruleLines(QByteArray::fromStdString(model::parse::printIptablesSave(*fixed->ipv4))));
    }

    QTemporaryDir m_dir;
    Topology* m_topology = nullptr;
    Backend m_backend = Backend::Nft;
    QString m_backups;
    QString m_script;
};

QTEST_GUILESS_MAIN(TestFixScriptKernel)
#include "tst_fixscript_kernel.moc"
