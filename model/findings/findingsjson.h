#pragma once

// The versioned JSON form of a findings list ("schema": "chainsight-findings", "version": 1), shared by the CLI
// and anything that exports findings. Pure functions.

#include "model/findings/finding.h"

#include <nlohmann/json.hpp>

namespace model::findings {

inline constexpr int kFindingsJsonVersion = 1;

nlohmann::json packetToJson(const engine::Packet& packet);
nlohmann::json fixOptionToJson(const fix::FixOption& option);
nlohmann::json findingToJson(const Finding& finding);
// The whole document; `subject` names the snapshots ({"after": ..., "before": ...}).
nlohmann::json findingsToJson(const std::vector<Finding>& findings, const nlohmann::json& subject);

// "iptables -t raw -I PREROUTING 1 -i eth0 ... -j ACCEPT" (ip6tables for IPv6); the form shown to users.
std::string ruleChangeCommand(const fix::RuleChange& change);

} // namespace model::findings
