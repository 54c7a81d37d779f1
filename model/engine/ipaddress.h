#pragma once

// IPv4/IPv6 addresses and prefixes in a form that compares in a few instructions.
// Plain values; safe to copy and share across threads.

#include "model/ruleset.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace model::engine {

// An address as two 64-bit halves. IPv4 lives in the low 32 bits of lo.
struct IpAddress {
    Family family = Family::IPv4;
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;

    bool operator==(const IpAddress&) const = default;
    auto operator<=>(const IpAddress&) const = default;

    bool isV6() const noexcept { return family == Family::IPv6; }
    std::uint32_t v4() const noexcept { return static_cast<std::uint32_t>(lo); }

    static IpAddress fromV4(std::uint32_t value) noexcept;
    static std::optional<IpAddress> parse(std::string_view text) noexcept;
    std::string toString() const;
};

// Address and mask. A dotted mask that is not contiguous ("/255.0.255.0") is kept as written.
struct IpPrefix {
    IpAddress network;
    IpAddress mask; // same family; all ones = host
    int length = 0; // -1 for a non-contiguous mask

    bool operator==(const IpPrefix&) const = default;

    bool contains(const IpAddress& a) const noexcept
    {
        return a.family == network.family && ((a.hi ^ network.hi) & mask.hi) == 0
            && ((a.lo ^ network.lo) & mask.lo) == 0;
    }

    static IpPrefix host(const IpAddress& a) noexcept;
    // "10.0.0.0/8", "10.1.2.3", "10.0.0.0/255.0.0.0", "fd00::/64". Host bits are cleared.
    static std::optional<IpPrefix> parse(std::string_view text) noexcept;
    IpPrefix withLength(int bits) const noexcept; // re-mask the network to a prefix length
    std::string toString() const;
    IpAddress broadcast() const noexcept; // IPv4: last address of the prefix
};

// Inclusive address range (-m iprange).
struct IpRange {
    IpAddress first;
    IpAddress last;
    bool operator==(const IpRange&) const = default;
    bool contains(const IpAddress& a) const noexcept { return a.family == first.family && first <= a && a <= last; }
    static std::optional<IpRange> parse(std::string_view text) noexcept; // "a-b" or a single address
};

} // namespace model::engine
