// Drops by the rules of an indexed run, grouped over the run's keys (see PathRecorder::droppedWithKeys).
//
// A traced packet entered an indexed run with the key values `visit.domain` allowed by its path condition C, passed
// over or failed the run's rules up to one that names its own key, and was dropped there. A packet of C whose key is
// another key k of the run takes the same path up to the run (C's conditions before the run do not depend on
// which of the domain's values the key has), then meets only the rules that name k (or no key), in order. If each of
// those rules, evaluated with the key set to k, gives a result whose recorded conditions hold for every packet of C
// with that key, and the first one that matches drops, then every such packet is dropped at this point of the path
// too, by its own rule. Its fate is the traced packet's; only the deciding rule differs.
//
// The check evaluates the rules on a copy of the packet state with every field that carries the key's original
// field set to k; a predicate that asks the host (address types, ipsets, sockets) may record a question or an
// undecided choice, so a rule with one is never grouped. Nothing is recorded: the conditions are held back, tested
// and dropped.
#include "model/engine/evaluator.h"

#include <algorithm>

namespace model::engine::detail {

namespace {

// Gives the value to every field of the probe (now and at the walk's start) that the recorder ties to tag t.
template <typename T>
void setTagged(const PathRecorder& rec, PathRecorder::Tag t, PathRecorder::Slot srcSlot,
    PathRecorder::Slot dstSlot, T& src, T& dst, T& originalSrc, T& originalDst, const T& value)
{
    if (rec.tag(srcSlot) == t)
        src = value;
    if (rec.tag(dstSlot) == t)
        dst = value;
    if (rec.walkTag(srcSlot) == t)
        originalSrc = value;
    if (rec.walkTag(dstSlot) == t)
        originalDst = value;
}

constexpr std::size_t kMaxKeys = 8192; // more keys than this: the drop stays one rule's

bool asksHost(Field f)
{
    switch (f) {
    case Field::SrcAddrType:
    case Field::DstAddrType:
    case Field::IpSet:
    case Field::PhysIn:
    case Field::PhysOut:
    case Field::PhysIsIn:
    case Field::PhysIsOut:
    case Field::PhysIsBridged:
    case Field::OwnerUid:
    case Field::OwnerGid:
    case Field::OwnerSocketExists:
    case Field::PktType: return true;
    default: return false;
    }
}

} // namespace

// The keys of the run (in the domain the visit began with) whose packets end the run as `want` says.
IntervalSet Evaluator::keysEnding(const PacketState& s, const CompiledChain& chain, const RunVisit& visit, RunEnd want)
{
    const IntervalSet* keys = visit.run->keysFor(s.header.protocol);
    if (keys == nullptr)
        return {};
    const IntervalSet candidates = keys->intersected(visit.domain);
    std::size_t count = 0;
    for (const Interval& i : candidates.intervals())
        if (i.hi - i.lo >= kMaxKeys || (count += static_cast<std::size_t>(i.hi - i.lo) + 1) > kMaxKeys)
            return {};
    // The candidates of each key, in ascending key order: the entries of the packet's protocol and those naming
    // none, each ordered by key then rule, swept once.
    using Entries = std::vector<IndexedRun::Entry>;
    const Entries& entries = visit.run->entries;
    auto ofProtocol = [&](std::uint8_t p) {
        const auto first = std::lower_bound(entries.begin(), entries.end(), p,
            [](const IndexedRun::Entry& e, std::uint8_t v) { return e.protocol < v; });
        const auto last = std::upper_bound(
            first, entries.end(), p, [](std::uint8_t v, const IndexedRun::Entry& e) { return v < e.protocol; });
        return std::make_pair(first, last);
    };
    auto named = ofProtocol(s.header.protocol);
    auto unnamed = s.header.protocol != 0 ? ofProtocol(0) : std::make_pair(entries.end(), entries.end());
    std::vector<std::uint32_t> rules;
    auto take = [&](std::pair<Entries::const_iterator, Entries::const_iterator>& span, U128 k) {
        while (span.first != span.second && span.first->key < k)
            ++span.first;
        for (; span.first != span.second && span.first->key == k; ++span.first)
            if (span.first->rule >= visit.entry)
                rules.push_back(span.first->rule);
    };
    PacketState probe = s;
    std::vector<Interval> found;
    for (const Interval& i : candidates.intervals())
        for (U128 k = i.lo;; ++k) {
            rules.clear();
            take(named, k);
            take(unnamed, k);
            std::sort(rules.begin(), rules.end());
            if (probeRun(probe, chain, visit, k, rules) == want)
                found.push_back({ k, k });
            if (k == i.hi)
                break;
        }
    return IntervalSet::fromIntervals(std::move(found));
}

void Evaluator::groupRunDrop(const PacketState& s, const CompiledChain& chain, const RunVisit& visit)
{
    // A choice made on this path means more walks of it follow; the drop's grouping is for a path of its own.
    if (m_choices.next != 0 || !sameKeyTag(visit))
        return;
    // Worked out when asked for, at the end of the trace: the recorder's tags are those of this point still, as
    // nothing is recorded after the drop (or the recorder forgets it).
    m_rec->droppedWithKeys(visit.tag,
        [ruleset = &m_rules, hostModel = &m_host, recorder = m_rec, state = s, inChain = &chain, visit] {
            Choices noChoices;
            Outcome noOutcome;
            std::vector<std::string> noReasons;
            Evaluator later(*ruleset, *hostModel, noChoices, noOutcome, noReasons);
            later.setRecorder(recorder);
            return later.keysEnding(state, *inChain, visit, RunEnd::Drop);
        });
}

void Evaluator::groupRunPass(const PacketState& s, const CompiledChain& chain, const RunVisit& visit)
{
    // Only a packet with one of the run's keys is held to it; any other passes with every value no rule names.
    const IntervalSet* named = visit.run->keysFor(s.header.protocol);
    const U128 own = visit.run->key == Field::Dst ? toU128(s.header.dst) : U128 { s.header.dport };
    // A choice made in the run (an undecidable predicate of a rule of the packet's key) is a path of its own.
    if (m_choices.next != visit.choices || !sameKeyTag(visit) || named == nullptr || !named->contains(own))
        return;
    if (IntervalSet keys = keysEnding(s, chain, visit, RunEnd::Pass); !keys.empty())
        m_rec->passedWithKeys(visit.tag, keys, visit.wideDomain ? &*visit.wideDomain : nullptr,
            visit.keptDomain ? &*visit.keptDomain : nullptr);
}

bool Evaluator::sameKeyTag(const RunVisit& visit) const
{
    return m_rec->tag(visit.run->key == Field::Dst ? PathRecorder::SlotDst : PathRecorder::SlotDport) == visit.tag;
}

// How a packet of the condition with key `key` leaves the run: dropped by one of its rules, past its end without a
// match (as the traced one did), or otherwise (a rule with another target matched, or the rules' results may
// differ among those packets).
Evaluator::RunEnd Evaluator::probeRun(PacketState& probe, const CompiledChain& chain, const RunVisit& visit, U128 key,
    const std::vector<std::uint32_t>& candidates)
{
    const PathRecorder::Tag t = visit.tag;
    if (visit.run->key == Field::Dst) {
        const IpAddress a = addressFromU128(key, probe.header.dst.family);
        setTagged(*m_rec, t, PathRecorder::SlotSrc, PathRecorder::SlotDst, probe.header.src, probe.header.dst,
            probe.original.src, probe.original.dst, a);
    } else {
        setTagged(*m_rec, t, PathRecorder::SlotSport, PathRecorder::SlotDport, probe.header.sport, probe.header.dport,
            probe.original.sport, probe.original.dport, static_cast<std::uint16_t>(key));
    }
    for (const std::uint32_t at : candidates) {
        const CompiledRule& rule = chain.rules[at];
        const std::optional<bool> matched = probeRule(probe, rule, t, key);
        if (!matched)
            return RunEnd::Other;
        if (*matched)
            return rule.target.action == Action::Drop ? RunEnd::Drop : RunEnd::Other;
    }
    return RunEnd::Pass;
}

// The rule's result for every packet of the condition with that key; nullopt when it may differ among them or
// cannot be told without asking the host. As in ruleMatchesRecorded, a rule fails for all of them when one of its
// predicates is false with a condition that holds for all of them; it matches when every predicate is true so.
std::optional<bool> Evaluator::probeRule(
    const PacketState& probe, const CompiledRule& rule, PathRecorder::Tag t, U128 key)
{
    m_rec->holdRule();
    std::optional<bool> result = true;
    for (const Predicate& p : rule.predicates) {
        // The engine asks such a predicate in order, maybe as an undecided choice: no packet may reach it.
        const std::size_t from = m_rec->held();
        const Tri r = asksHost(p.field) ? Tri::Unknown : evaluate(probe, p);
        if (r == Tri::Unknown) {
            result = std::nullopt;
            break;
        }
        const bool holds = m_rec->heldHoldFor(t, key, from);
        if (r == Tri::False && holds) {
            result = false;
            break;
        }
        if (!holds)
            result = std::nullopt; // some packets may pass this predicate and meet the next ones
    }
    m_rec->releaseRule(0, 0); // held back only to be tested
    return result;
}

} // namespace model::engine::detail
