#pragma once

// Which fixes a user picked: findings by id, each with one of its options (the recommended one unless named).
// Shared by `chainsight-cli fix` and the Fix script view. Pure functions; thread-safe.

#include "model/findings/finding.h"
#include "model/fix/fixplan.h"
#include "model/result.h"

#include <string>
#include <vector>

namespace model::fix {

struct FixChoice {
    std::string findingId;
    std::string optionId; // empty: the recommended option (or the first one that changes rules)
};

// The option a finding uses when none is named; null when it has none.
const FixOption* defaultOption(const findings::Finding& finding) noexcept;

// With no choices: every finding whose default option adds rules or has manual steps. Errors (code Conflict
// for an unknown id) name the id and list the ids that exist.
Result<std::vector<FixPlan>> plansFor(
    const std::vector<findings::Finding>& findings, const std::vector<FixChoice>& choices) noexcept;

} // namespace model::fix
