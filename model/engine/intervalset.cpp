#include "model/engine/intervalset.h"

#include <algorithm>

namespace model::engine {

U128 toU128(const IpAddress& a) noexcept
{
    if (a.family == Family::IPv4)
        return a.v4();
    return (static_cast<U128>(a.hi) << 64) | a.lo;
}

IpAddress addressFromU128(U128 v, Family family) noexcept
{
    if (family == Family::IPv4)
        return IpAddress::fromV4(static_cast<std::uint32_t>(v));
    IpAddress a;
    a.family = Family::IPv6;
    a.hi = static_cast<std::uint64_t>(v >> 64);
    a.lo = static_cast<std::uint64_t>(v);
    return a;
}

U128 addressMax(Family family) noexcept { return family == Family::IPv4 ? U128 { 0xffffffffu } : ~U128 { 0 }; }

IntervalSet IntervalSet::range(U128 lo, U128 hi)
{
    IntervalSet s;
    if (lo <= hi)
        s.m_items.push_back({ lo, hi });
    return s;
}

IntervalSet IntervalSet::prefix(const IpPrefix& p)
{
    const U128 network = toU128(p.network);
    const U128 mask = toU128(p.mask);
    const U128 hostBits = ~mask & addressMax(p.network.family);
    return range(network & mask, (network & mask) | hostBits);
}

IntervalSet IntervalSet::fromIntervals(std::vector<Interval> intervals)
{
    std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
    IntervalSet s;
    for (const Interval& i : intervals) {
        if (i.lo > i.hi)
            continue;
        if (!s.m_items.empty() && (s.m_items.back().hi >= i.lo || s.m_items.back().hi + 1 == i.lo)) {
            s.m_items.back().hi = std::max(s.m_items.back().hi, i.hi);
            continue;
        }
        s.m_items.push_back(i);
    }
    return s;
}

bool IntervalSet::contains(U128 v) const noexcept
{
    auto it = std::upper_bound(m_items.begin(), m_items.end(), v, [](U128 x, const Interval& i) { return x < i.lo; });
    return it != m_items.begin() && std::prev(it)->hi >= v;
}

bool IntervalSet::includes(const IntervalSet& other) const noexcept
{
    if (other.m_items.empty())
        return true;
    if (m_items.size() == 1) // one range: other's hull must fit
        return m_items[0].lo <= other.m_items.front().lo && other.m_items.back().hi <= m_items[0].hi;
    auto from = m_items.begin();
    for (const Interval& i : other.m_items) { // both ascending: each of `other`'s within one of ours
        from = std::upper_bound(from, m_items.end(), i.lo, [](U128 x, const Interval& j) { return x < j.lo; });
        if (from == m_items.begin() || std::prev(from)->hi < i.hi)
            return false;
        from = std::prev(from);
    }
    return true;
}

bool IntervalSet::isRange(U128 lo, U128 hi) const noexcept
{
    return m_items.size() == 1 && m_items[0].lo == lo && m_items[0].hi == hi;
}

IntervalSet IntervalSet::intersected(const IntervalSet& other) const
{
    IntervalSet out;
    std::size_t i = 0, j = 0;
    while (i < m_items.size() && j < other.m_items.size()) {
        const Interval& a = m_items[i];
        const Interval& b = other.m_items[j];
        const U128 lo = std::max(a.lo, b.lo);
        const U128 hi = std::min(a.hi, b.hi);
        if (lo <= hi)
            out.m_items.push_back({ lo, hi });
        if (a.hi < b.hi)
            ++i;
        else
            ++j;
    }
    return out;
}

IntervalSet IntervalSet::subtracted(const IntervalSet& other) const
{
    IntervalSet out;
    std::size_t j = 0;
    for (Interval a : m_items) {
        // the first of the other's intervals that can reach a (by search: the other may hold thousands)
        j = static_cast<std::size_t>(std::partition_point(other.m_items.begin() + static_cast<std::ptrdiff_t>(j),
                                         other.m_items.end(), [&](const Interval& b) { return b.hi < a.lo; })
            - other.m_items.begin());
        bool gone = false;
        for (std::size_t k = j; k < other.m_items.size() && other.m_items[k].lo <= a.hi; ++k) {
            const Interval& b = other.m_items[k];
            if (b.lo > a.lo)
                out.m_items.push_back({ a.lo, b.lo - 1 });
            if (b.hi >= a.hi) {
                gone = true;
                break;
            }
            a.lo = b.hi + 1;
        }
        if (!gone)
            out.m_items.push_back(a);
    }
    return out;
}

IntervalSet IntervalSet::united(const IntervalSet& other) const
{
    std::vector<Interval> all = m_items;
    all.insert(all.end(), other.m_items.begin(), other.m_items.end());
    return fromIntervals(std::move(all));
}

bool IntervalSet::intersects(const IntervalSet& other) const noexcept
{
    // A few intervals against many: look each up instead of walking both.
    const IntervalSet& few = m_items.size() <= other.m_items.size() ? *this : other;
    const IntervalSet& many = &few == this ? other : *this;
    if (few.m_items.size() * 8 < many.m_items.size()) {
        for (const Interval& i : few.m_items) {
            const auto at = std::lower_bound(many.m_items.begin(), many.m_items.end(), i.lo,
                [](const Interval& j, U128 v) { return j.hi < v; }); // the first that ends at or after i.lo
            if (at != many.m_items.end() && at->lo <= i.hi)
                return true;
        }
        return false;
    }
    std::size_t i = 0, j = 0;
    while (i < m_items.size() && j < other.m_items.size()) {
        const Interval& a = m_items[i];
        const Interval& b = other.m_items[j];
        if (std::max(a.lo, b.lo) <= std::min(a.hi, b.hi))
            return true;
        if (a.hi < b.hi)
            ++i;
        else
            ++j;
    }
    return false;
}

std::vector<IpPrefix> prefixesOf(const IntervalSet& set, Family family)
{
    const int width = family == Family::IPv4 ? 32 : 128;
    std::vector<IpPrefix> out;
    for (const Interval& i : set.intervals()) {
        U128 lo = i.lo;
        while (true) {
            int bits = 0; // host bits of the largest aligned block starting at lo that fits
            while (bits < width) {
                const U128 size = U128 { 1 } << bits; // bits < 128 here
                if ((lo & size) != 0 || lo + (size << 1) - 1 > i.hi || lo + (size << 1) - 1 < lo)
                    break;
                ++bits;
            }
            const IpAddress a = addressFromU128(lo, family);
            out.push_back(IpPrefix::host(a).withLength(width - bits));
            const U128 last = bits == 128 ? ~U128 { 0 } : lo + ((U128 { 1 } << bits) - 1);
            if (last >= i.hi)
                break;
            lo = last + 1;
        }
    }
    return out;
}

} // namespace model::engine
