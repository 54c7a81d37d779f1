#pragma once

// Snapshots of the shared Docker fixtures' host (rules, ip6 rules, interfaces, routes, Docker networks, ipsets),
// built the way the real-kernel measurements were set up. Header only: the model and kernel tests share it and each
// label links only its own layer.

#include "model/parse/iptables.h"
#include "model/snapshot.h"

#include <QFile>
#include <QString>

#include <nlohmann/json.hpp>

namespace fixtures {

inline QByteArray read(const QString& name)
{
    QFile f(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", qPrintable(name));
    return f.readAll();
}

inline nlohmann::json readJson(const QString& name) { return nlohmann::json::parse(read(name).toStdString()); }

namespace detail {

using namespace model;

// The fixtures carry their ipset state as "#   create ..." / "#   add ..." comment lines.
inline std::vector<IpSet> ipsetsFromComments(const std::string& text)
{
    std::vector<IpSet> sets;
    for (const QString& line : QString::fromStdString(text).split(QLatin1Char('\n'))) {
        const auto words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (words.size() < 4 || words[0] != QLatin1String("#"))
            continue;
        if (words[1] == QLatin1String("create"))
            sets.push_back(IpSet { words[2].toStdString(), words[3].toStdString(), {}, {}, {} });
        else if (words[1] == QLatin1String("add") && !sets.empty())
            sets.back().members.push_back(words[3].toStdString());
    }
    return sets;
}

inline std::vector<Interface> interfacesFrom(const nlohmann::json& addr)
{
    std::vector<Interface> out;
    for (const auto& j : addr) {
        Interface i;
        i.name = j.at("ifname").get<std::string>();
        i.linkType = j.value("link_type", std::string());
        for (const auto& a : j.value("addr_info", nlohmann::json::array()))
            i.addresses.push_back(InterfaceAddress { a.at("local").get<std::string>(), a.at("prefixlen").get<int>(),
                a.at("family").get<std::string>() == "inet6", a.value("scope", std::string()) });
        out.push_back(std::move(i));
    }
    return out;
}

inline std::vector<Route> routesFrom(const nlohmann::json& routes)
{
    std::vector<Route> out;
    for (const auto& j : routes) {
        Route r;
        r.destination = j.at("dst").get<std::string>();
        r.gateway = j.value("gateway", std::string());
        r.device = j.value("dev", std::string());
        r.preferredSource = j.value("prefsrc", std::string());
        r.type = j.value("type", std::string());
        out.push_back(std::move(r));
    }
    return out;
}

inline DockerState dockerFrom(const nlohmann::json& networks)
{
    DockerState d;
    d.networks.emplace();
    for (const auto& j : networks) {
        DockerNetwork n;
        n.name = j.at("Name").get<std::string>();
        n.driver = j.at("Driver").get<std::string>();
        const nlohmann::json opts
            = j.contains("Options") && j["Options"].is_object() ? j["Options"] : nlohmann::json::object();
        n.bridgeName
            = opts.value("com.docker.network.bridge.name", "br-" + j.at("Id").get<std::string>().substr(0, 12));
        for (const auto& c : j.at("IPAM").at("Config"))
            n.subnets.push_back(
                DockerSubnet { c.at("Subnet").get<std::string>(), c.value("Gateway", std::string()), false });
        const nlohmann::json containers
            = j.contains("Containers") && j["Containers"].is_object() ? j["Containers"] : nlohmann::json::object();
        for (const auto& [id, c] : containers.items())
            n.endpoints.push_back(DockerEndpoint { id, c.at("Name").get<std::string>(),
                c.at("IPv4Address").get<std::string>(), c.value("IPv6Address", std::string()), {} });
        d.networks->push_back(std::move(n));
    }
    return d;
}

} // namespace detail

inline model::SnapshotPtr snapshot(const QString& fixture)
{
    using namespace model;
    using namespace detail;
    const std::string v4 = read(fixture + QStringLiteral(".rules")).toStdString();
    const std::string v6 = read(fixture + QStringLiteral(".ip6.rules")).toStdString();
    auto p4 = parse::parseIptablesSave(v4, Family::IPv4);
    auto p6 = parse::parseIptablesSave(v6, Family::IPv6);
    if (!p4 || !p6) {
        qWarning("%s: %s", qPrintable(fixture), (p4 ? p6.error() : p4.error()).toString().c_str());
        return nullptr;
    }
    const QString host
        = fixture.contains(QLatin1String("-c-tailscale")) ? QStringLiteral("host-tailscale") : QStringLiteral("host");
    auto s = std::make_shared<Snapshot>();
    s->ipv4 = std::make_shared<const Ruleset>(std::move(p4).value());
    s->ipv6 = std::make_shared<const Ruleset>(std::move(p6).value());
    s->interfaces = interfacesFrom(readJson(host + QStringLiteral("-ip-addr.json")));
    s->routes = routesFrom(readJson(host + QStringLiteral("-ip-route.json")));
    // The measured topology has no IPv6 routes; an IPv6 uplink (and Tailscale's IPv6 range) makes the ip6tables
    // differences between the versions reachable, as on a dual-stack host.
    s->routes->push_back(Route { "default", "fe80::1", "eth0", {}, {}, {}, {}, 0, true });
    if (host == QLatin1String("host-tailscale"))
        s->routes->push_back(Route { "fd7a:115c:a1e0::/48", {}, "tailscale0", {}, {}, {}, {}, 0, true });
    s->docker = dockerFrom(readJson(fixture + QStringLiteral(".networks.json")));
    s->ipsets = ipsetsFromComments(v4);
    s->sysctls["net.ipv4.ip_forward"] = "1";
    s->sysctls["net.bridge.bridge-nf-call-iptables"] = "1";
    s->sysctls["net.ipv6.conf.all.forwarding"] = "1";
    s->sysctls["net.bridge.bridge-nf-call-ip6tables"] = "1";
    return s;
}

} // namespace fixtures
