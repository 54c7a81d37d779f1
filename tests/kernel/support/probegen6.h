#pragma once

#include "support/probegen.h"

// Generated IPv6 probes for one .ip6.rules fixture, the IPv6 twin of generateProbes(): addresses and
// ports its rules name mixed with the topology's IPv6 endpoints (namespace v6) and random global ones,
// over TCP, UDP and ICMPv6 echo. Every source and destination is one a namespace of the topology answers
// neighbour discovery for, or one routed out through the lan gateway.
namespace ktest {

ProbeMaterial collectMaterial6(const QByteArray& rulesText);
QVector<ProbeSpec> generateProbes6(const ProbeMaterial& material, bool tailscale, int count, quint32 seed);
bool answerable6(const QString& address, bool tailscale);

} // namespace ktest
