// A flow class's witness is a packet a user could send: no loopback, unspecified, network or broadcast address
// unless the class holds nothing else, and it still shows the class's fates when traced.
#include "model/diff/flowdiff.h"
#include "model/parse/iptables.h"
#include "../common/fixturehost.h"

#include <QTest>

using namespace model;
using namespace model::engine;
using namespace model::diff;

namespace {

IpPrefix interfaceAddress(const char* address, int length)
{
    IpPrefix a = IpPrefix::host(*IpAddress::parse(address));
    a.mask = a.withLength(length).mask;
    a.length = length;
    return a;
}

// lo first, as `ip -j addr` lists it.
HostModel host()
{
    HostModel h;
    h.setInterfacesCaptured(true);
    h.addInterface(HostInterface { "lo", { interfaceAddress("127.0.0.1", 8), interfaceAddress("::1", 128) }, false, {} });
    h.addInterface(HostInterface {
        "eth0", { interfaceAddress("10.0.0.10", 24), interfaceAddress("2001:db8:1::10", 64) }, false, {} });
    h.addInterface(HostInterface { "docker0", { interfaceAddress("172.17.0.1", 16) }, true, {} });
    h.addRoute(HostRoute {
        *IpPrefix::parse("0.0.0.0/0"), "eth0", IpAddress::parse("10.0.0.1"), std::nullopt, "unicast", 0, "captured" });
    h.addRoute(HostRoute { *IpPrefix::parse("::/0"), "eth0", IpAddress::parse("2001:db8:1::1"), std::nullopt,
        "unicast", 0, "captured" });
    h.setSysctl("net.ipv4.ip_forward", "1");
    return h;
}

std::shared_ptr<const Engine> engineOf(const std::string& filterV4, const std::string& filterV6)
{
    auto parse = [](const std::string& rules, Family family) {
        auto r = parse::parseIptablesSave(
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + rules + "COMMIT\n", family);
        return r ? std::make_shared<const Ruleset>(std::move(r).value()) : nullptr;
    };
    return std::make_shared<const Engine>(parse(filterV4, Family::IPv4), parse(filterV6, Family::IPv6), host());
}

// What a witness should not show while its class holds other addresses.
IntervalSet unrealistic(const HostModel& h, Family family)
{
    const int width = family == Family::IPv4 ? 32 : 128;
    std::vector<Interval> out;
    for (const char* text : { "0.0.0.0/8", "127.0.0.0/8", "::/128", "::1/128" })
        if (const auto p = IpPrefix::parse(text); p && p->network.family == family)
            out.push_back(IntervalSet::prefix(*p).intervals().front());
    for (const auto& i : h.interfaces())
        for (const IpPrefix& a : i.addresses)
            if (a.network.family == family && a.length <= width - 2) {
                const Interval subnet = IntervalSet::prefix(a).intervals().front();
                out.push_back({ subnet.lo, subnet.lo });
                out.push_back({ subnet.hi, subnet.hi });
            }
    return IntervalSet::fromIntervals(std::move(out));
}

void checkWitnesses(const Engine& before, const Engine& after, const FlowDiff& diff)
{
    for (const auto* list : { &diff.classes, &diff.depends })
        for (const FlowClass& c : *list) {
            const Header& h = c.witness.header;
            const IntervalSet bad = unrealistic(before.host(), c.family);
            for (const auto& [value, dim] : { std::pair { h.src, Dim::Src }, std::pair { h.dst, Dim::Dst } }) {
                const IntervalSet& members = at(c.box, dim);
                QVERIFY2(!bad.contains(toU128(value)) || members.subtracted(bad).empty(),
                    qPrintable(QStringLiteral("class %1: witness %2 although the class holds routable addresses")
                            .arg(c.id)
                            .arg(QString::fromStdString(c.witness.describe()))));
            }
            QCOMPARE(diff.classOf(c.witness), &c);
            QCOMPARE(sideOf(before.traceFlow(c.witness)), c.before);
            QCOMPARE(sideOf(after.traceFlow(c.witness)), c.after);
        }
}

} // namespace

class TestFlowDiffWitness final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void localAddresses()
    {
        // Everything to the host closed, and a forwarded subnet: the classes hold the loopback range, the subnets'
        // network and broadcast addresses and routable addresses.
        const auto before = engineOf({}, {});
        const auto after = engineOf("-A INPUT -j DROP\n-A FORWARD -s 172.17.0.0/16 -d 10.0.0.0/24 -j DROP\n",
            "-A INPUT -j DROP\n");
        const FlowDiff diff = *computeFlowDiff(*before, *after);
        QVERIFY(!diff.classes.empty());
        bool local = false;
        for (const FlowClass& c : diff.classes)
            local = local || c.box[static_cast<std::size_t>(Dim::Dst)].contains(toU128(*IpAddress::parse("127.0.0.1")));
        QVERIFY(local); // the loopback range lies in a class: the check below is not vacuous
        checkWitnesses(*before, *after, diff);
    }

    void fixtures_data()
    {
        QTest::addColumn<QString>("scenario");
        for (const char* s : { "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" })
            QTest::newRow(s) << QString::fromLatin1(s);
    }

    void fixtures()
    {
        QFETCH(QString, scenario);
        const auto before = Engine::fromSnapshot(*::fixtures::snapshot(QStringLiteral("docker-27.5.1-") + scenario));
        const auto after = Engine::fromSnapshot(*::fixtures::snapshot(QStringLiteral("docker-28.x-") + scenario));
        const FlowDiff diff = *computeFlowDiff(*before, *after);
        QVERIFY(!diff.classes.empty());
        checkWitnesses(*before, *after, diff);
    }
};

QTEST_GUILESS_MAIN(TestFlowDiffWitness)
#include "tst_flowdiffwitness.moc"
