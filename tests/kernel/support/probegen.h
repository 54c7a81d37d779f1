#pragma once

#include "support/prober.h"

#include <QByteArray>
#include <QRandomGenerator>
#include <QVector>

// Generated probes for one fixture: packets drawn from the addresses, ports, protocols and interfaces
// its rules and Docker networks name, mixed with the topology's own endpoints and random addresses.
// Every probe is one the topology can answer truthfully: its source never belongs to the host, and its
// destination is an address some namespace answers ARP for (or one routed out through a gateway).
namespace ktest {

struct ProbeMaterial {
    QStringList addresses; // hosts and prefixes ("172.18.0.0/16") named by -s/-d, --to-destination, networks
    QList<quint16> ports; // --dport/--sport/--dports values and DNAT target ports
    QStringList interfaces; // -i/-o names
};

// What a ruleset text and a `docker network inspect` JSON mention.
ProbeMaterial collectMaterial(const QByteArray& rulesText, const QByteArray& networksJson);

// count probes, reproducible for a given seed. Source ports are left 0 (the prober assigns fresh ones).
QVector<ProbeSpec> generateProbes(const ProbeMaterial& material, bool tailscale, int count, quint32 seed);

// True when a reply addressed to this address would reach one of the topology's namespaces.
bool answerable(const QString& address, bool tailscale);

// Shared by the IPv4 and IPv6 generators.
namespace probegen {
    // Adds the ports (--dport/--sport/--dports/--sports, ranges as both ends) and the -i/-o names of a rules text.
    void collectPortsAndInterfaces(const QString& rules, ProbeMaterial& material);
    // Draws the protocol (12 in 20 TCP, 5 in 20 UDP, else ICMP echo) and the destination port: a port the rules
    // name in `rulePortTenths` of 10 draws, a common service port up to 8 in 10, else any; TCP mostly SYN.
    void pickTransport(ProbeHeader& header, QRandomGenerator& rng, const QList<quint16>& rulePorts,
        int rulePortTenths, const QList<quint16>& common, quint8 icmpProto, quint8 echoRequest);
} // namespace probegen

} // namespace ktest
