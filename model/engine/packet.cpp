#include "model/engine/packet.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace model::engine {

namespace {

constexpr std::array<std::pair<const char*, std::uint8_t>, 14> kProtocols { {
    { "all", 0 },
    { "icmp", 1 },
    { "igmp", 2 },
    { "tcp", 6 },
    { "udp", 17 },
    { "gre", 47 },
    { "esp", 50 },
    { "ah", 51 },
    { "icmpv6", 58 },
    { "ipv6-icmp", 58 },
    { "sctp", 132 },
    { "udplite", 136 },
    { "dccp", 33 },
    { "mh", 135 },
} };

constexpr std::array<std::pair<const char*, std::uint8_t>, 8> kTcpFlags { {
    { "FIN", TcpFlag::Fin },
    { "SYN", TcpFlag::Syn },
    { "RST", TcpFlag::Rst },
    { "PSH", TcpFlag::Psh },
    { "ACK", TcpFlag::Ack },
    { "URG", TcpFlag::Urg },
    { "ALL", 0x3f },
    { "NONE", 0 },
} };

bool equalsNoCase(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

} // namespace

std::optional<std::uint8_t> protocolFromName(std::string_view name) noexcept
{
    for (const auto& [n, v] : kProtocols)
        if (equalsNoCase(name, n))
            return v;
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
    if (ec == std::errc() && ptr == name.data() + name.size() && value <= 255)
        return static_cast<std::uint8_t>(value);
    return std::nullopt;
}

std::string protocolName(std::uint8_t number)
{
    for (const auto& [n, v] : kProtocols)
        if (v == number && v != 0)
            return n;
    return std::to_string(number);
}

std::optional<std::uint8_t> tcpFlagsFromText(std::string_view text) noexcept
{
    std::uint8_t bits = 0;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view word = text.substr(0, comma);
        bool known = false;
        for (const auto& [n, v] : kTcpFlags) {
            if (equalsNoCase(word, n)) {
                bits |= v;
                known = true;
            }
        }
        if (!known)
            return std::nullopt;
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return bits;
}

std::string tcpFlagsText(std::uint8_t flags)
{
    std::string out;
    for (std::size_t i = 0; i < 6; ++i) {
        if (flags & kTcpFlags[i].second) {
            if (!out.empty())
                out += ',';
            out += kTcpFlags[i].first;
        }
    }
    return out.empty() ? std::string("NONE") : out;
}

const char* ctStateName(CtState s) noexcept
{
    switch (s) {
    case CtState::New: return "NEW";
    case CtState::Established: return "ESTABLISHED";
    case CtState::Related: return "RELATED";
    case CtState::Invalid: return "INVALID";
    case CtState::Untracked: return "UNTRACKED";
    }
    return "NEW";
}

std::optional<CtState> ctStateFromName(std::string_view name) noexcept
{
    for (auto s : { CtState::New, CtState::Established, CtState::Related, CtState::Invalid, CtState::Untracked })
        if (equalsNoCase(name, ctStateName(s)))
            return s;
    return std::nullopt;
}

bool Header::hasPorts() const noexcept
{
    return protocol == Proto::Tcp || protocol == Proto::Udp || protocol == Proto::Sctp || protocol == 136
        || protocol == 33;
}

std::string Header::toString() const
{
    auto endpoint = [&](const IpAddress& a, std::uint16_t port) {
        std::string s = a.isV6() ? '[' + a.toString() + ']' : a.toString();
        if (hasPorts())
            s += ':' + std::to_string(port);
        return s;
    };
    std::string out = protocolName(protocol) + ' ' + endpoint(src, sport) + " -> " + endpoint(dst, dport);
    if (icmpType >= 0)
        out += " type " + std::to_string(icmpType) + '/' + std::to_string(icmpCode);
    if (protocol == Proto::Tcp)
        out += " [" + tcpFlagsText(tcpFlags) + ']';
    return out;
}

std::string Packet::describe() const
{
    std::string out = header.toString();
    out += fromLocalProcess ? std::string(" from a local process") : " in " + inInterface;
    out += ' ';
    out += ctStateName(state);
    if (direction == CtDirection::Reply)
        out += " (reply)";
    return out;
}

} // namespace model::engine
