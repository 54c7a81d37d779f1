// The built chainsight-cli: import and show as a user runs them, on the shipped demo pair.
#include "../common/clirun.h"

#include "model/snapshotfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

namespace {

using clitest::demo;
using clitest::Run;

Run cli(const QStringList& args) { return clitest::runCli(args); }


QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestCliImportShow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showDemoPairAsJson_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("dockerVersion");
        QTest::addColumn<bool>("hasRawTable"); // 28.x drops direct access to containers in raw PREROUTING
        QTest::newRow("before") << demo("before.chainsight.json") << QStringLiteral("27.5.1") << false;
        QTest::newRow("after") << demo("after.chainsight.json") << QStringLiteral("28.5.2") << true;
    }
    void showDemoPairAsJson()
    {
        QFETCH(QString, file);
        QFETCH(QString, dockerVersion);
        QFETCH(bool, hasRawTable);
        const Run run = cli({ QStringLiteral("show"), file, QStringLiteral("--format"), QStringLiteral("json") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto summary = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(summary["meta"]["hostname"].get<std::string>(), std::string("ts-router"));
        QCOMPARE(QString::fromStdString(summary["docker"]["version"].get<std::string>()), dockerVersion);
        QCOMPARE(summary["docker"]["swarm"].get<std::string>(), std::string("inactive"));
        const auto& web = summary["docker"]["containers"].at(0);
        QCOMPARE(web["name"].get<std::string>(), std::string("web"));
        QCOMPARE(web["ports"].at(0).get<std::string>(), std::string("0.0.0.0:8080->80/tcp"));
        QCOMPARE(summary["docker"]["networks"].at(1)["bridge"].get<std::string>(), std::string("br-897b3066eb8a"));
        QCOMPARE(summary["ipv4"]["backend"].get<std::string>(), std::string("nf_tables"));
        QVERIFY(summary["ipv4"]["rulesByProvenance"]["tailscale"].get<int>() > 0);
        QVERIFY(summary["ipv4"]["rulesByProvenance"]["docker"].get<int>() > 0);
        bool raw = false;
        for (const auto& t : summary["ipv4"]["tables"])
            raw = raw || t["name"] == "raw";
        QCOMPARE(raw, hasRawTable);
        QCOMPARE(summary["nameservers"].at(0).get<std::string>(), std::string("100.100.100.100"));
        QVERIFY2(summary["unknown"] == nlohmann::json::array({ "ipsets" }), summary["unknown"].dump().c_str());
    }

    // The demo is built from the fixtures: every source not marked synthetic is a fixture file, verbatim.
    void demoSourcesAreTheFixtures()
    {
        for (const char* name : { "before.chainsight.json", "after.chainsight.json" }) {
            const auto loaded = model::loadSnapshotFile(demo(name));
            QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
            int fromFixtures = 0;
            for (const auto& source : loaded.value()->sources) {
                if (source.origin.rfind("demo: synthetic", 0) == 0)
                    continue;
                const QByteArray fixture = readFile(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromStdString(source.origin));
                QVERIFY2(!fixture.isEmpty(), source.origin.c_str());
                QVERIFY2(fixture.toStdString() == source.text, source.origin.c_str());
                ++fromFixtures;
            }
            QCOMPARE(fromFixtures, 5);
            QVERIFY(loaded.value()->notes.empty());
        }
    }

    void showText()
    {
        const Run run = cli({ QStringLiteral("show"), demo("after.chainsight.json") });
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("Docker 28.5.2, swarm inactive"));
        QVERIFY(run.out.contains("br-897b3066eb8a"));
        QVERIFY(run.out.contains("Unknown (not captured): ipsets"));
    }

    void importFolderThenShow()
    {
        QTemporaryDir dir;
        QVERIFY(QFile::copy(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/docker-28.x-b-usernet-portmap.rules"), dir.filePath(QStringLiteral("v4"))));
        QVERIFY(QFile::copy(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/host-ip-addr.json"), dir.filePath(QStringLiteral("addr"))));
        const QString out = dir.filePath(QStringLiteral("x.chainsight.json"));
        const Run imported = cli({ QStringLiteral("import"), dir.path(), QStringLiteral("-o"), out });
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        const Run shown = cli({ QStringLiteral("show"), out, QStringLiteral("--format"), QStringLiteral("json") });
        QCOMPARE(shown.exitCode, 0);
        const auto summary = nlohmann::json::parse(shown.out.toStdString());
        QVERIFY(summary["ipv6"].is_null());
        QCOMPARE(summary["interfaces"].get<int>(), 4);
        QVERIFY(summary["ipv4"]["rules"].get<int>() > 10);
    }

    void errorsSayWhatAndWhere()
    {
        QTemporaryDir dir;
        QByteArray doc = readFile(demo("after.chainsight.json"));
        doc.replace("--dport 80", "--dport 22");
        const QString tampered = dir.filePath(QStringLiteral("tampered.chainsight.json"));
        QFile f(tampered);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(doc);
        f.close();
        const Run run = cli({ QStringLiteral("show"), tampered });
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("tampered.chainsight.json") && run.err.contains("checksum"), run.err.constData());

        const Run missing = cli({ QStringLiteral("import"), dir.filePath(QStringLiteral("nothing")), QStringLiteral("-o"), dir.filePath(QStringLiteral("y")) });
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("no such file or folder"));
        QCOMPARE(cli({ QStringLiteral("import"), dir.path() }).exitCode, 2); // no -o
        QCOMPARE(cli({ QStringLiteral("show"), demo("after.chainsight.json"), QStringLiteral("--format"), QStringLiteral("xml") }).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliImportShow)
#include "tst_cliimportshow.moc"
