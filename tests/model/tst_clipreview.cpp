// The built chainsight-cli preview as a user runs it: the demo's "before" snapshot predicted for Docker 28.5.2
// gives the demo's real "after" ruleset, as a snapshot marked predicted; a release it does not know is refused.
#include "../common/clirun.h"

#include "model/parse/iptables.h"
#include "model/snapshotfile.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

using clitest::demo;
using clitest::Run;

Run cli(const QStringList& args) { return clitest::runCli(args); }


// Rules per table and chain with policies, counters aside; tables with no content left out.
QStringList canonical(const model::Ruleset& rs)
{
    QStringList lines;
    for (const auto& t : rs.tables) {
        QStringList table;
        bool content = false;
        for (const auto& c : t.chains) {
            table << QString::fromStdString(t.name + ' ' + c.name + ' ' + c.policy);
            content = content || !c.builtin || !c.rules.empty() || c.policy != "ACCEPT";
        }
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                table << QString::fromStdString(t.name + ' ' + model::parse::ruleText(r, c.name));
        if (content)
            lines << table;
    }
    return lines;
}

} // namespace

class TestCliPreview final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void demoBeforePredictsDemoAfter()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("predicted.chainsight.json"));
        const Run run = cli({ QStringLiteral("preview"), demo("before.chainsight.json"), QStringLiteral("--to"),
            QStringLiteral("28.5.2"), QStringLiteral("-o"), out, QStringLiteral("--format"), QStringLiteral("text") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.contains("predicted: Docker 28.5.2 (fresh boot)"));
        const auto predicted = model::loadSnapshotFile(out);
        QVERIFY2(predicted.ok(), predicted.ok() ? "" : predicted.error().toString().c_str());
        const auto& p = *predicted.value();
        QVERIFY(p.meta.predicted);
        QCOMPARE(QString::fromStdString(p.meta.takenFrom),
            QStringLiteral("predicted from before.chainsight.json for Docker 28.5.2"));
        QVERIFY(p.docker && p.docker->version);
        QCOMPARE(QString::fromStdString(*p.docker->version), QStringLiteral("28.5.2"));
        const auto after = model::loadSnapshotFile(demo("after.chainsight.json"));
        QVERIFY(after.ok());
        QVERIFY(p.ipv4 && p.ipv6);
        QCOMPARE(canonical(*p.ipv4), canonical(*after.value()->ipv4));
        QCOMPARE(canonical(*p.ipv6), canonical(*after.value()->ipv6));
    }

    void unknownReleaseIsRefused_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("29.x") << QStringLiteral("29.1.0");
        QTest::newRow("26.x") << QStringLiteral("26.1.4");
        QTest::newRow("not a version") << QStringLiteral("latest");
    }
    void unknownReleaseIsRefused()
    {
        QFETCH(QString, version);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("p.chainsight.json"));
        const Run run = cli({ QStringLiteral("preview"), demo("before.chainsight.json"), QStringLiteral("--to"),
            version, QStringLiteral("-o"), out });
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(version.toUtf8()), run.err.constData());
        if (version.startsWith(QLatin1Char('2')))
            QVERIFY2(
                run.err.contains("supported lines: 27.5.x, 28.0.0, 28.0.1-28.1.x, 28.2.x-28.5.x"), run.err.constData());
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliPreview)
#include "tst_clipreview.moc"
