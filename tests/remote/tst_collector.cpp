// The snapshot collector over FakeHostSession: which commands run, with or without sudo, what is recorded
// for missing tools and failed commands, and how errors end a snapshot.
#include "model/snapshotbuilder.h"
#include "remote/commandplan.h"
#include "remote/fakehostsession.h"
#include "remote/snapshotcollector.h"

#include <QTest>

#include <algorithm>

namespace sk = model::SourceKind;

namespace {

const std::string kNet1 = "1671efb8c6b2a48ef096db512e2e3927c8f05aefe70c426d562695db576638d3";
const std::string kNet2 = "897b3066eb8ac70fdeaac34ec46c5b445814e870935acde415ad4d3fdede27f8";
const std::string kRules = "*filter\n:INPUT ACCEPT [0:0]\n[3:180] -A INPUT -j ts-input\nCOMMIT\n";

// A host as the probe sees it: uid, then the programs it has.
void setUpHost(
    remote::FakeHostSession& host, int uid, const std::string& prefix, bool docker = true, bool env = false)
{
    std::string probe = std::to_string(uid) + "\n" + (env ? "env /usr/bin/env\n" : "");
    for (const char* line : { "cat /usr/bin/cat", "sudo /usr/bin/sudo", "hostname /usr/bin/hostname",
             "uname /usr/bin/uname", "iptables /usr/sbin/iptables", "iptables-save /usr/sbin/iptables-save",
             "ip6tables-save /usr/sbin/ip6tables-save", "ip /usr/bin/ip", "sysctl /usr/sbin/sysctl",
             "file /etc/resolv.conf" })
        probe += std::string(line) + "\n";
    if (docker)
        probe += "docker /usr/bin/docker\n";
    host.setOutput(remote::probeCommand(), { probe });
    host.setOutput("/usr/bin/hostname", { "fw1\n" });
    host.setOutput("/usr/bin/uname -r", { "6.1.0-28-amd64\n" });
    host.setOutput(prefix + "/usr/sbin/iptables-save -c", { kRules });
    host.setOutput(prefix + "/usr/sbin/ip6tables-save -c", { "" });
    host.setOutput("/usr/bin/ip -j addr", { "[]\n" });
    host.setOutput("/usr/bin/cat /etc/resolv.conf", { "nameserver 10.0.0.53\n" });
    host.setOutput(prefix + "/usr/bin/docker network ls -q --no-trunc", { kNet1 + "\n" + kNet2 + "\n;reboot\n" });
    host.setOutput(prefix + "/usr/bin/docker network inspect " + kNet1 + " " + kNet2, { "[{\"Name\":\"bridge\"}]\n" });
    host.setOutput(prefix + "/usr/bin/docker ps -aq --no-trunc", { "" });
}

const model::SourceRecord* find(const remote::RemoteCapture& capture, const char* kind)
{
    for (const auto& source : capture.sources)
        if (source.kind == kind)
            return &source;
    return nullptr;
}

} // namespace

