#pragma once

// Sets of integers as sorted, disjoint, closed intervals: the per-field value sets of the symbolic (packet-set)
// evaluation. Addresses use all 128 bits (IPv4 in the low 32), ports and protocols the low 16 or 8.
// Plain values; safe to copy and share across threads.

#include "model/engine/ipaddress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace model::engine {

__extension__ typedef unsigned __int128 U128; // GCC/Clang extension; -Wpedantic accepts it this way

U128 toU128(const IpAddress& a) noexcept;
IpAddress addressFromU128(U128 v, Family family) noexcept;
U128 addressMax(Family family) noexcept; // 2^32-1 or 2^128-1

struct Interval {
    U128 lo = 0;
    U128 hi = 0;
    bool operator==(const Interval&) const = default;
};

class IntervalSet final {
public:
    IntervalSet() = default;
    static IntervalSet range(U128 lo, U128 hi);
    static IntervalSet single(U128 v) { return range(v, v); }
    static IntervalSet prefix(const IpPrefix& p); // contiguous masks only
    static IntervalSet fromIntervals(std::vector<Interval> intervals); // any order, may overlap

    bool empty() const noexcept { return m_items.empty(); }
    bool contains(U128 v) const noexcept;
    const std::vector<Interval>& intervals() const noexcept { return m_items; }
    U128 first() const noexcept { return m_items.front().lo; }
    bool isRange(U128 lo, U128 hi) const noexcept;

    IntervalSet intersected(const IntervalSet& other) const;
    IntervalSet subtracted(const IntervalSet& other) const;
    IntervalSet united(const IntervalSet& other) const;
    bool intersects(const IntervalSet& other) const noexcept;
    bool includes(const IntervalSet& other) const noexcept; // every value of `other` is in this set

    bool operator==(const IntervalSet&) const = default;

private:
    std::vector<Interval> m_items;
};

// "10.0.0.0/24, 10.0.1.7" - the fewest prefixes that cover the set exactly.
std::vector<IpPrefix> prefixesOf(const IntervalSet& set, Family family);

} // namespace model::engine
