#pragma once

// A snapshot of one host at one moment. The raw sources are the single source of truth:
// every parsed member below is derived from them by snapshotFromSources() (see snapshotbuilder.h),
// and a snapshot file stores only the sources and metadata. Immutable once built; share as SnapshotPtr.

#include "model/hoststate.h"
#include "model/ruleset.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace model {

// Kinds of captured source. Stable strings: they are written into snapshot files.
namespace SourceKind {
    inline constexpr const char* IptablesV4 = "iptables"; // iptables-save, -S or -L text (format detected)
    inline constexpr const char* IptablesV6 = "ip6tables";
    inline constexpr const char* IpsetSave = "ipset";
    inline constexpr const char* NftRuleset = "nft"; // kept raw
    inline constexpr const char* IpAddr = "ip-addr"; // ip -j addr
    inline constexpr const char* IpRoute = "ip-route"; // ip -j route (v4)
    inline constexpr const char* IpRoute6 = "ip6-route"; // ip -j -6 route
    inline constexpr const char* DockerVersion = "docker-version"; // docker version --format '{{json .}}'
    inline constexpr const char* DockerInfo = "docker-info"; // docker info --format '{{json .}}'
    inline constexpr const char* DockerNetworks = "docker-networks"; // docker network inspect (array)
    inline constexpr const char* DockerContainers = "docker-containers"; // docker inspect (array)
    inline constexpr const char* DaemonJson = "daemon-json"; // /etc/docker/daemon.json
    inline constexpr const char* ResolvConf = "resolv-conf"; // /etc/resolv.conf
    inline constexpr const char* Sysctl = "sysctl"; // "key = value" lines
    inline constexpr const char* KernelRelease = "uname-r";
    inline constexpr const char* Hostname = "hostname";
    inline constexpr const char* IptablesVersion = "iptables-version";
}

// One captured input, verbatim.
struct SourceRecord {
    std::string kind; // a SourceKind value
    std::string origin; // the command that produced it, or the file it was read from
    std::string text; // verbatim content
    std::string sha256; // hex digest of text
    std::optional<int> exitStatus; // for commands
    bool absent = false; // the command or file does not exist on the host (different from empty)
    std::string variant; // e.g. "legacy" or "nft" when both backends hold rules
};

struct SnapshotMeta {
    std::string hostname; // may be empty when unknown
    std::string takenAt; // ISO 8601 UTC
    std::string takenFrom; // "ssh root@host:22", "import /path", "predicted from <file> for Docker 28.5.2"
    std::string chainsightVersion;
    bool predicted = false; // made by the upgrade preview, not captured
    std::string label; // free text shown to the user ("before upgrade")
};

struct Snapshot {
    SnapshotMeta meta;
    std::vector<SourceRecord> sources;

    // Derived from sources. nullopt / nullptr: not captured (unknown), which is not the same as empty.
    RulesetPtr ipv4;
    RulesetPtr ipv6;
    std::optional<std::vector<IpSet>> ipsets;
    std::optional<std::vector<Interface>> interfaces;
    std::optional<std::vector<Route>> routes; // IPv4 and IPv6 together
    std::optional<ResolvConf> resolv;
    std::optional<DockerState> docker;
    std::map<std::string, std::string> sysctls; // a missing key is unknown
    std::optional<std::string> kernelRelease;
    std::optional<std::string> iptablesVersion;
    std::vector<std::string> notes; // truncation, stripped prompts, ignored sources

    const SourceRecord* source(std::string_view kind) const noexcept;
    std::optional<std::string> sysctl(const std::string& key) const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

} // namespace model
