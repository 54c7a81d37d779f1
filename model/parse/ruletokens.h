#pragma once

// Turns the tokens of one rule ("-A CHAIN" already consumed) into a Rule: base criteria, matches with their
// options, the target with its options, and "-c packets bytes" counters. Shared by the iptables-save and
// iptables -S parsers, which write rules the same way.

#include "model/parse/textscan.h"
#include "model/ruleset.h"

#include <span>

namespace model::parse {

// Fills rule from tokens; on failure returns false with error naming the offending token's column.
// targetColumn receives the column of the -j/-g target name (0 without one), for later checks.
bool parseRuleTokens(std::span<const Token> tokens, int line, Rule& rule, int& targetColumn, ParseError& error);

// Targets that are not chains: the verdicts and the target extensions iptables ships.
bool isTargetExtension(std::string_view name) noexcept;

} // namespace model::parse
