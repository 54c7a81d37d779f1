// The change region of two snapshots: the changed elements from the rule alignment, mapped to original packets.
#include "model/diff/flowreach.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace model::diff::detail {

using namespace model::engine;

namespace {

constexpr std::size_t kMaxRegionBoxes = 50'000; // beyond this the region is no help: search everything

// A changed element of one side: a rule, or the end of a built-in chain (rule = -1).
struct Mark {
    std::size_t table = 0;
    std::size_t chain = 0;
    int rule = -1;
};

struct Located {
    std::size_t table = 0;
    std::size_t chain = 0;
};

// Where each chain of a compiled ruleset is, by table and name.
class ChainIndex final {
public:
    explicit ChainIndex(const CompiledRuleset& rules)
    {
        for (std::size_t t = 0; t < rules.tables.size(); ++t)
            for (std::size_t c = 0; c < rules.tables[t].chains.size(); ++c)
                m_where.emplace(rules.tables[t].name + '\n' + rules.tables[t].chains[c].name, Located { t, c });
    }
    std::optional<Located> find(const std::string& table, const std::string& chain) const
    {
        const auto it = m_where.find(table + '\n' + chain);
        return it == m_where.end() ? std::nullopt : std::optional<Located>(it->second);
    }
    std::size_t size() const noexcept { return m_where.size(); }

private:
    std::unordered_map<std::string, Located> m_where;
};

void markChain(const CompiledRuleset& rules, const Located& at, std::vector<Mark>& out)
{
    const CompiledChain& c = rules.tables[at.table].chains[at.chain];
    for (std::size_t r = 0; r < c.rules.size(); ++r)
        out.push_back({ at.table, at.chain, static_cast<int>(r) });
    if (c.builtin)
        out.push_back({ at.table, at.chain, -1 });
}

// One aligned chain present on both sides: marks its changed rows; false when the alignment does not describe
// the compiled chains exactly (then nothing can be pruned).
bool markRows(const ChainDiff& cd, const CompiledRuleset& before, Located l, const CompiledRuleset& after, Located r,
    std::vector<Mark>& left, std::vector<Mark>& right)
{
    const auto& lrules = before.tables[l.table].chains[l.chain].rules;
    const auto& rrules = after.tables[r.table].chains[r.chain].rules;
    std::size_t lcount = 0, rcount = 0;
    int lastLeft = -1, lastRight = -1;
    for (const RuleRow& row : cd.rows) {
        if (row.left) {
            if (row.leftIndex < 0 || static_cast<std::size_t>(row.leftIndex) >= lrules.size()
                || lrules[static_cast<std::size_t>(row.leftIndex)].source != row.left)
                return false;
            ++lcount;
        }
        if (row.right) {
            if (row.rightIndex < 0 || static_cast<std::size_t>(row.rightIndex) >= rrules.size()
                || rrules[static_cast<std::size_t>(row.rightIndex)].source != row.right)
                return false;
            ++rcount;
        }
        bool markLeft = row.kind != RowKind::Same && row.left;
        bool markRight = row.kind != RowKind::Same && row.right;
        if (row.kind == RowKind::Same) {
            if (!row.left || !row.right || row.leftIndex <= lastLeft || row.rightIndex <= lastRight)
                return false; // unchanged rules must keep their relative order
            lastLeft = row.leftIndex;
            lastRight = row.rightIndex;
            // Options iptables does not order may still be evaluated in another order: then it counts as changed.
            markLeft = markRight = lrules[static_cast<std::size_t>(row.leftIndex)].text
                != rrules[static_cast<std::size_t>(row.rightIndex)].text;
        }
        if (markLeft)
            left.push_back({ l.table, l.chain, row.leftIndex });
        if (markRight)
            right.push_back({ r.table, r.chain, row.rightIndex });
    }
    if (lcount != lrules.size() || rcount != rrules.size())
        return false;
    const bool builtin = before.tables[l.table].chains[l.chain].builtin;
    if (builtin != after.tables[r.table].chains[r.chain].builtin)
        return false;
    if (builtin && cd.policyChanged()) {
        left.push_back({ l.table, l.chain, -1 });
        right.push_back({ r.table, r.chain, -1 });
    }
    return true;
}

// The changed elements of both sides; false when the alignment does not cover the compiled rulesets.
bool marks(const RuleDiff& rules, const CompiledRuleset& before, const CompiledRuleset& after, std::vector<Mark>& left,
    std::vector<Mark>& right)
{
    const ChainIndex beforeIndex(before), afterIndex(after);
    std::size_t chainsBefore = 0, chainsAfter = 0;
    for (const ChainDiff& cd : rules.chains) {
        const bool hasLeft = cd.status != ChainStatus::Added;
        const bool hasRight = cd.status != ChainStatus::Removed;
        std::optional<Located> l, r;
        if (hasLeft && !(l = beforeIndex.find(cd.table, cd.renamedFrom.empty() ? cd.name : cd.renamedFrom)))
            return false;
        if (hasRight && !(r = afterIndex.find(cd.table, cd.name)))
            return false;
        chainsBefore += hasLeft ? 1 : 0;
        chainsAfter += hasRight ? 1 : 0;
        if (cd.status == ChainStatus::Same) {
            if (!markRows(cd, before, *l, after, *r, left, right))
                return false;
            continue;
        }
        if (l)
            markChain(before, *l, left);
        if (r)
            markChain(after, *r, right);
    }
    // Every compiled chain has its aligned chain (names are unique within a table).
    return chainsBefore == beforeIndex.size() && chainsAfter == afterIndex.size();
}

// False when stop() said yes (asked before each marked rule).
bool regionOf(const CompiledRuleset& rules, ChainReach& reach, const std::vector<Mark>& marked, BoxList& out,
    const StopRequested& stop)
{
    for (const Mark& m : marked) {
        if (stop && stop())
            return false;
        std::optional<Box> own;
        if (m.rule >= 0) {
            own = reach.ruleBox(rules.tables[m.table].chains[m.chain].rules[static_cast<std::size_t>(m.rule)], true);
            if (!own)
                continue;
        }
        const bool nat = rules.tables[m.table].name == "nat";
        const BoxList entry = reach.entry(m.table, m.chain);
        for (Box b : entry)
            if (!own || intersectInto(b, *own))
                reach.originals(b, nat, out);
        if (out.size() > 4 * kMaxRegionBoxes)
            return true;
    }
    return true;
}

std::string boxKey(const Box& b, std::size_t skip)
{
    std::string key;
    for (std::size_t d = 0; d < kDims; ++d) {
        if (d == skip)
            continue;
        for (const Interval& i : b[d].intervals()) {
            char bytes[2 * sizeof(U128)];
            std::memcpy(bytes, &i.lo, sizeof(U128));
            std::memcpy(bytes + sizeof(U128), &i.hi, sizeof(U128));
            key.append(bytes, sizeof bytes);
        }
        key += '|';
    }
    return key;
}

} // namespace