class TestCollector : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rootRunsThePlanDirectly()
    {
        remote::FakeHostSession host("root", "fw1", 22);
        setUpHost(host, 0, "");
        remote::SessionCallbacks callbacks;
        int lastStep = 0;
        int total = 0;
        callbacks.progressed = [&](int step, int steps, const std::string&) {
            QCOMPARE(step, lastStep + 1);
            lastStep = step;
            total = steps;
        };
        remote::SnapshotCollector collector(host, callbacks, nullptr);
        const auto result = collector.collect();
        QVERIFY(result.ok());
        const auto& capture = result.value();
        QCOMPARE(lastStep, total);
        QCOMPARE(host.openCount(), 1);
        QVERIFY(!host.isOpen());

        const auto* rules = find(capture, sk::IptablesV4);
        QCOMPARE(rules->text, kRules);
        QCOMPARE(rules->origin, std::string("/usr/sbin/iptables-save -c"));
        QCOMPARE(rules->sha256, model::sha256Hex(kRules));
        QCOMPARE(rules->exitStatus.value_or(-1), 0);
        // a missing tool is recorded as absent, not as an error
        QVERIFY(find(capture, sk::IpsetSave)->absent);
        QVERIFY(find(capture, sk::NftRuleset)->absent);
        QVERIFY(find(capture, sk::DaemonJson)->absent);
        QCOMPARE(find(capture, sk::ResolvConf)->text, std::string("nameserver 10.0.0.53\n"));
        // the IDs the host listed are inspected, the line that is not an ID is not
        QCOMPARE(find(capture, sk::DockerNetworks)->text, std::string("[{\"Name\":\"bridge\"}]\n"));
        QCOMPARE(find(capture, sk::DockerContainers)->text, std::string("[]"));
        QVERIFY(std::any_of(capture.notes.begin(), capture.notes.end(),
            [](const auto& n) { return n.find(";reboot") != std::string::npos; }));
        for (const auto& command : host.commandsRun()) {
            QVERIFY2(command.find("reboot") == std::string::npos, command.c_str());
            QVERIFY2(command.rfind("sudo", 0) == std::string::npos, command.c_str());
        }
        QCOMPARE(capture.meta.hostname, std::string("fw1"));
        QCOMPARE(capture.meta.takenFrom, std::string("ssh root@fw1:22"));
        QVERIFY(!capture.meta.takenAt.empty());
    }

    void commandThatFailsIsRecordedWithItsStatus()
    {
        remote::FakeHostSession host("root", "fw1", 22);
        setUpHost(host, 0, "");
        host.setOutput("/usr/bin/docker version --format '{{json .}}'",
            { "{\"Client\":{}}\n", 1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock\n" });
        remote::SessionCallbacks callbacks;
        remote::SnapshotCollector collector(host, callbacks, nullptr);
        const auto result = collector.collect();
        QVERIFY(result.ok());
        const auto* version = find(result.value(), sk::DockerVersion);
        QCOMPARE(version->exitStatus.value_or(-1), 1);
        QVERIFY(!version->absent);
        QCOMPARE(version->text, std::string("{\"Client\":{}}\n"));
        QVERIFY(std::any_of(result.value().notes.begin(), result.value().notes.end(),
            [](const auto& n) { return n.find("Cannot connect to the Docker daemon") != std::string::npos; }));
    }

    void userWithPasswordlessSudo()
    {
        remote::FakeHostSession host("admin", "fw1", 22);
        setUpHost(host, 1000, "/usr/bin/sudo -n ");
        // sudo's own warnings do not make a failing command a sudo refusal
        host.setOutput("/usr/bin/sudo -n /usr/sbin/ip6tables-save -c",
            { "", 1,
                "sudo: unable to resolve host fw1: Name or service not known\nip6tables-save: no kernel support\n" });
        remote::SessionCallbacks callbacks;
        remote::SnapshotCollector collector(host, callbacks, nullptr);
        const auto result = collector.collect();
        QVERIFY(result.ok());
        QCOMPARE(
            find(result.value(), sk::IptablesV4)->origin, std::string("/usr/bin/sudo -n /usr/sbin/iptables-save -c"));
        QCOMPARE(find(result.value(), sk::IptablesV4)->text, kRules);
        QCOMPARE(find(result.value(), sk::IpAddr)->origin,
            std::string("/usr/bin/ip -j addr")); // no sudo where none is needed
        QCOMPARE(find(result.value(), sk::IptablesV6)->exitStatus.value_or(-1), 1);
    }

    void sudoSpeaksTheCLocale()
    {
        // sudo's refusal is recognised by its words, so they must not be translated: env LC_ALL=C in front
        const std::string sudo = "/usr/bin/env LC_ALL=C /usr/bin/sudo";
        remote::FakeHostSession host("admin", "fw1", 22);
        setUpHost(host, 1000, sudo + " -S -p '' ", true, true);
        host.setOutput(sudo + " -n /usr/sbin/iptables-save -c", { "", 1, "sudo: a password is required\n" });
        remote::SessionCallbacks callbacks;
        remote::SnapshotCollector collector(host, callbacks, nullptr);
        QCOMPARE(collector.collect().error().code, remote::ErrorCode::SudoPasswordRequired);
        QVERIFY(std::find(host.commandsRun().begin(), host.commandsRun().end(), sudo + " -n /usr/sbin/iptables-save -c")
            != host.commandsRun().end());
        callbacks.sudoPassword = [&](const std::string&, remote::Secret& answer) {
            char typed[] = "s3cret";
            answer.assign(typed, 6);
            return true;
        };
        remote::SnapshotCollector retry(host, callbacks, nullptr);
        const auto result = retry.collect();
        QVERIFY(result.ok());
        QCOMPARE(find(result.value(), sk::IptablesV4)->origin, sudo + " -S -p '' /usr/sbin/iptables-save -c");
        QCOMPARE(find(result.value(), sk::IpAddr)->origin, std::string("/usr/bin/ip -j addr"));
    }

    void sudoWantingAPasswordIsExplained()
    {
        remote::FakeHostSession host("admin", "fw1", 22);
        setUpHost(host, 1000, "/usr/bin/sudo -S -p '' ");
        host.setOutput("/usr/bin/sudo -n /usr/sbin/iptables-save -c", { "", 1, "sudo: a password is required\n" });
        remote::SessionCallbacks callbacks;
        {
            remote::SnapshotCollector collector(host, callbacks, nullptr);
            const auto result = collector.collect();
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, remote::ErrorCode::SudoPasswordRequired);
            QVERIFY(result.error().message.find(
                        "admin ALL=(root) NOPASSWD: /usr/sbin/iptables-save -c, /usr/sbin/ip6tables-save -c")
                != std::string::npos);
            QVERIFY(!host.isOpen());
        }
        int asked = 0;
        callbacks.sudoPassword = [&](const std::string& prompt, remote::Secret&) {
            ++asked;
            [&] { QVERIFY(prompt.find("admin@fw1") != std::string::npos); }();
            return false; // the user declines
        };
        remote::SnapshotCollector declined(host, callbacks, nullptr);
        QCOMPARE(declined.collect().error().code, remote::ErrorCode::SudoPasswordRequired);
        QCOMPARE(asked, 1);
        callbacks.sudoPassword = [&](const std::string&, remote::Secret& answer) {
            ++asked;
            char typed[] = "s3cret";
            answer.assign(typed, 6);
            [&] { QCOMPARE(QByteArray(typed, 6), QByteArray(6, '\0')); }(); // the typed buffer was wiped
            return true;
        };
        remote::SnapshotCollector retry(host, callbacks, nullptr);
        const auto result = retry.collect();
        QVERIFY(result.ok());
        QCOMPARE(asked, 2); // once per snapshot
        QCOMPARE(find(result.value(), sk::IptablesV4)->text, kRules);
        for (const auto& command : host.commandsGivenSecret())
            QVERIFY2(command.rfind("/usr/bin/sudo -S -p '' ", 0) == 0, command.c_str());
        QVERIFY(host.commandsGivenSecret().size() >= 4);
    }

    void bothBackendsHoldingRulesAreBothKept()
    {
        remote::FakeHostSession host("root", "fw1", 22);
        setUpHost(host, 0, "");
        std::string probe
            = "0\nsudo /usr/bin/sudo\niptables-save /usr/sbin/iptables-save\n"
              "iptables-legacy-save /usr/sbin/iptables-legacy-save\niptables-nft-save /usr/sbin/iptables-nft-save\n"
              "ip6tables-legacy-save /usr/sbin/ip6tables-legacy-save\nip6tables-nft-save "
              "/usr/sbin/ip6tables-nft-save\n";
        host.setOutput(remote::probeCommand(), { probe });
        host.setOutput("/usr/sbin/iptables-legacy-save -c", { kRules });
        host.setOutput("/usr/sbin/iptables-nft-save -c", { "*filter\n-A FORWARD -j DOCKER-USER\nCOMMIT\n" });
        host.setOutput("/usr/sbin/ip6tables-legacy-save -c", { "" });
        host.setOutput("/usr/sbin/ip6tables-nft-save -c", { kRules });
        remote::SessionCallbacks callbacks;
        remote::SnapshotCollector collector(host, callbacks, nullptr);
        const auto result = collector.collect();
        QVERIFY(result.ok());
        std::vector<std::string> variants;
        for (const auto& source : result.value().sources)
            if (!source.variant.empty())
                variants.push_back(source.kind + "/" + source.variant);
        QCOMPARE(variants, (std::vector<std::string> { "iptables/legacy", "iptables/nft" }));
    }

    void errorsEndTheSnapshot()
    {
        remote::FakeHostSession refused("root", "fw1", 22);
        refused.setOpenError(remote::sessionError(remote::ErrorCode::HostKeyChanged, "changed"));
        remote::SessionCallbacks callbacks;
        remote::SnapshotCollector first(refused, callbacks, nullptr);
        QCOMPARE(first.collect().error().code, remote::ErrorCode::HostKeyChanged);
        QVERIFY(refused.commandsRun().empty());

        remote::FakeHostSession dropping("root", "fw1", 22);
        setUpHost(dropping, 0, "");
        dropping.setRunError("/usr/bin/ip -j addr", remote::sessionError(remote::ErrorCode::ConnectionLost, "dropped"));
        remote::SnapshotCollector second(dropping, callbacks, nullptr);
        QCOMPARE(second.collect().error().code, remote::ErrorCode::ConnectionLost);
        QCOMPARE(dropping.commandsRun().back(), std::string("/usr/bin/ip -j addr"));
        QVERIFY(!dropping.isOpen());
    }

    void cancelStopsBeforeTheNextCommand()
    {
        remote::FakeHostSession host("root", "fw1", 22);
        setUpHost(host, 0, "");
        auto cancel = std::make_shared<remote::CancelToken>();
        remote::SessionCallbacks callbacks;
        callbacks.progressed = [&](int step, int, const std::string&) {
            if (step == 4)
                cancel->cancel();
        };
        remote::SnapshotCollector collector(host, callbacks, cancel);
        const auto result = collector.collect();
        QCOMPARE(result.error().code, remote::ErrorCode::Cancelled);
        QVERIFY(host.commandsRun().size() <= 3);
    }

    void secretsAreWiped()
    {
        char typed[] = "hunter2";
        remote::Secret secret;
        secret.assign(typed, 7);
        QCOMPARE(QByteArray(typed, 7), QByteArray(7, '\0'));
        QCOMPARE(QByteArray(secret.c_str()), QByteArray("hunter2"));
        QCOMPARE(secret.size(), std::size_t(7));
        for (char c : std::string(100, 'x'))
            secret.append(c);
        QCOMPARE(secret.size(), std::size_t(107));
        secret.clear();
        QVERIFY(secret.empty());
        QCOMPARE(QByteArray(secret.c_str()), QByteArray());
    }
};

QTEST_GUILESS_MAIN(TestCollector)
#include "tst_collector.moc"
