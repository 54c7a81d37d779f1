#include "model/engine/ipaddress.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>

namespace model::engine {

namespace {

IpAddress maskOfLength(Family family, int bits) noexcept
{
    IpAddress m;
    m.family = family;
    if (family == Family::IPv4) {
        m.lo = bits <= 0 ? 0 : (0xffffffffull << (32 - bits)) & 0xffffffffull;
        return m;
    }
    auto half = [](int b) -> std::uint64_t { return b <= 0 ? 0 : (b >= 64 ? ~0ull : ~0ull << (64 - b)); };
    m.hi = half(bits);
    m.lo = half(bits - 64);
    return m;
}

// The prefix length of a contiguous mask, -1 otherwise.
int lengthOfMask(const IpAddress& m) noexcept
{
    auto count = [](std::uint64_t v, int width) -> int {
        int n = 0;
        for (int i = width - 1; i >= 0; --i) {
            if ((v >> i) & 1u)
                ++n;
            else
                break;
        }
        return n;
    };
    if (m.family == Family::IPv4) {
        const int n = count(m.lo, 32);
        return maskOfLength(Family::IPv4, n) == m ? n : -1;
    }
    const int n = count(m.hi, 64) == 64 ? 64 + count(m.lo, 64) : count(m.hi, 64);
    return maskOfLength(Family::IPv6, n) == m ? n : -1;
}

} // namespace

IpAddress IpAddress::fromV4(std::uint32_t value) noexcept
{
    IpAddress a;
    a.lo = value;
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) noexcept
{
    if (text.empty() || text.size() > 45)
        return std::nullopt;
    char buf[64];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpAddress a;
    if (text.find(':') == std::string_view::npos) {
        in_addr v4 {};
        if (inet_pton(AF_INET, buf, &v4) != 1)
            return std::nullopt;
        a.lo = ntohl(v4.s_addr);
        return a;
    }
    in6_addr v6 {};
    if (inet_pton(AF_INET6, buf, &v6) != 1)
        return std::nullopt;
    a.family = Family::IPv6;
    for (int i = 0; i < 8; ++i) {
        a.hi = (a.hi << 8) | v6.s6_addr[i];
        a.lo = (a.lo << 8) | v6.s6_addr[i + 8];
    }
    return a;
}

std::string IpAddress::toString() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (family == Family::IPv4) {
        in_addr raw {};
        raw.s_addr = htonl(static_cast<std::uint32_t>(lo));
        inet_ntop(AF_INET, &raw, buf, sizeof buf);
        return buf;
    }
    in6_addr v6 {};
    for (int i = 0; i < 8; ++i) {
        v6.s6_addr[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
        v6.s6_addr[i + 8] = static_cast<unsigned char>(lo >> (56 - 8 * i));
    }
    inet_ntop(AF_INET6, &v6, buf, sizeof buf);
    return buf;
}

IpPrefix IpPrefix::host(const IpAddress& a) noexcept
{
    const int bits = a.isV6() ? 128 : 32;
    return IpPrefix { a, maskOfLength(a.family, bits), bits };
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) noexcept
{
    const auto slash = text.find('/');
    const auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr)
        return std::nullopt;
    if (slash == std::string_view::npos)
        return host(*addr);
    const std::string_view rest = text.substr(slash + 1);
    IpPrefix p;
    if (rest.find_first_of(".:") != std::string_view::npos) {
        const auto m = IpAddress::parse(rest);
        if (!m || m->family != addr->family)
            return std::nullopt;
        p.mask = *m;
        p.length = lengthOfMask(*m);
    } else {
        int bits = -1;
        const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), bits);
        const int maxBits = addr->isV6() ? 128 : 32;
        if (ec != std::errc() || ptr != rest.data() + rest.size() || bits < 0 || bits > maxBits)
            return std::nullopt;
        p.mask = maskOfLength(addr->family, bits);
        p.length = bits;
    }
    p.network = *addr;
    p.network.hi &= p.mask.hi;
    p.network.lo &= p.mask.lo;
    return p;
}

IpPrefix IpPrefix::withLength(int bits) const noexcept
{
    IpPrefix p;
    p.mask = maskOfLength(network.family, bits);
    p.length = bits;
    p.network = network;
    p.network.hi &= p.mask.hi;
    p.network.lo &= p.mask.lo;
    return p;
}

std::string IpPrefix::toString() const
{
    if (length >= 0)
        return network.toString() + '/' + std::to_string(length);
    return network.toString() + '/' + mask.toString();
}

IpAddress IpPrefix::broadcast() const noexcept
{
    IpAddress b = network;
    b.hi |= ~mask.hi;
    b.lo |= ~mask.lo;
    if (b.family == Family::IPv4)
        b.lo &= 0xffffffffull;
    return b;
}

std::optional<IpRange> IpRange::parse(std::string_view text) noexcept
{
    const auto dash = text.find('-');
    const auto first = IpAddress::parse(text.substr(0, dash));
    if (!first)
        return std::nullopt;
    if (dash == std::string_view::npos)
        return IpRange { *first, *first };
    const auto last = IpAddress::parse(text.substr(dash + 1));
    if (!last || last->family != first->family)
        return std::nullopt;
    return IpRange { *first, *last };
}

} // namespace model::engine