Box fullBox(Family family, std::size_t ingressCount)
{
    Box b;
    at(b, Dim::Ingress) = IntervalSet::range(0, ingressCount - 1);
    at(b, Dim::Proto) = IntervalSet::range(0, 255);
    at(b, Dim::Src) = IntervalSet::range(0, addressMax(family));
    at(b, Dim::Dst) = IntervalSet::range(0, addressMax(family));
    at(b, Dim::Sport) = IntervalSet::range(0, 65535);
    at(b, Dim::Dport) = IntervalSet::range(0, 65535);
    return b;
}

bool intersectInto(Box& a, const Box& b)
{
    for (std::size_t d = 0; d < kDims; ++d) {
        a[d] = a[d].intersected(b[d]);
        if (a[d].empty())
            return false;
    }
    return true;
}

bool boxContains(const Box& outer, const Box& inner)
{
    for (std::size_t d = 0; d < kDims; ++d)
        if (!inner[d].subtracted(outer[d]).empty())
            return false;
    return true;
}

BoxList boxMinus(const Box& a, const Box& b)
{
    for (std::size_t d = 0; d < kDims; ++d)
        if (!a[d].intersects(b[d]))
            return { a };
    BoxList out;
    Box rest = a;
    for (std::size_t d = 0; d < kDims; ++d) {
        IntervalSet outside = rest[d].subtracted(b[d]);
        if (!outside.empty()) {
            Box piece = rest;
            piece[d] = std::move(outside);
            out.push_back(std::move(piece));
        }
        rest[d] = rest[d].intersected(b[d]);
    }
    return out;
}

