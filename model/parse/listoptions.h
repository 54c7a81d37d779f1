#pragma once

// Decodes the trailing option column of one `iptables -L` line ("tcp dpt:80 /* web */ to:172.18.0.2:80") back
// into the matches and target options iptables-save prints for the same rule, so that a rule read from -L
// compares equal to the same rule read from iptables-save. Pure functions; safe from any thread.

#include "model/ruleset.h"

#include <string_view>

namespace model::parse {

// Appends the decoded matches to rule.matches and the target's options to rule.target (whose name must already
// be set from the target column; "CT" printing "NOTRACK" becomes the NOTRACK target). Text that cannot be
// decoded is kept verbatim as an undecoded Match (see kUndecodedMatch) and UnknownMatches is set.
// Returns false in that case.
bool decodeListOptions(std::string_view text, Rule& rule) noexcept;

// The iptables-save name of a protocol the -L "prot" column shows as a number ("6" -> "tcp"); other numbers
// are returned unchanged. "0" and "all" mean no protocol criterion and give an empty string.
std::string protocolName(std::string_view prot);

} // namespace model::parse
