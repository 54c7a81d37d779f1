#pragma once

#include "support/prober.h"

#include <QByteArray>

// Byte-level pieces shared by the IPv4 and IPv6 probe packets: big-endian fields, the internet checksum and the
// transport header (TCP, UDP, ICMP/ICMPv6 echo) a probe carries.
namespace ktest::wire {

inline constexpr quint8 kTcp = 6;
inline constexpr quint8 kUdp = 17;

void put16(QByteArray& bytes, int at, quint16 value);
quint16 get16(const uchar* data);
// RFC 1071 ones' complement sum of `data`, starting from `initial` (a pseudo header's sum).
quint16 checksum(const QByteArray& data, quint32 initial = 0);
// The transport header and payload of a probe, its checksum field left zero. ICMP and ICMPv6 echo share a layout.
QByteArray transport(const ProbeHeader& header);
// Where the transport checksum sits for the probe's protocol.
int checksumOffset(quint8 proto);

} // namespace ktest::wire
