// The built chainsight-cli diff, as a user runs it on the shipped demo pair (Docker 27.5.1 -> 28.5.2 on a
// Tailscale subnet router): the classes, the three formats and the exit codes a CI pipeline relies on.
#include "../common/clirun.h"

#include <QTest>

#include <nlohmann/json.hpp>

namespace {

using clitest::demo;
using clitest::demoPair;
using clitest::Run;

Run diff(const QStringList& args) { return clitest::runCommand(QStringLiteral("diff"), args, 120000); }

bool contains(const nlohmann::json& list, const std::string& value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool inRanges(const nlohmann::json& ranges, int value)
{
    return std::any_of(
        ranges.begin(), ranges.end(), [&](const nlohmann::json& r) { return r[0] <= value && value <= r[1]; });
}

} // namespace

class TestCliDiff final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonNamesTheTailnetBreakage()
    {
        const Run run = diff(demoPair() + QStringList { QStringLiteral("--format"), QStringLiteral("json") });
        QCOMPARE(run.exitCode, 0);
        const auto j = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(j.at("schema").get<std::string>(), std::string("chainsight-diff"));
        QCOMPARE(j.at("version").get<int>(), 1);
        QVERIFY(j.at("complete").get<bool>());
        QVERIFY(!j.at("classes").empty());
        const nlohmann::json* found = nullptr;
        for (const auto& c : j.at("classes"))
            if (contains(c.at("ingress"), "tailscale0") && contains(c.at("dst").at("cidrs"), "172.18.0.2/32")
                && inRanges(c.at("protocol").at("numbers"), 6) && !c.at("dport").is_null()
                && inRanges(c.at("dport").at("ranges"), 80))
                found = &c;
        QVERIFY2(found, "no class for tailnet -> container web tcp/80");
        const auto& c = *found;
        QCOMPARE(c.at("before").at("fate").get<std::string>(), std::string("ACCEPT"));
        QCOMPARE(c.at("after").at("fate").get<std::string>(), std::string("DROP"));
        QCOMPARE(c.at("after").at("deciding_rule").get<std::string>(),
            std::string("raw/PREROUTING: -A PREROUTING -d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP"));
        QVERIFY(!c.at("opened").get<bool>());
        QCOMPARE(c.at("state").get<std::string>(), std::string("NEW"));
        QCOMPARE(c.at("traces").at("before").at("verdict").get<std::string>(), std::string("ACCEPT"));
        QCOMPARE(c.at("traces").at("after").at("verdict").get<std::string>(), std::string("DROP"));
        QVERIFY(!c.at("witness").empty());
        // The added raw rule is linked to the class, and the class to it.
        bool linked = false;
        for (const auto& row : j.at("rules").at("ipv4").at("rows"))
            if (row.at("kind") == "added" && row.at("after").is_string()
                && row.at("after").get<std::string>() == "-A PREROUTING -d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP")
                linked = contains(c.at("rules"), row.at("id").get<std::string>())
                    && std::find(row.at("classes").begin(), row.at("classes").end(), c.at("id"))
                        != row.at("classes").end();
        QVERIFY2(linked, "the raw DROP row and the class do not point at each other");
    }

    void textAndMarkdown()
    {
        const Run text = diff(demoPair());
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.startsWith("Connection attempts whose fate changed: "));
        QVERIFY(text.out.contains("CLOSED"));
        QVERIFY(text.out.contains("container web 172.18.0.2 on network mynet"));
        QVERIFY(text.out.contains("Rule-level changes (ipv4)"));
        QVERIFY(text.out.indexOf("#1 ") < text.out.indexOf("Rule-level changes")); // flows first
        const Run md = diff(demoPair() + QStringList { QStringLiteral("--format"), QStringLiteral("md") });
        QCOMPARE(md.exitCode, 0);
        QVERIFY(md.out.startsWith("# Flow diff"));
        QVERIFY(md.out.contains("## Changed flows"));
        QVERIFY(md.out.contains("## Rule-level changes"));
    }

    void exitCodes()
    {
        QCOMPARE(diff(demoPair() + QStringList { QStringLiteral("--exit-code") }).exitCode, 1);
        const Run same
            = diff({ demo("after.chainsight.json"), demo("after.chainsight.json"), QStringLiteral("--exit-code") });
        QCOMPARE(same.exitCode, 0);
        QVERIFY(same.out.startsWith("Connection attempts whose fate changed: 0 classes"));
        QCOMPARE(diff({ demo("after.chainsight.json") }).exitCode, 2);
        QCOMPARE(diff(demoPair() + QStringList { QStringLiteral("--format"), QStringLiteral("yaml") }).exitCode, 2);
        const Run missing = diff({ demo("after.chainsight.json"), QStringLiteral("/nonexistent/x.chainsight.json") });
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.startsWith("chainsight-cli diff: "));
        QVERIFY(missing.err.contains("/nonexistent/x.chainsight.json"));
    }

    void helpNamesTheCommand()
    {
        for (const char* command : { "diff", "import", "show", "trace", "snapshot", "findings", "fix", "preview" }) {
            const Run help = clitest::runCommand(QString::fromLatin1(command), { QStringLiteral("--help") });
            QCOMPARE(help.exitCode, 0);
            const QByteArray usage = QByteArray("Usage: chainsight-cli ") + command + " [options]";
            QVERIFY2(help.out.startsWith(usage),
                help.out.left(80).constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestCliDiff)
#include "tst_clidiff.moc"
