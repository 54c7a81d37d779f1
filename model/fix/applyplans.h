#pragma once

// Applies fix plans to a snapshot the way the generated script changes the live host: every rule tagged
// "chainsight:<finding id>", added at its position unless an identical tagged rule is already there (-C).
// Pure functions; thread-safe.

#include "model/fix/fixplan.h"
#include "model/result.h"
#include "model/snapshot.h"

#include <string>
#include <vector>

namespace model::fix {

// The iptables command lines the script runs for the plans, in order ("iptables -t raw -I PREROUTING 1 ...").
// Words are quoted for model::edit, which reads double quotes.
std::vector<std::string> planCommands(const std::vector<FixPlan>& plans);

// The snapshot after the script has run: its rulesets (and their iptables-save sources) carry the added rules.
// Errors say which finding's rule could not be applied and why (an unknown chain, a family not captured).
Result<Snapshot> applyPlans(const Snapshot& after, const std::vector<FixPlan>& plans) noexcept;

} // namespace model::fix
