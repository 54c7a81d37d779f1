// Indexed runs of exact-value rules (see IndexedRun in compiled.h).
//
// A rule joins a run when it names one key field with exact values (a host address with -d, single ports with
// --dport or --dports) and every predicate before that key is decided by the packet alone (addresses,
// interfaces, protocol, mark): evaluating such a predicate never asks an undecidable question and never
// changes the state, so a rule whose key differs from the packet's can be passed over without testing it.
// Rules whose key equals the packet's are the candidates; the evaluator tests them one by one, in order, as the
// linear walk does, so every effect between them (marks, jumps that return, choices) happens as before.
#include "model/engine/compiled.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace model::engine {

namespace detail {

namespace {

constexpr std::size_t kMaxGroups = 64;
constexpr std::size_t kMaxPortsPerRule = 16;

struct RuleKey {
    Field field = Field::Always;
    std::vector<U128> values;
    std::uint8_t protocol = 0;
    std::size_t at = 0; // index of the key predicate
};

bool decidedByPacket(const Predicate& p)
{
    switch (p.field) {
    case Field::Src: case Field::Dst: case Field::InInterface: case Field::OutInterface: case Field::Protocol:
    case Field::Fragment: case Field::Always: case Field::Mark: case Field::SrcRange: case Field::DstRange:
        return true;
    default: return false;
    }
}

bool exactHost(const Predicate& p, Family family)
{
    const int full = family == Family::IPv4 ? 32 : 128;
    return p.field == Field::Dst && !p.negated && p.prefixes.size() == 1 && p.prefixes[0].length == full
        && p.prefixes[0].network.family == family;
}

bool exactPorts(const Predicate& p)
{
    return p.field == Field::DstPort && !p.negated && !p.ports.empty() && p.ports.size() <= kMaxPortsPerRule
        && std::all_of(p.ports.begin(), p.ports.end(), [](const PortRange& r) { return r.first == r.last; });
}

std::optional<RuleKey> keyOf(const CompiledRule& rule, Family family)
{
    RuleKey key;
    bool found = false;
    for (std::size_t i = 0; i < rule.predicates.size() && !found; ++i) {
        const Predicate& p = rule.predicates[i];
        if (exactHost(p, family)) {
            key.field = Field::Dst;
            key.values.push_back(toU128(p.prefixes[0].network));
        } else if (exactPorts(p)) {
            key.field = Field::DstPort;
            for (const PortRange& r : p.ports)
                key.values.push_back(r.first);
        } else if (!decidedByPacket(p)) {
            return std::nullopt;
        } else {
            continue;
        }
        key.at = i;
        found = true;
    }
    if (!found)
        return std::nullopt;
    for (const Predicate& p : rule.predicates) {
        if (p.field != Field::Protocol)
            continue;
        if (p.negated || p.value == 0 || p.value > 255 || key.protocol != 0)
            return std::nullopt; // a run's lookup can only split by one named protocol
        key.protocol = static_cast<std::uint8_t>(p.value);
    }
    return key;
}

// Rules whose predicates before the key are the same share a group.
std::string groupSignature(const CompiledRule& rule, const RuleKey& key)
{
    std::string s = std::to_string(key.protocol);
    for (std::size_t i = 0; i < key.at; ++i) {
        const Predicate& p = rule.predicates[i];
        if (p.field != Field::Always)
            s += '\n' + std::to_string(static_cast<int>(p.field)) + ' ' + p.text;
    }
    return s;
}

class RunBuilder final {
public:
    RunBuilder(const CompiledChain& chain, Family family, std::size_t minLength)
        : m_chain(chain)
        , m_family(family)
        , m_minLength(std::max<std::size_t>(minLength, 1))
    {
    }

    std::vector<IndexedRun> build()
    {
        for (std::size_t i = 0; i < m_chain.rules.size(); ++i) {
            const auto key = keyOf(m_chain.rules[i], m_family);
            if (!key || !fits(*key, m_chain.rules[i])) {
                close(i);
                if (key)
                    open(i, *key);
            }
            if (key)
                add(i, *key);
        }
        close(m_chain.rules.size());
        return std::move(m_runs);
    }

private:
    bool fits(const RuleKey& key, const CompiledRule& rule) const
    {
        if (!m_open || key.field != m_run.key)
            return false;
        return m_groups.size() < kMaxGroups || m_groups.count(groupSignature(rule, key)) != 0;
    }

