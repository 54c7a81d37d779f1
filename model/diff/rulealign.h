#pragma once

// Internal to the rule-level diff: the longest common subsequence of two chains' rule keys.

#include <string>
#include <vector>

namespace model::diff::detail {

// For each left index, the right index it is aligned with, or -1. The pairs are strictly increasing on both
// sides and join only equal keys. Exact (an LCS) for ordinary chain sizes; for very large differing middles
// a greedy in-order matching keeps memory bounded.
std::vector<int> alignKeys(const std::vector<std::string>& left, const std::vector<std::string>& right);

} // namespace model::diff::detail
