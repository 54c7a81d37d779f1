#pragma once

// The packet (and the flow it belongs to) that a trace follows. Plain values.

#include "model/engine/ipaddress.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace model::engine {

namespace Proto {
    inline constexpr std::uint8_t Any = 0; // "-p all"; never a packet's protocol
    inline constexpr std::uint8_t Icmp = 1;
    inline constexpr std::uint8_t Tcp = 6;
    inline constexpr std::uint8_t Udp = 17;
    inline constexpr std::uint8_t Icmpv6 = 58;
    inline constexpr std::uint8_t Sctp = 132;
}

// "tcp", "6", "ipv6-icmp", "all" ... -> number; nullopt when unknown.
std::optional<std::uint8_t> protocolFromName(std::string_view name) noexcept;
std::string protocolName(std::uint8_t number); // "tcp", "udp", "icmp", "icmpv6", or the number

namespace TcpFlag {
    inline constexpr std::uint8_t Fin = 0x01;
    inline constexpr std::uint8_t Syn = 0x02;
    inline constexpr std::uint8_t Rst = 0x04;
    inline constexpr std::uint8_t Psh = 0x08;
    inline constexpr std::uint8_t Ack = 0x10;
    inline constexpr std::uint8_t Urg = 0x20;
}
// "SYN,ACK" / "ALL" / "NONE" -> bits.
std::optional<std::uint8_t> tcpFlagsFromText(std::string_view text) noexcept;
std::string tcpFlagsText(std::uint8_t flags);

// Conntrack state as the packet will see it after the conntrack hook. The raw table always sees INVALID (no ct yet).
enum class CtState : std::uint8_t { New, Established, Related, Invalid, Untracked };
const char* ctStateName(CtState s) noexcept; // "NEW", ...
std::optional<CtState> ctStateFromName(std::string_view name) noexcept; // case-insensitive

enum class CtDirection : std::uint8_t { Original, Reply };

// The header fields a rule can look at or a NAT target can rewrite.
struct Header {
    IpAddress src;
    IpAddress dst;
    std::uint8_t protocol = Proto::Tcp;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t tcpFlags = TcpFlag::Syn;
    int icmpType = -1; // -1: not ICMP
    int icmpCode = 0;

    bool operator==(const Header&) const = default;
    bool hasPorts() const noexcept; // tcp, udp, sctp, udplite, dccp
    std::string toString() const; // "tcp 10.0.0.50:40000 -> 172.18.0.2:80"
};

// A connection's stored translation: the tuple of its first packet and what nat made of it.
// Later packets of the flow get it without consulting the nat table (SEMANTICS §2.5).
struct NatBinding {
    Header original; // the first packet as it arrived
    Header translated; // after DNAT/REDIRECT (PREROUTING/OUTPUT) and SNAT/MASQUERADE (POSTROUTING)
    bool dnat() const noexcept { return original.dst != translated.dst || original.dport != translated.dport; }
    bool snat() const noexcept { return original.src != translated.src || original.sport != translated.sport; }
};

struct Packet {
    Family family = Family::IPv4;
    // Where the packet enters: an interface name, or empty with fromLocalProcess for the OUTPUT path.
    std::string inInterface;
    bool fromLocalProcess = false;
    // The bridge port a bridged frame came in on (physdev-in), when known.
    std::string inBridgePort;
    Header header;
    CtState state = CtState::New;
    CtDirection direction = CtDirection::Original;
    std::uint32_t mark = 0;
    std::uint32_t connmark = 0;
    // Socket owner for -m owner (OUTPUT only); nullopt = unknown.
    std::optional<std::uint32_t> uid;
    std::optional<std::uint32_t> gid;
    // Stored translation for a non-NEW packet. For ESTABLISHED/RELATED in the original direction the engine
    // derives it from the first packet when absent; for the reply direction absent means "not NATed".
    std::optional<NatBinding> binding;

    std::string describe() const; // "tcp 10.0.0.50:40000 -> 172.18.0.2:80 in eth0 NEW"
};

} // namespace model::engine
