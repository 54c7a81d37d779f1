#pragma once

// Internal to the iptables -L parser: the column layout a chain's header line announces, and the reading of
// one rule line under it (line number, counters, target, prot, opt, interfaces, addresses, option column).

#include "model/result.h"
#include "model/ruleset.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace model::parse::list {

struct Layout {
    bool lineNumbers = false; // --line-numbers: "num"
    bool counters = false; // -v: "pkts bytes"
    bool interfaces = false; // -v: "in out"
    std::size_t targetColumn = 0; // where "target" starts in the header line
};

// "num   pkts bytes target     prot opt in     out     source               destination"; nullopt when the
// line is not a column header.
std::optional<Layout> parseColumnHeader(std::string_view line) noexcept;

// A counter as -L prints it: exact digits, or with -v but without -x rounded to K, M, G, T, P or E
// (powers of 1000), which sets approximate.
bool parseCounter(std::string_view word, std::uint64_t& value, bool& approximate) noexcept;

struct RowResult {
    std::optional<int> number; // the --line-numbers value
    bool approximateCounters = false;
};

// Fills rule from one rule line. On failure returns false and sets error (Syntax, with line and column).
bool parseRuleRow(std::string_view line, int lineNo, const Layout& layout, Family family, Rule& rule, RowResult& row,
    ParseError& error) noexcept;

} // namespace model::parse::list
