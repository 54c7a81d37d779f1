// Reproduces every measured row of expected-verdicts.json (real-kernel verdicts for the shared Docker
// fixtures, with and without overlays) with the engine: the client-visible verdict and the deciding rule.
#include "../common/fixturehost.h"
#include "model/edit/iptablescommand.h"
#include "model/engine/engine.h"
#include "model/parse/iptables.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <map>

using namespace model;
using namespace model::engine;

namespace {

using fixtures::read;
using fixtures::readJson;
using namespace fixtures::detail;

struct FlowSpec {
    const char* in;
    const char* src;
    const char* dst;
    std::uint16_t dport;
};

const std::map<std::string, FlowSpec>& flows()
{
    static const std::map<std::string, FlowSpec> f {
        { "EXT-PUB", { "eth0", "203.0.113.7", "10.0.0.10", 8080 } },
        { "LAN-DIRECT-80", { "eth0", "10.0.0.50", "172.18.0.2", 80 } },
        { "LAN-DIRECT-22", { "eth0", "10.0.0.50", "172.18.0.2", 22 } },
        { "CTR-OUT", { "br-897b3066eb8a", "172.18.0.2", "1.1.1.1", 443 } },
        { "TS-PUB", { "tailscale0", "100.64.10.20", "100.101.102.103", 8080 } },
        { "TS-DIRECT-80", { "tailscale0", "100.64.10.20", "172.18.0.2", 80 } },
        { "TS-DIRECT-22", { "tailscale0", "100.64.10.20", "172.18.0.2", 22 } },
        { "CTR-TS", { "br-897b3066eb8a", "172.18.0.2", "100.64.10.20", 443 } },
        { "TS-EXIT", { "tailscale0", "100.64.10.20", "1.1.1.1", 443 } },
        { "TS-LAN", { "tailscale0", "100.64.10.20", "10.0.0.50", 443 } },
    };
    return f;
}

std::string describeFlow(const FlowResult& r)
{
    std::string out = std::string(fateName(r.fate)) + " | " + r.qualifiedDeciding() + "\n  original path:";
    for (const auto& h : r.original.hops())
        out += "\n    " + std::string(hookName(h.hook)) + ' ' + h.table + '/' + h.chain + ' ' + h.verdict + ' '
            + h.ruleText + ' ' + h.note;
    return out;
}

} // namespace

class TestEngineFixtures final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void expectedVerdicts_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("overlay");
        QTest::addColumn<QString>("flow");
        QTest::addColumn<QString>("verdict");
        QTest::addColumn<QString>("deciding");
        const auto expected = readJson(QStringLiteral("expected-verdicts.json"));
        int rows = 0;
        for (const auto& [key, results] : expected.at("results").items()) {
            const auto plus = key.find(" +");
            const std::string fixture = key.substr(0, plus);
            const std::string overlay = plus == std::string::npos ? std::string() : key.substr(plus + 2);
            for (const auto& [flow, row] : results.items()) {
                QTest::newRow((key + ' ' + flow).c_str())
                    << QString::fromStdString(fixture) << QString::fromStdString(overlay)
                    << QString::fromStdString(flow) << QString::fromStdString(row.at("verdict").get<std::string>())
                    << QString::fromStdString(row.at("deciding_rule").get<std::string>());
                ++rows;
            }
        }
        QVERIFY(rows >= 99);
    }

    void expectedVerdicts()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, overlay);
        QFETCH(QString, flow);
        QFETCH(QString, verdict);
        QFETCH(QString, deciding);
        const auto engine = engineFor(fixture, overlay);
        QVERIFY(engine);
        const auto it = flows().find(flow.toStdString());
        QVERIFY(it != flows().end());
        Packet p;
        p.inInterface = it->second.in;
        p.header.src = *IpAddress::parse(it->second.src);
        p.header.dst = *IpAddress::parse(it->second.dst);
        p.header.protocol = Proto::Tcp;
        p.header.sport = 40000;
        p.header.dport = it->second.dport;
        const FlowResult r = engine->traceFlow(p);
        const std::string got = describeFlow(r);
        QVERIFY2(QString::fromLatin1(fateName(r.fate)) == verdict && QString::fromStdString(r.qualifiedDeciding()) == deciding,
            qPrintable(QStringLiteral("expected %1 | %2\n got %3").arg(verdict, deciding, QString::fromStdString(got))));
    }

private:
    std::shared_ptr<const Engine> engineFor(const QString& fixture, const QString& overlay)
    {
        const QString key = fixture + QLatin1Char('+') + overlay;
        if (auto it = m_engines.find(key); it != m_engines.end())
            return it->second;
        const std::string text = read(fixture).toStdString();
        auto parsed = parse::parseIptablesSave(text, Family::IPv4);
        if (!parsed) {
            qWarning("%s: %s", qPrintable(fixture), parsed.error().toString().c_str());
            return nullptr;
        }
        Ruleset rules = std::move(parsed).value();
        if (!overlay.isEmpty()) {
            const auto commands = readJson(QStringLiteral("expected-verdicts.json"))
                                      .at("overlays")
                                      .at(overlay.toStdString())
                                      .get<std::vector<std::string>>();
            auto applied = edit::applyIptablesCommands(std::move(rules), commands);
            if (!applied) {
                qWarning("%s: %s", qPrintable(overlay), applied.error().toString().c_str());
                return nullptr;
            }
            rules = std::move(applied).value();
        }
        const bool tailscale = fixture.contains(QLatin1String("-c-tailscale"));
        const QString host = tailscale ? QStringLiteral("host-tailscale") : QStringLiteral("host");
        QString base = fixture;
        base.chop(int(sizeof(".rules") - 1));
        Snapshot s;
        s.ipv4 = std::make_shared<const Ruleset>(std::move(rules));
        s.interfaces = interfacesFrom(readJson(host + QStringLiteral("-ip-addr.json")));
        s.routes = routesFrom(readJson(host + QStringLiteral("-ip-route.json")));
        s.docker = dockerFrom(readJson(base + QStringLiteral(".networks.json")));
        s.ipsets = ipsetsFromComments(text);
        s.sysctls["net.ipv4.ip_forward"] = "1";
        s.sysctls["net.bridge.bridge-nf-call-iptables"] = "1";
        auto engine = Engine::fromSnapshot(s);
        m_engines[key] = engine;
        return engine;
    }

    std::map<QString, std::shared_ptr<const Engine>> m_engines;
};

QTEST_GUILESS_MAIN(TestEngineFixtures)
#include "tst_engine_fixtures.moc"
