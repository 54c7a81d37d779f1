#pragma once

// What the engine knows about the host besides its rules: local addresses, routes, bridges, Docker
// endpoints, ipsets and the sysctls that change packet paths. Built once per snapshot; immutable
// afterwards and safe to read from many threads.
//
// Captured facts come first. Where the snapshot lacks them, inferFromRuleset() fills in what the rules
// imply (Docker bridge subnets from MASQUERADE rules, container addresses from DNAT targets) and every
// such inference is recorded in assumptions(), so a trace can say what it took for granted.

#include "model/engine/ipaddress.h"
#include "model/hoststate.h"
#include "model/snapshot.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace model::engine {

struct HostRoute {
    IpPrefix destination;
    std::string device;
    std::optional<IpAddress> gateway;
    std::optional<IpAddress> preferredSource;
    std::string type = "unicast"; // unicast, local, broadcast, blackhole, unreachable, prohibit
    int metric = 0;
    std::string origin; // "captured", or what it was inferred from
    bool operator==(const HostRoute&) const = default;
};

struct HostInterface {
    std::string name;
    std::vector<IpPrefix> addresses; // address with its prefix length (network = the address itself)
    bool bridge = false;
    std::string master; // the bridge it is a port of
    bool operator==(const HostInterface&) const = default;
};

struct HostEndpoint {
    IpAddress address;
    std::string container;
    std::string network;
    std::string bridge;
    bool operator==(const HostEndpoint&) const = default;
};

// addrtype bits as in the kernel's RTN_* numbering, used by -m addrtype.
namespace AddrType {
    inline constexpr std::uint32_t Unspec = 1u << 0;
    inline constexpr std::uint32_t Unicast = 1u << 1;
    inline constexpr std::uint32_t Local = 1u << 2;
    inline constexpr std::uint32_t Broadcast = 1u << 3;
    inline constexpr std::uint32_t Anycast = 1u << 4;
    inline constexpr std::uint32_t Multicast = 1u << 5;
    inline constexpr std::uint32_t Blackhole = 1u << 6;
    inline constexpr std::uint32_t Unreachable = 1u << 7;
    inline constexpr std::uint32_t Prohibit = 1u << 8;
    inline constexpr std::uint32_t Throw = 1u << 9;
    inline constexpr std::uint32_t Nat = 1u << 10;
    inline constexpr std::uint32_t XResolve = 1u << 11;
}
std::optional<std::uint32_t> addrTypeFromName(std::string_view name) noexcept;

struct RouteDecision {
    bool found = false; // false: no route at all (the packet is dropped by routing)
    bool local = false; // delivered to this host
    std::string device; // output interface (lo for local)
    std::optional<IpAddress> gateway;
    std::optional<IpAddress> source; // preferred source (MASQUERADE uses it)
    std::string type = "unicast";
    std::string description; // "172.18.0.0/16 dev br-897b3066eb8a (captured)"
    bool assumed = false; // the route was inferred, not captured
};

class HostModel final {
public:
    // Captured facts from the snapshot, then inferences from its rulesets for what is missing.
    static HostModel fromSnapshot(const Snapshot& snapshot);

    // Building by hand (tests, scenarios).
    void addInterface(HostInterface iface);
    void addRoute(HostRoute route);
    void addEndpoint(HostEndpoint endpoint);
    void addIpSet(IpSet set);
    void setSysctl(const std::string& key, const std::string& value);
    void setIpsetsCaptured(bool captured) { m_ipsetsCaptured = captured; }
    // Interfaces added by hand are the complete list: no other address is local.
    void setInterfacesCaptured(bool captured) { m_interfacesCaptured = captured; }
    // Fills in routes, local addresses and bridges the rules imply, when they were not captured.
    void inferFromRuleset(const Ruleset& ruleset);

    RouteDecision route(const IpAddress& dst) const;
    bool isLocal(const IpAddress& address) const noexcept;
    // Whether the address is one of the host's own: nullopt when the interfaces were not captured and
    // nothing else (loopback, an inferred bridge subnet) settles it.
    std::optional<bool> localKnown(const IpAddress& address) const noexcept;
    std::uint32_t addressType(const IpAddress& address) const noexcept; // AddrType bits
    // The address a packet leaving through this interface gets from MASQUERADE / REDIRECT.
    std::optional<IpAddress> primaryAddress(const std::string& iface, Family family) const;
    const HostInterface* interface(const std::string& name) const noexcept;
    bool isBridge(const std::string& name) const noexcept;
    const HostEndpoint* endpoint(const IpAddress& address) const noexcept;
    // "172.18.0.2 (web on mynet)", or just the address.
    std::string describe(const IpAddress& address) const;

    // Membership of a key in an ipset: nullopt when the set (or its type) is not known.
    std::optional<bool> ipsetContains(const std::string& set, const IpAddress& address) const;

    // nullopt: not captured. Keys as in sysctl(8): net.ipv4.ip_forward, net.bridge.bridge-nf-call-iptables.
    std::optional<std::string> sysctl(const std::string& key) const;

    const std::vector<HostInterface>& interfaces() const noexcept { return m_interfaces; }
    const std::vector<HostRoute>& routes() const noexcept { return m_routes; }
    const std::vector<std::string>& assumptions() const noexcept { return m_assumptions; }
    const std::vector<IpSet>& ipsets() const noexcept { return m_ipsets; }
    const std::vector<HostEndpoint>& endpoints() const noexcept { return m_endpoints; }
    // Every prefix at whose edges an address-dependent answer (local, broadcast, multicast, route, whether
    // locality is known) may change: between two consecutive edges all those answers are the same.
    std::vector<IpPrefix> addressBoundaries(Family family) const;
    bool interfacesCaptured() const noexcept { return m_interfacesCaptured; }
    bool routesCaptured() const noexcept { return m_routesCaptured; }

    // Every fact the engine reads is equal (the semantic diff explores less when both hosts are the same).
    bool operator==(const HostModel&) const = default;

private:
    bool isBroadcast(const IpAddress& address) const noexcept;
    void inferDefaultRoute(Family family);
    void addLocalRoutes(const HostInterface& iface);

    std::vector<HostInterface> m_interfaces;
    std::vector<HostRoute> m_routes;
    std::vector<std::string> m_routeTexts; // "10.0.0.0/24 dev eth0 (captured)", parallel to m_routes
    std::vector<IpPrefix> m_localAddresses; // host prefixes
    std::vector<IpAddress> m_broadcasts; // subnet broadcast addresses of the interfaces
    std::vector<HostEndpoint> m_endpoints;
    std::vector<IpSet> m_ipsets;
    std::map<std::string, std::string> m_sysctls;
    std::vector<std::string> m_assumptions;
    bool m_interfacesCaptured = false;
    bool m_routesCaptured = false;
    bool m_ipsetsCaptured = false;
};

} // namespace model::engine
