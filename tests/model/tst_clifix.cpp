// The built chainsight-cli fix, as a user runs it on the shipped demo pair.
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run fix(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(CHAINSIGHT_BINARY_DIR "/app/chainsight-cli"), QStringList { QStringLiteral("fix") } + args);
    Run run;
    if (!p.waitForFinished(120000))
        return run;
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    return run;
}

QString demo(const char* name) { return QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromLatin1(name); }

} // namespace

class TestCliFix final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The demo's direct-routing breakage: a verified, executable script that tags what it adds.
    void writesAVerifiedExecutableScript()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fix.sh"));
        const Run run = fix({ demo("before.chainsight.json"), demo("after.chainsight.json"), QStringLiteral("--finding"),
            QStringLiteral("direct-routing-raw-drop"), QStringLiteral("-o"), path });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.contains("4 of 4 target flows as wanted"));
        QVERIFY(run.out.contains("(verified)"));
        const QFileInfo info(path);
        QVERIFY(info.exists());
        QVERIFY(info.permissions() & QFileDevice::ExeOwner);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray script = f.readAll();
        QVERIFY(script.startsWith("#!/usr/bin/env bash"));
        QVERIFY(script.contains("chainsight:direct-routing-raw-drop"));
        QVERIFY(script.contains("EXPECTED_HOST=ts-router"));
        QCOMPARE(QProcess::execute(QStringLiteral("bash"), { QStringLiteral("-n"), path }), 0);
    }

    void anUnknownFindingIsAUsageError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fix.sh"));
        const Run run = fix({ demo("before.chainsight.json"), demo("after.chainsight.json"), QStringLiteral("--finding"),
            QStringLiteral("no-such-finding"), QStringLiteral("-o"), path });
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("no-such-finding"));
        QVERIFY(run.err.contains("direct-routing-raw-drop")); // the ids that exist are listed
        QVERIFY(!QFileInfo::exists(path));
    }

    void missingOutputIsAUsageError()
    {
        const Run run = fix({ demo("before.chainsight.json"), demo("after.chainsight.json") });
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("usage"));
    }
};

QTEST_GUILESS_MAIN(TestCliFix)
#include "tst_clifix.moc"
