// Turning the diff's regions into readable classes: merge boxes with one explanation, sort, link to rule rows.
#include "model/diff/flowdiff.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace model::diff {

using namespace model::engine;

namespace {

void appendSet(std::string& key, const IntervalSet& set)
{
    for (const Interval& i : set.intervals()) {
        char bytes[2 * sizeof(U128)];
        std::memcpy(bytes, &i.lo, sizeof(U128));
        std::memcpy(bytes + sizeof(U128), &i.hi, sizeof(U128));
        key.append(bytes, sizeof bytes);
    }
    key += '|';
}

std::string sideKey(const FlowSide& s)
{
    std::string key = std::string(fateName(s.fate)) + '\n' + s.deciding.qualified() + '\n' + s.deciding.other + '\n'
        + (s.decidedByReply ? "reply" : "") + '\n' + s.rejectWith;
    for (const auto& d : s.dependsOn)
        key += '\n' + d;
    return key;
}

// Merges boxes that differ in one dimension only, until none do: the union is then a box again.
void mergeBoxes(std::vector<detail::Region*>& group)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (std::size_t d = 0; d < kDims; ++d) {
            std::map<std::string, detail::Region*> seen;
            std::vector<detail::Region*> kept;
            for (detail::Region* r : group) {
                std::string key;
                for (std::size_t e = 0; e < kDims; ++e)
                    if (e != d)
                        appendSet(key, r->box[e]);
                auto [it, added] = seen.emplace(std::move(key), r);
                if (added) {
                    kept.push_back(r);
                    continue;
                }
                it->second->box[d] = it->second->box[d].united(r->box[d]);
                changed = true;
            }
            group = std::move(kept);
        }
    }
}

// How natural a region's witness reads: routable addresses, TCP, from another address than it goes to.
int witnessScore(const detail::Region& r)
{
    const Header& h = r.witness.header;
    return (r.realisticWitness ? 4 : 0) + (h.protocol == Proto::Tcp ? 2 : 0) + (h.src != h.dst ? 1 : 0);
}

bool reachedContainer(const FlowResult& flow)
{
    const Outcome& o = flow.original.primary();
    return o.delivery.kind == Delivery::Kind::Container || (o.binding && o.binding->dnat());
}

int rank(const FlowClass& c)
{
    if (c.closed && c.toContainer)
        return 0;
    if (c.opened)
        return 1;
    return c.closed ? 2 : 3;
}

// The rule rows a path touches that explain it: the deciding rule, and every rule or policy that changed.
void linkPath(const RuleDiff& rules, Family family, const TraceResult& trace, const RuleRef& deciding, bool left,
    std::vector<RowLink>& out)
{
    for (const Hop& h : trace.primary().hops) {
        if (h.kind != Hop::Kind::Rule && h.kind != Hop::Kind::Policy)
            continue;
        for (std::size_t ci = 0; ci < rules.chains.size(); ++ci) {
            const ChainDiff& c = rules.chains[ci];
            if (c.table != h.table)
                continue;
            const bool sameChain = left ? (c.status != ChainStatus::Added
                                       && (c.renamedFrom.empty() ? c.name == h.chain : c.renamedFrom == h.chain))
                                        : (c.status != ChainStatus::Removed && c.name == h.chain);
            if (!sameChain)
                continue;
            const bool isDeciding = deciding.table == h.table && deciding.chain == h.chain
                && (h.kind == Hop::Kind::Policy ? deciding.isPolicy() : deciding.index == h.ruleNumber);
            if (h.kind == Hop::Kind::Policy) {
                if (isDeciding || c.policyChanged())
                    out.push_back({ family, static_cast<int>(ci), -1 });
                continue;
            }
            for (std::size_t ri = 0; ri < c.rows.size(); ++ri) {
                const RuleRow& row = c.rows[ri];
                const bool here = left ? (row.left && row.leftIndex == h.ruleNumber - 1)
                                       : (row.right && row.rightIndex == h.ruleNumber - 1);
                if (here && (isDeciding || row.kind != RowKind::Same))
                    out.push_back({ family, static_cast<int>(ci), static_cast<int>(ri) });
            }
        }
    }
}

