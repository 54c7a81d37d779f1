#pragma once

#include "support/prober.h"

#include <QByteArray>
#include <QString>

#include <optional>

// IPv6 probe packets for the prober: built with a fixed header only (no extension headers), and the
// probe's id carried in the flow label, which neither routing nor NAT touches (IPv6 has no IP ID).
namespace ktest {

inline constexpr quint8 kIcmpv6 = 58;

// A packet as an observer saw it.
struct SeenPacket {
    bool valid = false;
    quint16 id = 0; // IPv4: the IP ID; IPv6: the flow label
    ProbeHeader header;
    std::optional<quint16> errorFor; // an ICMP error: the id of the packet it quotes
};

bool isV6Address(const QString& address);

QByteArray buildPacket6(const ProbeHeader& header, quint16 flowLabel);
SeenPacket parsePacket6(const uchar* data, qsizetype size);
// What an IPv6 raw socket of the host received: the transport header only; src from recvfrom().
SeenPacket parseTransport6(quint8 proto, const uchar* data, qsizetype size, const QString& src);
// "icmp6-adm-prohibited", "icmp6-port-unreachable", ... as --reject-with names them.
QString icmp6ErrorName(int type, int code);

} // namespace ktest
