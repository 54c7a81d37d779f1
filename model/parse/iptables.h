#pragma once

// Parsers for iptables rule text. Each is noexcept and returns a Ruleset or a ParseError naming the line.
// The input is text as the tool printed it; parseRulesetText() additionally accepts text pasted from a
// web page (prompts, Markdown fences, quote markers, a dump cut mid-line) and detects the format.

#include "model/result.h"
#include "model/ruleset.h"

#include <optional>
#include <string_view>

namespace model::parse {

// iptables-save / ip6tables-save, with or without -c counters.
Result<Ruleset> parseIptablesSave(std::string_view text, Family family) noexcept;

// iptables -S (one table, or several concatenated; "-t table" headers or "# table" comments where present).
Result<Ruleset> parseIptablesS(std::string_view text, Family family) noexcept;

// iptables -L -n [-v] [-x] [--line-numbers], one table or several one after another.
Result<Ruleset> parseIptablesList(std::string_view text, Family family) noexcept;

// Cleans pasted input, detects which of the three formats it is, and parses it.
// family: nullopt lets the content decide (IPv6 addresses, "ip6tables" headers); defaults to IPv4.
Result<Ruleset> parseRulesetText(std::string_view text, std::optional<Family> family = std::nullopt) noexcept;

// Prints a ruleset in iptables-save form (with counters when every rule has them).
std::string printIptablesSave(const Ruleset& ruleset);

// The canonical text of one rule as iptables-save prints it: "-A CHAIN ... -j TARGET" (no counters).
std::string ruleText(const Rule& rule, std::string_view chain);

} // namespace model::parse
