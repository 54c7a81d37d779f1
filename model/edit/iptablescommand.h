#pragma once

// Applies iptables/ip6tables command lines to a parsed ruleset the way the commands would change the
// kernel's tables: "iptables -t raw -I PREROUTING -i eth0 -j ACCEPT", "-D FORWARD -j ts-forward",
// "-A", "-I CHAIN N", "-D CHAIN N", "-R", "-N", "-X", "-F", "-P". Used to evaluate overlays and
// remediation scripts before anyone runs them. Pure functions on values; thread-safe.

#include "model/result.h"
#include "model/ruleset.h"

#include <string>
#include <string_view>
#include <vector>

namespace model::edit {

// One command. A leading "sudo", "iptables", "ip6tables" (any -nft/-legacy variant) and "-w" are ignored.
// Errors name what iptables itself would complain about (an unknown chain, a rule to delete not found).
Result<Ruleset> applyIptablesCommand(Ruleset ruleset, std::string_view command) noexcept;

// Several commands in order; stops at the first error, whose line is the 1-based command index.
Result<Ruleset> applyIptablesCommands(Ruleset ruleset, const std::vector<std::string>& commands) noexcept;

// A rule from its specification ("-s 10.0.0.0/24 -i eth0 -j ACCEPT") in the canonical form
// iptables-save prints: addresses with their prefix length, implicit "-m tcp" added, state lists ordered.
Result<Rule> parseRuleSpec(std::string_view spec, std::string_view chain, Family family) noexcept;

} // namespace model::edit