    void open(std::size_t at, const RuleKey& key)
    {
        m_open = true;
        m_run = IndexedRun {};
        m_run.key = key.field;
        m_run.begin = at;
        m_run.keyMax = key.field == Field::Dst ? addressMax(m_family) : U128 { 65535 };
        m_groups.clear();
    }

    void add(std::size_t at, const RuleKey& key)
    {
        const CompiledRule& rule = m_chain.rules[at];
        const auto [it, added] = m_groups.emplace(groupSignature(rule, key), m_run.groups.size());
        if (added) {
            IndexedRun::Group g;
            g.protocol = key.protocol;
            for (std::size_t i = 0; i < key.at; ++i)
                if (rule.predicates[i].field != Field::Always)
                    g.predicates.push_back(rule.predicates[i]);
            m_run.groups.push_back(std::move(g));
        }
        for (const U128 v : key.values)
            m_run.entries.push_back({ key.protocol, v, static_cast<std::uint32_t>(at) });
    }

    void close(std::size_t end)
    {
        if (!m_open)
            return;
        m_open = false;
        m_run.end = end;
        if (end - m_run.begin < m_minLength)
            return;
        auto order = [](const IndexedRun::Entry& a, const IndexedRun::Entry& b) {
            return std::tie(a.protocol, a.key, a.rule) < std::tie(b.protocol, b.key, b.rule);
        };
        auto same = [](const IndexedRun::Entry& a, const IndexedRun::Entry& b) {
            return a.protocol == b.protocol && a.key == b.key && a.rule == b.rule;
        };
        auto& e = m_run.entries;
        std::sort(e.begin(), e.end(), order);
        e.erase(std::unique(e.begin(), e.end(), same), e.end());
        m_run.keySets = keySets(e);
        m_runs.push_back(std::move(m_run));
    }

    // Per protocol named, its keys and those of the rules naming no protocol; then the latter alone.
    static std::vector<IndexedRun::KeySet> keySets(const std::vector<IndexedRun::Entry>& entries)
    {
        std::map<std::uint8_t, std::vector<Interval>> byProtocol;
        for (const IndexedRun::Entry& e : entries)
            byProtocol[e.protocol].push_back({ e.key, e.key });
        const std::vector<Interval> unnamed = byProtocol.count(0) ? byProtocol[0] : std::vector<Interval> {};
        std::vector<IndexedRun::KeySet> out;
        for (auto& [protocol, keys] : byProtocol) {
            if (protocol != 0)
                keys.insert(keys.end(), unnamed.begin(), unnamed.end());
            out.push_back({ protocol, IntervalSet::fromIntervals(std::move(keys)) });
        }
        return out;
    }

    const CompiledChain& m_chain;
    Family m_family;
    std::size_t m_minLength;
    std::vector<IndexedRun> m_runs;
    IndexedRun m_run;
    std::map<std::string, std::size_t> m_groups;
    bool m_open = false;
};

} // namespace

std::vector<IndexedRun> indexRuns(const CompiledChain& chain, Family family, std::size_t minLength)
{
    return RunBuilder(chain, family, minLength).build();
}

} // namespace detail

std::size_t IndexedRun::step(U128 value, std::uint8_t protocol, std::size_t from) const noexcept
{
    std::size_t next = end;
    auto byProtocol = [](const Entry& e, std::uint8_t p) { return e.protocol < p; };
    auto protocolBefore = [](std::uint8_t p, const Entry& e) { return p < e.protocol; };
    auto look = [&](std::uint8_t p) {
        const auto first = std::lower_bound(entries.begin(), entries.end(), p, byProtocol);
        const auto last = std::upper_bound(first, entries.end(), p, protocolBefore);
        const auto lo = std::lower_bound(first, last, value, [](const Entry& e, U128 v) { return e.key < v; });
        const auto hi = std::upper_bound(lo, last, value, [](U128 v, const Entry& e) { return v < e.key; });
        const auto candidate = std::lower_bound(
            lo, hi, from, [](const Entry& e, std::size_t r) { return e.rule < r; });
        if (candidate != hi)
            next = std::min<std::size_t>(next, candidate->rule);
    };
    look(protocol);
    if (protocol != 0)
        look(0);
    return next;
}

const IntervalSet* IndexedRun::keysFor(std::uint8_t protocol) const noexcept
{
    const IntervalSet* unnamed = nullptr;
    for (const KeySet& k : keySets) {
        if (k.protocol == protocol)
            return &k.keys;
        if (k.protocol == 0)
            unnamed = &k.keys;
    }
    return unnamed;
}

} // namespace model::engine
