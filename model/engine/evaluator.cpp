// The chain stack machine (SEMANTICS §3) and the effects of targets (§4, §6).
#include "model/engine/evaluator.h"

#include <cstring>
#include <utility>

namespace model::engine::detail {

namespace {
constexpr std::size_t kMaxDepth = 64; // nf_tables refuses 16; legacy accepts more, loops are rejected at load
constexpr std::size_t kMaxSteps = 2'000'000;
}

Evaluator::Evaluator(const CompiledRuleset& rules, const HostModel& host, Choices& choices, Outcome& outcome,
    std::vector<std::string>& dependsOn)
    : m_rules(rules)
    , m_host(host)
    , m_choices(choices)
    , m_outcome(outcome)
    , m_dependsOn(dependsOn)
{
}

void Evaluator::recordTerminal(const CompiledTable& table, int chain, std::size_t index, const std::string& policy)
{
    const Decision d { &table, chain, index, !policy.empty(), nullptr };
    m_lastTerminal = d;
    if (table.name == "filter")
        m_lastFilter = d;
    if (policy.empty() && table.name != "nat")
        m_lastExplicit = d;
}

RuleRef Evaluator::materialise(const Decision& d) const
{
    RuleRef ref;
    if (d.other) {
        ref.other = d.other;
        return ref;
    }
    if (!d.table)
        return ref;
    const CompiledChain& c = d.table->chains[static_cast<std::size_t>(d.chain)];
    ref.table = d.table->name;
    ref.chain = c.name;
    if (d.policy) {
        ref.policy = c.policy;
    } else {
        ref.index = static_cast<int>(d.index) + 1;
        ref.text = c.rules[d.index].text;
    }
    return ref;
}

RuleRef Evaluator::acceptingRule() const
{
    for (const Decision* d : { &m_lastFilter, &m_lastExplicit, &m_lastTerminal })
        if (!d->empty())
            return materialise(*d);
    RuleRef none;
    none.other = "no rule: no chain on this path filters the packet";
    return none;
}

Hop Evaluator::ruleHop(const PacketState& s, Hook hook, const CompiledTable& table, int chain, std::size_t index) const
{
    const CompiledChain& c = table.chains[static_cast<std::size_t>(chain)];
    Hop hop;
    hop.kind = Hop::Kind::Rule;
    hop.hook = hook;
    hop.table = table.name;
    hop.chain = c.name;
    hop.ruleNumber = static_cast<int>(index) + 1;
    hop.ruleText = c.rules[index].text;
    hop.target = c.rules[index].target.name;
    hop.inInterface = s.in;
    hop.outInterface = s.out;
    return hop;
}

Verdict Evaluator::policyVerdict(const PacketState& s, Hook hook, const CompiledTable& table, int chain)
{
    const CompiledChain& c = table.chains[static_cast<std::size_t>(chain)];
    if (keepsHops()) {
        Hop hop;
        hop.kind = Hop::Kind::Policy;
        hop.hook = hook;
        hop.table = table.name;
        hop.chain = c.name;
        hop.verdict = c.policy;
        hop.inInterface = s.in;
        hop.outInterface = s.out;
        m_outcome.hops.push_back(std::move(hop));
    }
    recordTerminal(table, chain, 0, c.policy);
    return c.policy == "DROP" ? Verdict::Drop : Verdict::Accept;
}

void Evaluator::beginVisit(RunVisit& visit, const IndexedRun& run, int chain, std::size_t depth, std::size_t entry)
{
    visit.tag = m_rec->tag(run.key == Field::Dst ? PathRecorder::SlotDst : PathRecorder::SlotDport);
    visit.run = visit.tag == PathRecorder::Const ? nullptr : &run; // a constant key: nothing to group
    visit.chain = chain;
    visit.depth = depth;
    visit.entry = entry;
    visit.choices = m_choices.next;
    visit.wideDomain.reset();
    visit.keptDomain.reset();
    if (visit.run != nullptr) {
        visit.domain = m_rec->domain(visit.tag);
        if (const IntervalSet* wide = m_rec->wideDomain(visit.tag)) {
            visit.wideDomain = *wide;
            visit.keptDomain = *m_rec->keptDomain(visit.tag);
        }
    }
}

void Evaluator::leaveGroup()
{
    if (m_group) {
        m_rec->leaveGroup();
        m_group.reset();
    }
}

bool Evaluator::groupMemberRegion(
    const PacketState& s, const CompiledRule& rule, std::array<std::optional<IntervalSet>, kDims>& region)
{
    using R = PathRecorder;
    for (auto& d : region)
        d.reset();
    const Box& wide = m_rec->wideCondition();
    for (const Predicate& p : rule.predicates) {
        // The field's tie to an original field, as PathRecorder::predicate() records it.
        R::Tag t = R::Const;
        switch (p.field) {
        case Field::Src:
        case Field::SrcRange: t = m_rec->tag(R::SlotSrc); break;
        case Field::Dst:
        case Field::DstRange: t = m_rec->tag(R::SlotDst); break;
        case Field::SrcPort: t = s.header.hasPorts() ? m_rec->tag(R::SlotSport) : R::Const; break;
        case Field::DstPort: t = s.header.hasPorts() ? m_rec->tag(R::SlotDport) : R::Const; break;
        case Field::InInterface: t = m_rec->inTag(); break;
        case Field::OutInterface: t = m_rec->outTag(); break;
        case Field::CtState:
            if (s.binding)
                return false; // may ask whether the connection was translated: not one set
            break;
        default: break;
        }
        if (t == R::Const) { // the same for every packet of the wide condition: the traced packet's answer
            PathRecorder* recorder = std::exchange(m_rec, nullptr);
            const Tri r = evaluate(s, p);
            m_rec = recorder;
            if (r != Tri::True)
                return false;
            continue;
        }
        // The match itself (before any negation) holds exactly for these values of the field.
        IntervalSet own;
        const IntervalSet* set = &own;
        switch (p.field) {
        case Field::Src:
        case Field::Dst: own = IntervalSet::prefix(p.prefixes.front()); break;
        case Field::SrcRange:
        case Field::DstRange: own = IntervalSet::range(toU128(p.range.first), toU128(p.range.last)); break;
        case Field::SrcPort:
        case Field::DstPort: {
            std::vector<Interval> items;
            for (const PortRange& r : p.ports)
                items.push_back({ r.first, r.last });
            own = IntervalSet::fromIntervals(std::move(items));
            break;
        }
        default:
            if (const IntervalSet* ids = m_rec->partition().preparedIngress(p.iface))
                set = ids;
            else
                own = m_rec->partition().ingressMatching(p.iface);
            break;
        }
        const auto dim = static_cast<std::size_t>(R::dimension(t));
        const IntervalSet& sofar = region[dim] ? *region[dim] : wide[dim];
        region[dim] = p.negated ? sofar.subtracted(*set) : sofar.intersected(*set);
        if (region[dim]->empty())
            return false;
    }
    return true;
}

void Evaluator::widenGroup(const PacketState& s, std::size_t matched)
{
    const GroupVisit g = *m_group;
    const CompiledChain& chain = g.table->chains[static_cast<std::size_t>(g.chain)];
    if (m_choices.next != 0) { // the path depends on a choice: keep it as recorded
        leaveGroup();
        return;
    }
    const Box& wide = m_rec->wideCondition();
    std::array<std::optional<IntervalSet>, kDims> region;
    auto narrower = [&](std::optional<Dim>& key, bool& several) {
        key.reset();
        several = false;
        for (std::size_t d = 0; d < kDims; ++d)
            if (region[d] && !(*region[d] == wide[d])) {
                several = several || key.has_value();
                key = static_cast<Dim>(d);
            }
    };
    if (!groupMemberRegion(s, chain.rules[matched], region)) {
        leaveGroup();
        return;
    }
    std::optional<Dim> key;
    bool several = false;
    narrower(key, several);
    if (several) {
        leaveGroup();
        return;
    }
    if (!key) { // the matched rule takes every packet of the wide condition
        m_rec->matchedGroup(std::nullopt, g.table, g.chain, g.begin, g.end);
        m_group.reset();
        return;
    }
    const Dim k = *key;
    IntervalSet keys = *region[static_cast<std::size_t>(k)];
    for (std::size_t i = g.begin; i < g.end; ++i) {
        if (i == matched || !groupMemberRegion(s, chain.rules[i], region))
            continue;
        std::optional<Dim> other;
        narrower(other, several);
        if (several || (other && *other != k))
            continue; // not a box along the key: left out, the union stays a subset of the members' matches
        keys = keys.united(other ? *region[static_cast<std::size_t>(k)] : wide[static_cast<std::size_t>(k)]);
    }
    m_rec->matchedGroup(std::pair(k, std::move(keys)), g.table, g.chain, g.begin, g.end);
    m_group.reset();
}

Verdict Evaluator::runTable(PacketState& s, Hook hook, const char* tableName)
{
    const CompiledTable* table = m_rules.table(tableName);
    if (table == nullptr)
        return Verdict::Accept;
    const int builtin = table->chainIndex(hookName(hook));
    if (builtin < 0)
        return Verdict::Accept;
    std::vector<Frame> stack;
    int current = builtin;
    std::size_t next = 0;
    RunVisit visit;
    for (std::size_t steps = 0; steps < kMaxSteps; ++steps) {
        const CompiledChain& chain = table->chains[static_cast<std::size_t>(current)];
        if (m_group
            && (m_group->table != table || m_group->chain != current || m_group->depth != stack.size()
                || next < m_group->begin || next >= m_group->end))
            leaveGroup();
        if (next >= chain.rules.size()) {
            if (stack.empty()) // end of the built-in chain, or of a chain reached by goto from it
                return policyVerdict(s, hook, *table, builtin);
            if (keepsHops()) {
                Hop hop;
                hop.kind = Hop::Kind::Return;
                hop.hook = hook;
                hop.table = table->name;
                hop.chain = chain.name;
                hop.verdict = "RETURN";
                hop.note = "end of chain, back to " + table->chains[static_cast<std::size_t>(stack.back().chain)].name;
                m_outcome.hops.push_back(std::move(hop));
            }
            current = stack.back().chain;
            next = stack.back().next;
            stack.pop_back();
            continue;
        }
        if (const IndexedRun* run = chain.runs.empty() ? nullptr : chain.runAt(next)) {
            if (m_rec != nullptr && (visit.run != run || visit.chain != current || visit.depth != stack.size()))
                beginVisit(visit, *run, current, stack.size(), next);
            next = skipIndexed(s, *run, next);
            if (next >= run->end) {
                if (visit.run != nullptr)
                    groupRunPass(s, chain, visit);
                visit.run = nullptr;
                continue;
            }
        }
        const std::size_t index = next++;
        if (m_rec != nullptr && !m_group && !chain.groups.empty() && m_rec->groupWidening())
            if (const CompiledChain::TargetGroup* g = chain.groupAt(index)) {
                m_rec->enterGroup();
                m_group = GroupVisit { table, current, stack.size(), index, g->end };
            }
        if (!ruleMatches(s, chain.rules[index]))
            continue;
        if (m_group)
            widenGroup(s, index);
        if (visit.run != nullptr) { // the visit ends here: a rule of the run matched
            if (chain.rules[index].target.action == Action::Drop && index >= visit.run->begin && index < visit.run->end)
                groupRunDrop(s, chain, visit);
            visit.run = nullptr;
        }
        Verdict v = Verdict::Accept;
        if (applyTarget(s, hook, *table, current, index, stack, current, next, v))
            return v;
        if (stack.size() > kMaxDepth)
            break;
    }
    leaveGroup();
    Hop hop;
    hop.kind = Hop::Kind::Note;
    hop.hook = hook;
    hop.table = table->name;
    hop.note = "chain nesting or length beyond what the kernel would load; the packet is treated as dropped";
    m_outcome.hops.push_back(std::move(hop));
    m_lastTerminal = Decision {};
    m_lastTerminal.other = "ruleset too deeply nested to evaluate";
    return Verdict::Drop;
}

} // namespace model::engine::detail
