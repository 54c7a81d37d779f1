#pragma once

#include "support/netns.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>

// The test network of EXPECTED.md, built from namespaces this process owns:
//
//   lan (10.0.0.50, gateway 10.0.0.1, internet client 203.0.113.7, server 1.1.1.1)
//     eth0 ═══ eth0 host 10.0.0.10/24 ─ docker0 172.17.0.1/16 (no ports)
//                   ├ br-897b3066eb8a 172.18.0.1/16 ─ veth ═══ eth0 web 172.18.0.2
//                   └ tailscale0 100.101.102.103 ═══ eth0 ts 100.64.10.20   (tailscale fixtures)
//
// With Family::V6 each namespace also gets the addresses of namespace v6 below.
// Only "host" carries the ruleset under test. The peers drop every probe in raw PREROUTING after a
// packet socket has seen it, so their stacks never answer and no reply pollutes the host.
namespace ktest {

// Where a probe enters the host.
// Local: a process on the host (the OUTPUT path). Web2 (172.18.0.3, a second container on the web's bridge) and
// App (172.17.0.2 on docker0) exist only with TopologyOptions::containers.
enum class Ingress { Lan, Web, Tailnet, Local, Web2, App };
inline constexpr int kIngressCount = 6;

struct TopologyOptions {
    Backend backend = Backend::Nft;
    bool tailscale = false;
    // V6: the ruleset under test is an ip6tables one, and every namespace also gets the IPv6 addresses below.
    Family family = Family::V4;
    bool containers = false; // the Web2 and App containers
};

// The IPv6 side of the topology. No fixture network has IPv6 enabled, so the bridge and container get
// unique-local addresses; tailscale0 carries the address the Tailscale fixtures name.
namespace v6 {
    inline constexpr const char* kHost = "2001:db8:10::10"; // eth0, /64
    inline constexpr const char* kLanClient = "2001:db8:10::50";
    inline constexpr const char* kLanGateway = "2001:db8:10::1";
    inline constexpr const char* kInternetClient = "2001:db8:203::7"; // on the lan peer, /128
    inline constexpr const char* kServer = "2606:4700:4700::1111"; // on the lan peer, /128
    inline constexpr const char* kBridge = "fd00:18::1"; // br-897b3066eb8a, /64
    inline constexpr const char* kWeb = "fd00:18::2";
    inline constexpr const char* kTailscale = "fd7a:115c:a1e0::6c01:6667"; // tailscale0, /128
    inline constexpr const char* kTsPeer = "fd7a:115c:a1e0::a40:a14"; // route fd7a:115c:a1e0::/48 dev tailscale0
}

class Topology final {
public:
    explicit Topology(TopologyOptions options);
    ~Topology();
    Topology(const Topology&) = delete;
    Topology& operator=(const Topology&) = delete;

    // Builds namespaces, links, addresses, sysctls and the tracing helpers. False with error() on failure.
    bool build();
    // Sets the trace flag on every packet entering the host. Call it after load() and applyCommands():
    // netfilter runs hooks of equal priority newest first, and the flag must be set before the ruleset's
    // own raw table runs.
    bool armTracing();
    // Loads the ipsets named in "#   create/add" comment lines, then the ruleset, into the host namespace.
    bool load(const QByteArray& rulesText);
    // Replaces the ruleset loaded before (by load() or reload()) with this one, keeping the tables and built-in
    // chains themselves, so the trace flag armed once still comes first: the previous ruleset's chains are
    // flushed, its own chains deleted, its built-in policies set to ACCEPT, then the text restored without
    // flushing (load() the tables the fixtures use first, before armTracing()). The ipsets it
    // declares are emptied and refilled, and the conntrack table emptied: no attempt sees a connection made
    // under the previous ruleset.
    bool reload(const QByteArray& rulesText);
    // Applies overlay commands ("iptables -I DOCKER-USER ...") with the topology's backend.
    bool applyCommands(const QStringList& commands);
    // iptables-save of the host as loaded (no counters): the text rule numbers refer to.
    QByteArray savedRules() const;

    QString error() const { return m_error; }
    const TopologyOptions& options() const { return m_options; }
    const Namespace& host() const { return *m_host; }
    const Namespace& peer(Ingress ingress) const;
    // The host interface a probe from that peer arrives on.
    static QString ingressInterface(Ingress ingress);
    static QString ingressName(Ingress ingress);
    // The container-side veth's host end (physdev-in of the web container).
    static QString webPort();
    // The host end of a container's veth (its bridge port); empty for the other ingresses.
    static QString bridgePort(Ingress ingress);
    bool has(Ingress ingress) const;
    // Sets net.bridge.bridge-nf-call-iptables (and -ip6tables) in the host namespace.
    bool setBridgeNetfilter(bool on);

private:
    bool fail(const QString& what, const CommandResult& result);
    bool wire();
    bool configureSysctls();
    bool configureSysctls6();
    bool wire6();
    bool wireContainers();
    bool installHelpers();
    bool loadIpsets(const QByteArray& rulesText, bool refill);

    TopologyOptions m_options;
    std::unique_ptr<Namespace> m_host;
    std::unique_ptr<Namespace> m_lan;
    std::unique_ptr<Namespace> m_web;
    std::unique_ptr<Namespace> m_ts;
    std::unique_ptr<Namespace> m_web2;
    std::unique_ptr<Namespace> m_app;
    QString m_error;
    QMap<QString, QStringList> m_chains; // table -> the chains the loaded ruleset declares
};

} // namespace ktest
