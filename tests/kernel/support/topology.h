#pragma once

#include "support/netns.h"

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
// Only "host" carries the ruleset under test. The peers drop every probe in raw PREROUTING after a
// packet socket has seen it, so their stacks never answer and no reply pollutes the host.
namespace ktest {

// Where a probe enters the host.
enum class Ingress { Lan, Web, Tailnet, Local }; // Local: a process on the host (the OUTPUT path)

struct TopologyOptions {
    Backend backend = Backend::Nft;
    bool tailscale = false;
};

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

private:
    bool fail(const QString& what, const CommandResult& result);
    bool wire();
    bool configureSysctls();
    bool installHelpers();

    TopologyOptions m_options;
    std::unique_ptr<Namespace> m_host;
    std::unique_ptr<Namespace> m_lan;
    std::unique_ptr<Namespace> m_web;
    std::unique_ptr<Namespace> m_ts;
    QString m_error;
};

} // namespace ktest
