// The built chainsight-cli fix, as a user runs it on the shipped demo pair.
#include "../common/clirun.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

using clitest::demo;
using clitest::Run;

Run fix(const QStringList& args) { return clitest::runCommand(QStringLiteral("fix"), args, 120000); }

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
