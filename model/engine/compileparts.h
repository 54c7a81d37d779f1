#pragma once

// Internal to the compiler: turning one match or target into predicates / actions.

#include "model/engine/compiled.h"

#include <string>
#include <vector>

namespace model::engine::detail {

std::optional<std::vector<PortRange>> parsePortList(std::string_view text) noexcept; // "80,443,1000:2000"
std::optional<std::uint32_t> parseNumber(std::string_view text) noexcept; // decimal or 0x hex
// "0x40000/0xff0000" -> value, mask (mask defaults to all ones).
bool parseValueMask(std::string_view text, std::uint32_t& value, std::uint32_t& mask) noexcept;

// Appends the predicates of one -m module; returns false (and a warning) for what it could not read.
void compileMatch(const Match& match, Family family, std::vector<Predicate>& out, std::vector<std::string>& warnings);
CompiledTarget compileTarget(const Target& target, Family family, std::vector<std::string>& warnings);

std::string joinOption(const Option& option); // "! --ctstate NEW"

} // namespace model::engine::detail
