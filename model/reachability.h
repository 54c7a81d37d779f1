#pragma once

// Rules that no packet can reach, found from the ruleset's structure alone: rules after an unconditional
// ACCEPT/DROP/REJECT/RETURN/QUEUE or goto in the same chain, and every rule of a user chain that no reachable
// rule jumps or goes to. Pure function of its input; safe to call from any thread.

#include "model/ruleset.h"

#include <string>
#include <vector>

namespace model {

struct Reachability {
    // reasons[table][chain][rule]: why the rule is unreachable, empty when it can be reached.
    std::vector<std::vector<std::vector<std::string>>> reasons;
    std::size_t unreachableCount = 0;

    const std::string& reason(std::size_t table, std::size_t chain, std::size_t rule) const;
};

// True when the rule matches every packet (a comment match alone does not narrow it).
bool isUnconditional(const Rule& rule) noexcept;

Reachability findUnreachableRules(const Ruleset& ruleset);

} // namespace model
