#include "support/enginebridge.h"

#include "model/parse/docker.h"
#include "model/parse/iproute.h"
#include "model/parse/iptables.h"

#include <QStringList>

namespace ktest {

namespace {

    using namespace model::engine;

    // The fixtures carry their ipset state as "#   create NAME TYPE ..." / "#   add NAME MEMBER" lines.
    std::vector<model::IpSet> ipsetsOf(const QByteArray& fixtureText)
    {
        std::vector<model::IpSet> sets;
        for (const QByteArray& raw : fixtureText.split('\n')) {
            const QStringList words = QString::fromUtf8(raw).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (words.size() < 4 || words.first() != QLatin1String("#"))
                continue;
            if (words.at(1) == QLatin1String("create")) {
                model::IpSet set;
                set.name = words.at(2).toStdString();
                set.type = words.at(3).toStdString();
                set.family = words.value(5).toStdString();
                sets.push_back(set);
            } else if (words.at(1) == QLatin1String("add")) {
                for (auto& set : sets) {
                    if (set.name == words.at(2).toStdString())
                        set.members.push_back(words.at(3).toStdString());
                }
            }
        }
        return sets;
    }

    QString sysctlValue(const Namespace& ns, const char* path)
    {
        return QString::fromUtf8(ns.run({ QStringLiteral("cat"), QString::fromLatin1(path) }).out.trimmed());
    }

} // namespace

std::shared_ptr<const Engine> engineForHost(const Topology& topology, const QByteArray& fixtureText,
    const QByteArray& networksJson, QString* error)
{
    const Namespace& host = topology.host();
    const bool v6 = topology.options().family == Family::V6;
    auto rules = model::parse::parseIptablesSave(
        topology.savedRules().toStdString(), v6 ? model::Family::IPv6 : model::Family::IPv4);
    if (!rules) {
        *error = QStringLiteral("saved rules: ") + QString::fromStdString(rules.error().toString());
        return nullptr;
    }
    const CommandResult addr = host.run({ QStringLiteral("ip"), QStringLiteral("-j"), QStringLiteral("addr") });
    const CommandResult route = host.run({ QStringLiteral("ip"), QStringLiteral("-j"), QStringLiteral("route") });
    auto interfaces = model::parse::parseIpAddr(addr.out.toStdString());
    auto routes = model::parse::parseIpRoute(route.out.toStdString());
    if (v6 && routes) {
        // `ip -j route` lists the IPv4 table only; a snapshot captures both.
        const CommandResult route6 = host.run({ QStringLiteral("ip"), QStringLiteral("-j"), QStringLiteral("-6"),
            QStringLiteral("route") });
        auto routes6 = model::parse::parseIpRoute(route6.out.toStdString(), true);
        if (!routes6) {
            routes = std::move(routes6);
        } else {
            std::vector<model::Route> both = std::move(routes).value();
            for (const model::Route& r : routes6.value())
                both.push_back(r);
            routes = std::move(both);
        }
    }
    auto networks = model::parse::parseDockerNetworks(networksJson.toStdString());
    if (!interfaces || !routes || !networks) {
        *error = QStringLiteral("host facts: ip addr %1, ip route %2, networks %3")
                     .arg(interfaces ? QStringLiteral("ok") : QString::fromStdString(interfaces.error().toString()),
                         routes ? QStringLiteral("ok") : QString::fromStdString(routes.error().toString()),
                         networks ? QStringLiteral("ok") : QString::fromStdString(networks.error().toString()));
        return nullptr;
    }
    model::Snapshot snapshot;
    (v6 ? snapshot.ipv6 : snapshot.ipv4) = std::make_shared<const model::Ruleset>(std::move(rules).value());
    snapshot.interfaces = std::move(interfaces).value();
    snapshot.routes = std::move(routes).value();
    model::DockerState docker;
    docker.networks = std::move(networks).value();
    snapshot.docker = std::move(docker);
    snapshot.ipsets = ipsetsOf(fixtureText);
    snapshot.sysctls["net.ipv4.ip_forward"] = sysctlValue(host, "/proc/sys/net/ipv4/ip_forward").toStdString();
    snapshot.sysctls["net.bridge.bridge-nf-call-iptables"]
        = sysctlValue(host, "/proc/sys/net/bridge/bridge-nf-call-iptables").toStdString();
    if (v6) {
        snapshot.sysctls["net.ipv6.conf.all.forwarding"]
            = sysctlValue(host, "/proc/sys/net/ipv6/conf/all/forwarding").toStdString();
        snapshot.sysctls["net.bridge.bridge-nf-call-ip6tables"]
            = sysctlValue(host, "/proc/sys/net/bridge/bridge-nf-call-ip6tables").toStdString();
    }
    return Engine::fromSnapshot(snapshot);
}

Packet toPacket(const ProbeSpec& probe)
{
    Packet p;
    p.family = probe.header.dst.contains(QLatin1Char(':')) ? model::Family::IPv6 : model::Family::IPv4;
    p.inInterface = Topology::ingressInterface(probe.from).toStdString();
    if (probe.from == Ingress::Local) {
        // Sent by this test process, which runs as root.
        p.fromLocalProcess = true;
        p.uid = 0;
        p.gid = 0;
    }
    p.inBridgePort = Topology::bridgePort(probe.from).toStdString();
    p.header.src = *IpAddress::parse(probe.header.src.toStdString());
    p.header.dst = *IpAddress::parse(probe.header.dst.toStdString());
    p.header.protocol = probe.header.proto;
    p.header.sport = probe.header.sport;
    p.header.dport = probe.header.dport;
    p.header.tcpFlags = probe.header.proto == Proto::Tcp ? probe.header.tcpFlags : 0;
    const bool icmp = probe.header.proto == Proto::Icmp || probe.header.proto == Proto::Icmpv6;
    p.header.icmpType = icmp ? probe.header.icmpType : -1;
    p.header.icmpCode = icmp ? probe.header.icmpCode : 0;
    return p;
}

QString ruleKey(const RuleRef& rule)
{
    if (!rule.other.empty() || rule.table.empty())
        return QStringLiteral("none: ") + QString::fromStdString(rule.other);
    const QString where = QString::fromStdString(rule.table + '/' + rule.chain);
    if (rule.isPolicy())
        return where + QStringLiteral(" policy ") + QString::fromStdString(rule.policy);
    return where + QStringLiteral(" #%1").arg(rule.index);
}

QString ruleKey(const std::optional<TraceStep>& step)
{
    if (!step)
        return QStringLiteral("none: the trace holds no verdict");
    const QString where = step->table + QLatin1Char('/') + step->chain;
    if (step->kind == TraceStep::Kind::Policy)
        return where + QStringLiteral(" policy ") + step->verdict;
    if (step->index < 0)
        return where + QStringLiteral(" ? ") + step->text;
    return where + QStringLiteral(" #%1").arg(step->index);
}

QString engineFateName(Fate fate)
{
    return QString::fromLatin1(fateName(fate));
}

QString enginePath(const TraceResult& result)
{
    QStringList lines;
    for (const Hop& h : result.hops()) {
        QString line = QString::fromLatin1(hookName(h.hook)) + QLatin1Char(' ');
        if (!h.table.empty())
            line += QString::fromStdString(h.table + '/' + h.chain) + QLatin1Char(' ');
        if (h.ruleNumber > 0)
            line += QStringLiteral("#%1 ").arg(h.ruleNumber);
        line += QString::fromStdString(h.verdict);
        if (!h.ruleText.empty())
            line += QStringLiteral(": ") + QString::fromStdString(h.ruleText);
        if (!h.note.empty())
            line += QStringLiteral(" (") + QString::fromStdString(h.note) + QLatin1Char(')');
        lines << line;
    }
    return lines.join(QStringLiteral("\n      -> "));
}

} // namespace ktest