std::vector<RowLink> linksOf(const FlowDiff& diff, const FlowClass& c)
{
    std::vector<RowLink> out;
    const RuleDiff& rules = diff.rules(c.family);
    for (const auto* side : { &c.witnessBefore, &c.witnessAfter }) {
        const bool left = side == &c.witnessBefore;
        linkPath(rules, c.family, side->original, side->deciding, left, out);
        if (side->reply)
            linkPath(rules, c.family, *side->reply, side->deciding, left, out);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

} // namespace

std::vector<int> FlowDiff::classesOfRow(const RowLink& row) const
{
    std::vector<int> ids;
    for (const auto* list : { &classes, &depends })
        for (const FlowClass& c : *list)
            if (std::find(c.rules.begin(), c.rules.end(), row) != c.rules.end())
                ids.push_back(c.id);
    return ids;
}

int FlowDiff::ingressOf(const Packet& packet) const
{
    int best = -1;
    std::size_t bestLength = 0;
    for (std::size_t i = 0; i < ingress.size(); ++i) {
        const Ingress& in = ingress[i];
        if (in.localProcess || packet.fromLocalProcess) {
            if (in.localProcess && packet.fromLocalProcess)
                return static_cast<int>(i);
            continue;
        }
        if (in.name == packet.inInterface)
            return static_cast<int>(i);
        const std::string prefix = in.name.substr(0, in.name.size() - 1);
        if (in.name.back() == '*' && packet.inInterface.compare(0, prefix.size(), prefix) == 0
            && (best < 0 || prefix.size() >= bestLength)) {
            best = static_cast<int>(i);
            bestLength = prefix.size();
        }
    }
    return best;
}

const FlowClass* FlowDiff::classOf(const Packet& packet) const
{
    const int in = ingressOf(packet);
    if (in < 0)
        return nullptr;
    const Header& h = packet.header;
    const bool ports = h.hasPorts();
    // Ports of a protocol without them are not looked at: every class of such a protocol covers all of them.
    const std::array<U128, kDims> point { static_cast<U128>(in), h.protocol, toU128(h.src), toU128(h.dst),
        ports ? h.sport : 0u, ports ? h.dport : 0u };
    for (const auto* list : { &classes, &depends })
        for (const FlowClass& c : *list) {
            if (c.family != packet.header.dst.family)
                continue;
            bool inside = true;
            for (std::size_t d = 0; d < kDims && inside; ++d)
                inside = c.box[d].contains(point[d]);
            if (inside)
                return &c;
        }
    return nullptr;
}

namespace detail {

void buildClasses(std::vector<Region> regions, FlowDiff& diff, const Engine& before, const Engine& after)
{
    std::map<std::string, std::vector<Region*>> groups;
    std::vector<std::string> order;
    for (Region& r : regions) {
        const std::string key
            = std::string(familyName(r.family)) + '\n' + sideKey(r.before) + "\n--\n" + sideKey(r.after);
        auto [it, added] = groups.try_emplace(key);
        if (added)
            order.push_back(key);
        it->second.push_back(&r);
    }
    for (const std::string& key : order) {
        std::vector<Region*>& group = groups[key];
        const Region* first = group.front();
        std::vector<Region*> all = group;
        mergeBoxes(group);
        for (Region* merged : group) {
            FlowClass c;
            c.family = merged->family;
            c.box = merged->box;
            c.before = merged->before;
            c.after = merged->after;
            // The witness: a region of this merged box, the first traced (its packet is the most "interesting").
            const Region* w = nullptr;
            int inside = 0;
            for (const Region* r : all) {
                bool in = true;
                for (std::size_t d = 0; d < kDims && in; ++d)
                    in = r->box[d].intersects(merged->box[d]);
                if (in && (!w || witnessScore(*r) > witnessScore(*w)))
                    w = r;
                inside += in ? 1 : 0;
            }
            if (!w)
                w = first;
            c.witness = w->witness;
            c.witnessBefore = before.traceFlow(c.witness);
            c.witnessAfter = after.traceFlow(c.witness);
            c.regions = inside;
            c.opened = c.before.fate != Fate::Accept && c.after.fate == Fate::Accept;
            c.closed = c.before.fate == Fate::Accept && c.after.fate != Fate::Accept;
            c.toContainer = c.closed && reachedContainer(c.witnessBefore);
            const bool depends = c.before.fate == Fate::Depends || c.after.fate == Fate::Depends;
            (depends ? diff.depends : diff.classes).push_back(std::move(c));
        }
    }
    std::stable_sort(diff.classes.begin(), diff.classes.end(), [](const FlowClass& a, const FlowClass& b) {
        if (rank(a) != rank(b))
            return rank(a) < rank(b);
        // Traffic a rule let through explicitly (a published port) before what a policy let through.
        if (a.before.deciding.isPolicy() != b.before.deciding.isPolicy())
            return b.before.deciding.isPolicy();
        return a.family < b.family;
    });
    int id = 0;
    for (auto* list : { &diff.classes, &diff.depends })
        for (FlowClass& c : *list) {
            c.id = ++id;
            c.rules = linksOf(diff, c);
        }
}

} // namespace detail

} // namespace model::diff
