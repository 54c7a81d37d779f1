#include "model/diff/rulediff.h"

#include "model/diff/rulealign.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

namespace model::diff {

namespace {

// One chain seen on both sides (or one side only) while the diff is being worked out.
struct ChainWork {
    std::string table;
    const Chain* left = nullptr;
    const Chain* right = nullptr;
    ChainStatus status = ChainStatus::Same;
    std::vector<std::string> lKeys, rKeys;
    std::vector<int> lMatch, rMatch; // Same partner or -1
    std::vector<int> lChanged, rChanged; // Changed partner or -1
    std::vector<std::optional<RuleLocation>> lMoved, rMoved;
};

std::vector<std::string> keysOf(const Chain* c)
{
    std::vector<std::string> keys;
    if (c)
        for (const auto& r : c->rules)
            keys.push_back(ruleKey(r));
    return keys;
}

// Share of rules two chains have in common, for recognising a renamed user chain.
double similarity(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
    if (a.empty() || b.empty())
        return 0.0;
    std::multiset<std::string> rest(b.begin(), b.end());
    std::size_t common = 0;
    for (const auto& k : a)
        if (auto it = rest.find(k); it != rest.end()) {
            rest.erase(it);
            ++common;
        }
    return static_cast<double>(common) / static_cast<double>(std::max(a.size(), b.size()));
}

bool pairRenamed(std::vector<ChainWork>& removed, std::vector<ChainWork>& added, const StopRequested& stop)
{
    for (auto& gone : removed) {
        if (stop && stop())
            return false;
        if (gone.left->builtin)
            continue;
        ChainWork* best = nullptr;
        double bestScore = 0.5;
        for (auto& fresh : added)
            if (!fresh.left && !fresh.right->builtin) {
                const double s = similarity(gone.lKeys, fresh.rKeys);
                if (s >= bestScore) {
                    bestScore = s;
                    best = &fresh;
                }
            }
        if (best) {
            gone.right = best->right;
            gone.rKeys = std::move(best->rKeys);
            gone.status = ChainStatus::Renamed;
            best->left = gone.left; // marks it consumed; dropped below
        }
    }
    std::erase_if(added, [](const ChainWork& w) { return w.left != nullptr; });
    return true;
}

// Empty when stop() said yes before every chain was paired and aligned.
std::optional<std::vector<ChainWork>> pairChains(
    const Table* lt, const Table* rt, const std::string& table, const StopRequested& stop)
{
    std::vector<ChainWork> work, removed, added;
    auto make = [&](const Chain* l, const Chain* r, ChainStatus s) {
        ChainWork w;
        w.table = table;
        w.left = l;
        w.right = r;
        w.status = s;
        w.lKeys = keysOf(l);
        w.rKeys = keysOf(r);
        return w;
    };
    // Looked up by name through a hash: Table::chain() reads the chains in order, and a kube-proxy table has
    // 25,000 of them on each side.
    const auto byName = [](const Table* t) {
        std::unordered_map<std::string_view, const Chain*> chains;
        if (t) {
            chains.reserve(t->chains.size());
            for (const auto& c : t->chains)
                chains.emplace(c.name, &c);
        }
        return chains;
    };
    const auto leftChains = byName(lt);
    const auto rightChains = byName(rt);
    // Making the chains' rule keys is most of the work on a large table: a stop is heard every few hundred chains.
    constexpr std::size_t chainsBetweenStops = 256;
    std::size_t made = 0;
    if (lt)
        for (const auto& c : lt->chains) {
            if (++made % chainsBetweenStops == 0 && stop && stop())
                return std::nullopt;
            const auto found = rightChains.find(c.name);
            const Chain* other = found == rightChains.end() ? nullptr : found->second;
            (other ? work : removed).push_back(make(&c, other, other ? ChainStatus::Same : ChainStatus::Removed));
        }
    if (rt)
        for (const auto& c : rt->chains) {
            if (++made % chainsBetweenStops == 0 && stop && stop())
                return std::nullopt;
            if (!leftChains.contains(c.name))
                added.push_back(make(nullptr, &c, ChainStatus::Added));
        }
    if (!pairRenamed(removed, added, stop))
        return std::nullopt;
    for (auto& w : removed)
        work.push_back(std::move(w));
    for (auto& w : added)
        work.push_back(std::move(w));
    for (auto& w : work) {
        if (stop && stop())
            return std::nullopt;
        w.lMatch = detail::alignKeys(w.lKeys, w.rKeys);
        w.rMatch.assign(w.rKeys.size(), -1);
        for (std::size_t i = 0; i < w.lMatch.size(); ++i)
            if (w.lMatch[i] >= 0)
                w.rMatch[static_cast<std::size_t>(w.lMatch[i])] = static_cast<int>(i);
        w.lChanged.assign(w.lKeys.size(), -1);
        w.rChanged.assign(w.rKeys.size(), -1);
        w.lMoved.assign(w.lKeys.size(), std::nullopt);
        w.rMoved.assign(w.rKeys.size(), std::nullopt);
    }
    return work;
}

std::string chainName(const ChainWork& w, bool right) { return (right ? w.right : w.left)->name; }

// A rule that left one place and appears, identical, at a place the alignment did not pair: moved. The same
// chain is preferred, then the other chains in order.
void findMoves(std::vector<ChainWork>& work)
{
    std::unordered_map<std::string, std::deque<std::pair<std::size_t, std::size_t>>> unmatchedRight;
    for (std::size_t c = 0; c < work.size(); ++c)
        for (std::size_t j = 0; j < work[c].rKeys.size(); ++j)
            if (work[c].rMatch[j] < 0)
                unmatchedRight[work[c].rKeys[j]].emplace_back(c, j);
    for (std::size_t c = 0; c < work.size(); ++c)
        for (std::size_t i = 0; i < work[c].lKeys.size(); ++i) {
            if (work[c].lMatch[i] >= 0)
                continue;
            auto it = unmatchedRight.find(work[c].lKeys[i]);
            if (it == unmatchedRight.end() || it->second.empty())
                continue;
            auto& q = it->second;
            auto pick = std::find_if(q.begin(), q.end(), [&](const auto& p) { return p.first == c; });
            if (pick == q.end())
                pick = q.begin();
            const auto [rc, rj] = *pick;
            q.erase(pick);
            work[c].lMoved[i] = RuleLocation { work[rc].table, chainName(work[rc], true), static_cast<int>(rj) };
            work[rc].rMoved[rj] = RuleLocation { work[c].table, chainName(work[c], false), static_cast<int>(i) };
        }
}

using Renames = std::map<std::string, std::string, std::less<>>; // before name -> after name

// A jump to a chain that was renamed still targets the same chain.
bool sameTarget(const Rule& a, const Rule& b, const Renames& renames)
{
    if (a.target.kind != b.target.kind)
        return false;
    if (a.target.name == b.target.name)
        return true;
    auto it = renames.find(a.target.name);
    return it != renames.end() && it->second == b.target.name;
}

// Within each stretch between aligned rules, a removed and an added rule with the same target are one rule
// whose options changed in place. Pairing in order keeps the rows monotonic on both sides.
void findChanges(ChainWork& w, const Renames& renames)
{
    if (!w.left || !w.right)
        return;
    int prevJ = -1;
    int i = 0;
    const int n = static_cast<int>(w.lKeys.size());
    while (i <= n) {
        int end = i;
        while (end < n && w.lMatch[static_cast<std::size_t>(end)] < 0)
            ++end;
        const int nextJ = end < n ? w.lMatch[static_cast<std::size_t>(end)] : static_cast<int>(w.rKeys.size());
        int j = prevJ + 1;
        for (int li = i; li < end; ++li) {
            if (w.lMoved[static_cast<std::size_t>(li)])
                continue;
            for (int rj = j; rj < nextJ; ++rj) {
                const auto r = static_cast<std::size_t>(rj);
                if (w.rMoved[r] || !sameTarget(w.left->rules[static_cast<std::size_t>(li)], w.right->rules[r], renames))
                    continue;
                w.lChanged[static_cast<std::size_t>(li)] = rj;
                w.rChanged[r] = li;
                j = rj + 1;
                break;
            }
        }
        prevJ = nextJ;
        i = end + 1;
    }
}

RuleRow leftOnly(const ChainWork& w, std::size_t i)
{
    RuleRow row;
    row.left = &w.left->rules[i];
    row.leftIndex = static_cast<int>(i);
    row.kind = w.lMoved[i] ? RowKind::Moved : RowKind::Removed;
    if (w.lMoved[i])
        row.counterpart = *w.lMoved[i];
    return row;
}

RuleRow rightOnly(const ChainWork& w, std::size_t j)
{
    RuleRow row;
    row.right = &w.right->rules[j];
    row.rightIndex = static_cast<int>(j);
    row.kind = w.rMoved[j] ? RowKind::Moved : RowKind::Added;
    if (w.rMoved[j])
        row.counterpart = *w.rMoved[j];
    return row;
}

std::vector<RuleRow> rowsOf(const ChainWork& w)
{
    std::vector<RuleRow> rows;
    std::size_t i = 0;
    std::size_t j = 0;
    const std::size_t n = w.lKeys.size();
    const std::size_t m = w.rKeys.size();
    while (i < n || j < m) {
        const int li = i < n ? std::max(w.lMatch[i], w.lChanged[i]) : -1;
        const int rj = j < m ? std::max(w.rMatch[j], w.rChanged[j]) : -1;
        if (i < n && li < 0) {
            rows.push_back(leftOnly(w, i++));
        } else if (j < m && rj < 0) {
            rows.push_back(rightOnly(w, j++));
        } else {
            // Both aligned: monotonic pairing means they are aligned with each other.
            RuleRow row;
            row.kind = w.lMatch[i] >= 0 ? RowKind::Same : RowKind::Changed;
            row.left = &w.left->rules[i];
            row.right = &w.right->rules[j];
            row.leftIndex = static_cast<int>(i++);
            row.rightIndex = static_cast<int>(j++);
            rows.push_back(row);
        }
    }
    return rows;
}

ChainDiff finish(const ChainWork& w)
{
    ChainDiff d;
    d.table = w.table;
    d.status = w.status;
    d.name = (w.right ? w.right : w.left)->name;
    if (w.status == ChainStatus::Renamed)
        d.renamedFrom = w.left->name;
    d.builtin = (w.right ? w.right : w.left)->builtin;
    d.policyBefore = w.left ? w.left->policy : std::string();
    d.policyAfter = w.right ? w.right->policy : std::string();
    d.provenance = (w.right ? w.right : w.left)->provenance;
    d.rows = rowsOf(w);
    return d;
}

void count(const ChainDiff& c, DiffCounts& total, std::map<Provenance, DiffCounts>& by)
{
    auto both = [&](Provenance p, auto member) {
        ++(total.*member);
        ++(by[p].*member);
    };
    if (c.status == ChainStatus::Added)
        both(c.provenance, &DiffCounts::chainsAdded);
    else if (c.status == ChainStatus::Removed)
        both(c.provenance, &DiffCounts::chainsRemoved);
    else if (c.status == ChainStatus::Renamed)
        both(c.provenance, &DiffCounts::chainsRenamed);
    if (c.policyChanged())
        both(c.provenance, &DiffCounts::policyChanges);
    for (const auto& row : c.rows) {
        switch (row.kind) {
        case RowKind::Same: break;
        case RowKind::Added: both(row.provenance(), &DiffCounts::added); break;
        case RowKind::Removed: both(row.provenance(), &DiffCounts::removed); break;
        case RowKind::Changed: both(row.provenance(), &DiffCounts::changed); break;
        case RowKind::Moved:
            if (row.left) // a move shows twice, once on each side; count it once
                both(row.provenance(), &DiffCounts::moved);
            break;
        }
    }
}

// False when stop() said yes; diff is then incomplete.
bool diffTables(const Ruleset& before, const Ruleset& after, RuleDiff& diff, const StopRequested& stop)
{
    std::vector<std::string> tables;
    for (const auto& t : before.tables)
        tables.push_back(t.name);
    for (const auto& t : after.tables)
        if (std::find(tables.begin(), tables.end(), t.name) == tables.end())
            tables.push_back(t.name);
    for (const auto& name : tables) {
        auto work = pairChains(before.table(name), after.table(name), name, stop);
        if (!work || (stop && stop()))
            return false;
        findMoves(*work);
        Renames renames;
        for (const auto& w : *work)
            if (w.status == ChainStatus::Renamed)
                renames.emplace(w.left->name, w.right->name);
        for (auto& w : *work) {
            if (stop && stop())
                return false;
            findChanges(w, renames);
            diff.chains.push_back(finish(w));
            count(diff.chains.back(), diff.counts, diff.byProvenance);
        }
    }
    return true;
}

} // namespace

RuleDiff diffRulesets(const Ruleset& before, const Ruleset& after)
{
    RuleDiff diff;
    diffTables(before, after, diff, {});
    return diff;
}

RuleDiff diffRulesets(RulesetPtr before, RulesetPtr after)
{
    RuleDiff diff = diffRulesets(*before, *after);
    diff.before = std::move(before);
    diff.after = std::move(after);
    return diff;
}

std::optional<RuleDiff> diffRulesets(RulesetPtr before, RulesetPtr after, const StopRequested& stop)
{
    RuleDiff diff;
    if (!diffTables(*before, *after, diff, stop))
        return std::nullopt;
    diff.before = std::move(before);
    diff.after = std::move(after);
    return diff;
}

const char* rowKindName(RowKind kind) noexcept
{
    switch (kind) {
    case RowKind::Same: return "same";
    case RowKind::Added: return "added";
    case RowKind::Removed: return "removed";
    case RowKind::Changed: return "changed";
    case RowKind::Moved: return "moved";
    }
    return "same";
}

const char* chainStatusName(ChainStatus status) noexcept
{
    switch (status) {
    case ChainStatus::Same: return "same";
    case ChainStatus::Added: return "added";
    case ChainStatus::Removed: return "removed";
    case ChainStatus::Renamed: return "renamed";
    }
    return "same";
}

Provenance RuleRow::provenance() const noexcept { return right ? right->provenance : left->provenance; }

bool ChainDiff::policyChanged() const noexcept
{
    return builtin && !policyBefore.empty() && !policyAfter.empty() && policyBefore != policyAfter;
}

bool ChainDiff::hasChanges() const noexcept
{
    return status != ChainStatus::Same || policyChanged()
        || std::any_of(rows.begin(), rows.end(), [](const RuleRow& r) { return r.kind != RowKind::Same; });
}

int DiffCounts::total() const noexcept
{
    return added + removed + changed + moved + chainsAdded + chainsRemoved + chainsRenamed + policyChanges;
}

const ChainDiff* RuleDiff::chain(std::string_view table, std::string_view name) const noexcept
{
    auto it = std::find_if(
        chains.begin(), chains.end(), [&](const ChainDiff& c) { return c.table == table && c.name == name; });
    return it == chains.end() ? nullptr : &*it;
}

} // namespace model::diff
