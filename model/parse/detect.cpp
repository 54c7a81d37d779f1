#include "model/parse/detect.h"

#include "model/parse/cleaninput.h"
#include "model/parse/formatdetect.h"
#include "model/snapshot.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <vector>

namespace model::parse {

namespace {

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

// The line as a pasted dump means it: without indentation, quote markers and shell prompts.
std::string_view cleanLine(std::string_view line)
{
    for (;;) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos)
            return {};
        line.remove_prefix(first);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.remove_suffix(1);
        if (startsWith(line, ">"))
            line.remove_prefix(1);
        else if (startsWith(line, "$ "))
            line.remove_prefix(2);
        else
            return line;
    }
}

std::vector<std::string_view> lines(std::string_view text)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        if (auto line = cleanLine(text.substr(start, end - start)); !line.empty() && !startsWith(line, "```"))
            out.push_back(line);
        start = end + 1;
    }
    return out;
}

bool isSysctlLine(std::string_view line)
{
    if (startsWith(line, "sysctl: cannot stat /proc/sys/"))
        return true;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return false;
    auto key = line.substr(0, eq);
    while (!key.empty() && key.back() == ' ')
        key.remove_suffix(1);
    return key.find('.') != std::string_view::npos
        && std::all_of(key.begin(), key.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/'; });
}

// The iptables formats are recognised by the ruleset reader's own detection, so import and parse agree.
std::optional<DetectedKind> detectIptables(std::string_view text)
{
    const CleanedInput clean = cleanPastedInput(text);
    const auto format = detectFormat(clean.text);
    if (!format)
        return std::nullopt;
    const bool v6 = detectFamily(clean.text).value_or(Family::IPv4) == Family::IPv6;
    static const char* const kFormats[] = { "iptables-save", "iptables -S", "iptables -L" };
    return DetectedKind { v6 ? SourceKind::IptablesV6 : SourceKind::IptablesV4, kFormats[static_cast<int>(*format)] };
}

std::optional<DetectedKind> detectText(std::string_view text)
{
    if (auto iptables = detectIptables(text))
        return iptables;
    const auto ls = lines(text);
    int content = 0, ipsetCreates = 0, nftTables = 0, resolv = 0, sysctl = 0, other = 0;
    for (auto line : ls) {
        if (line.front() == '#' || line.front() == ';')
            continue;
        ++content;
        ipsetCreates += startsWith(line, "create ");
        nftTables += startsWith(line, "table ") && line.back() == '{';
        const bool isResolv = startsWith(line, "nameserver ") || startsWith(line, "search ") || startsWith(line, "domain ") || startsWith(line, "options ");
        resolv += isResolv;
        const bool isSysctl = isSysctlLine(line);
        sysctl += isSysctl;
        other += !isResolv && !isSysctl;
    }
    if (ipsetCreates > 0 && (startsWith(ls.front(), "create ") || startsWith(ls.front(), "add ")))
        return DetectedKind { SourceKind::IpsetSave, "ipset save" };
    if (nftTables > 0)
        return DetectedKind { SourceKind::NftRuleset, "nft list ruleset" };
    if (resolv > 0 && resolv == content)
        return DetectedKind { SourceKind::ResolvConf, "resolv.conf" };
    if (sysctl > 0 && other == 0)
        return DetectedKind { SourceKind::Sysctl, "sysctl" };
    if (ls.size() == 1 && (startsWith(ls[0], "iptables v") || startsWith(ls[0], "ip6tables v")))
        return DetectedKind { SourceKind::IptablesVersion, "iptables --version" };
    return std::nullopt;
}

// Keys only /etc/docker/daemon.json has; one is enough to tell it from other JSON objects.
constexpr std::array<std::string_view, 24> kDaemonKeys { "iptables", "ip6tables", "userland-proxy", "ip-forward",
    "ip-forward-no-drop", "allow-direct-routing", "icc", "ipv6", "fixed-cidr", "fixed-cidr-v6", "bip", "bridge",
    "firewall-backend", "default-address-pools", "log-driver", "log-opts", "data-root", "storage-driver", "dns",
    "registry-mirrors", "insecure-registries", "live-restore", "experimental", "default-network-opts" };

std::optional<DetectedKind> detectJsonArray(const nlohmann::json& doc)
{
    if (doc.empty() || !doc[0].is_object())
        return std::nullopt; // "[]" says nothing about what it lists
    const auto& first = doc[0];
    if (first.contains("ifname") && (first.contains("addr_info") || first.contains("ifindex")))
        return DetectedKind { SourceKind::IpAddr, "ip -j addr" };
    if (first.contains("dst") && (first.contains("dev") || first.contains("type") || first.contains("gateway"))) {
        const bool v6 = std::all_of(doc.begin(), doc.end(), [](const nlohmann::json& r) {
            const auto dst = r.is_object() ? r.value("dst", std::string()) : std::string();
            const auto gw = r.is_object() ? r.value("gateway", std::string()) : std::string();
            return dst.find(':') != std::string::npos || gw.find(':') != std::string::npos
                || (dst == "default" && gw.empty() && r.value("dev", std::string()) == "lo");
        });
        return DetectedKind { v6 ? SourceKind::IpRoute6 : SourceKind::IpRoute, v6 ? "ip -j -6 route" : "ip -j route" };
    }
    if (first.contains("IPAM") || (first.contains("Driver") && first.contains("Scope") && first.contains("Containers")))
        return DetectedKind { SourceKind::DockerNetworks, "docker network inspect" };
    if (first.contains("NetworkSettings") || (first.contains("State") && first.contains("HostConfig")))
        return DetectedKind { SourceKind::DockerContainers, "docker inspect" };
    return std::nullopt;
}

std::optional<DetectedKind> detectJsonObject(const nlohmann::json& doc)
{
    if ((doc.contains("Client") || doc.contains("Server")) && !doc.contains("ServerVersion"))
        return DetectedKind { SourceKind::DockerVersion, "docker version" };
    if (doc.contains("ServerVersion") || (doc.contains("Swarm") && doc.contains("ID")))
        return DetectedKind { SourceKind::DockerInfo, "docker info" };
    if (doc.empty() || std::any_of(kDaemonKeys.begin(), kDaemonKeys.end(), [&](std::string_view k) { return doc.contains(k); }))
        return DetectedKind { SourceKind::DaemonJson, "daemon.json" };
    return std::nullopt;
}

} // namespace

std::optional<DetectedKind> detectSourceKind(std::string_view text) noexcept
{
    try {
        if (text.find('\0') != std::string_view::npos)
            return std::nullopt;
        const auto first = text.find_first_not_of(" \t\r\n");
        if (first == std::string_view::npos)
            return std::nullopt;
        if (text[first] == '[' || text[first] == '{') {
            const auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
            if (doc.is_array())
                return detectJsonArray(doc);
            if (doc.is_object())
                return detectJsonObject(doc);
            // Broken JSON: still say what it was meant to be when the opening is distinctive, so that the
            // parser can report where it breaks.
            const auto head = text.substr(first, 4096);
            if (head.find("\"IPAM\"") != std::string_view::npos)
                return DetectedKind { SourceKind::DockerNetworks, "docker network inspect" };
            if (head.find("\"addr_info\"") != std::string_view::npos)
                return DetectedKind { SourceKind::IpAddr, "ip -j addr" };
            return std::nullopt;
        }
        return detectText(text);
    } catch (...) {
        return std::nullopt;
    }
}

} // namespace model::parse