void compact(BoxList& boxes)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (std::size_t d = 0; d < kDims; ++d) {
            std::unordered_map<std::string, std::size_t> seen;
            BoxList kept;
            for (Box& b : boxes) {
                auto [it, added] = seen.try_emplace(boxKey(b, d), kept.size());
                if (added) {
                    kept.push_back(std::move(b));
                    continue;
                }
                Box& into = kept[it->second];
                const IntervalSet merged = into[d].united(b[d]);
                changed = changed || !(merged == into[d]);
                into[d] = merged;
            }
            boxes = std::move(kept);
        }
    }
    if (boxes.size() > 2000)
        return; // quadratic from here on
    BoxList kept;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        bool inside = false;
        for (std::size_t j = 0; j < boxes.size() && !inside; ++j)
            inside = j != i && boxContains(boxes[j], boxes[i]) && (!boxContains(boxes[i], boxes[j]) || j < i);
        if (!inside)
            kept.push_back(boxes[i]);
    }
    boxes = std::move(kept);
}

BoxList restrictToRegion(const BoxList& starts, const BoxList& region)
{
    BoxList out;
    for (const Box& start : starts) {
        // Ports of a protocol without them are not looked at: keep the search's full port ranges there.
        const bool ports = start[static_cast<std::size_t>(Dim::Proto)].intersects(IntervalSet::fromIntervals(
            { { Proto::Tcp, Proto::Tcp }, { Proto::Udp, Proto::Udp }, { Proto::Sctp, Proto::Sctp }, { 33, 33 },
                { 136, 136 } }));
        BoxList pieces;
        for (const Box& r : region) {
            Box b = start;
            if (!intersectInto(b, r))
                continue;
            if (!ports) {
                at(b, Dim::Sport) = at(start, Dim::Sport);
                at(b, Dim::Dport) = at(start, Dim::Dport);
            }
            pieces.push_back(std::move(b));
        }
        compact(pieces);
        BoxList disjoint;
        for (const Box& p : pieces) {
            BoxList rest { p };
            for (const Box& taken : disjoint) {
                BoxList next;
                for (const Box& x : rest)
                    for (Box& y : boxMinus(x, taken))
                        next.push_back(std::move(y));
                rest = std::move(next);
                if (rest.empty())
                    break;
            }
            for (Box& x : rest)
                disjoint.push_back(std::move(x));
        }
        for (Box& x : disjoint)
            out.push_back(std::move(x));
    }
    return out;
}

std::optional<BoxList> changeRegion(const Engine& before, const Engine& after, Family family, const RuleDiff& rules,
    const std::vector<std::string>& ingress, const StopRequested& stop)
{
    if (!(before.host() == after.host()))
        return std::nullopt; // a host fact the engine reads differs: any attempt may change
    const CompiledRuleset* b = before.compiled(family);
    const CompiledRuleset* a = after.compiled(family);
    if (!b || !a || !b->source || !a->source)
        return std::nullopt;
    std::vector<Mark> left, right;
    if (!marks(rules, *b, *a, left, right))
        return std::nullopt;
    BoxList region;
    ChainReach reachBefore(*b, before.host(), family, ingress);
    if (!regionOf(*b, reachBefore, left, region, stop))
        return std::nullopt;
    ChainReach reachAfter(*a, after.host(), family, ingress);
    if (!regionOf(*a, reachAfter, right, region, stop) || (stop && stop()))
        return std::nullopt;
    compact(region);
    if (region.size() > kMaxRegionBoxes)
        return std::nullopt;
    return region;
}

} // namespace model::diff::detail
