#include "model/diff/rulealign.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <unordered_map>

namespace model::diff::detail {

namespace {

// Above this many table cells the quadratic LCS would cost too much memory (a kube-proxy chain can hold
// tens of thousands of rules); the greedy matching is then good enough for a readable view.
constexpr std::size_t kMaxLcsCells = 16u * 1024u * 1024u;

void lcs(const std::vector<std::string>& l, const std::vector<std::string>& r, std::size_t lo, std::size_t lEnd,
    std::size_t rEnd, std::vector<int>& out)
{
    const std::size_t n = lEnd - lo;
    const std::size_t m = rEnd - lo;
    std::vector<std::uint32_t> len((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return len[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            at(i, j) = l[lo + i] == r[lo + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n && j < m) {
        if (l[lo + i] == r[lo + j]) {
            out[lo + i] = static_cast<int>(lo + j);
            ++i;
            ++j;
        } else if (at(i + 1, j) >= at(i, j + 1)) {
            ++i;
        } else {
            ++j;
        }
    }
}

void greedy(const std::vector<std::string>& l, const std::vector<std::string>& r, std::size_t lo, std::size_t lEnd,
    std::size_t rEnd, std::vector<int>& out)
{
    std::unordered_map<std::string_view, std::deque<std::size_t>> positions;
    for (std::size_t j = lo; j < rEnd; ++j)
        positions[r[j]].push_back(j);
    std::size_t next = lo;
    for (std::size_t i = lo; i < lEnd; ++i) {
        auto it = positions.find(l[i]);
        if (it == positions.end())
            continue;
        auto& q = it->second;
        while (!q.empty() && q.front() < next)
            q.pop_front();
        if (q.empty())
            continue;
        out[i] = static_cast<int>(q.front());
        next = q.front() + 1;
        q.pop_front();
    }
}

} // namespace

std::vector<int> alignKeys(const std::vector<std::string>& left, const std::vector<std::string>& right)
{
    std::vector<int> out(left.size(), -1);
    // Upgrades leave most of a chain alone: strip the common head and tail before the quadratic part.
    std::size_t head = 0;
    while (head < left.size() && head < right.size() && left[head] == right[head]) {
        out[head] = static_cast<int>(head);
        ++head;
    }
    std::size_t lEnd = left.size();
    std::size_t rEnd = right.size();
    while (lEnd > head && rEnd > head && left[lEnd - 1] == right[rEnd - 1]) {
        --lEnd;
        --rEnd;
        out[lEnd] = static_cast<int>(rEnd);
    }
    // lcs/greedy index both sides from the same offset `head`; right's window is [head, rEnd).
    if ((lEnd - head + 1) * (rEnd - head + 1) <= kMaxLcsCells)
        lcs(left, right, head, lEnd, rEnd, out);
    else
        greedy(left, right, head, lEnd, rEnd, out);
    return out;
}

} // namespace model::diff::detail
