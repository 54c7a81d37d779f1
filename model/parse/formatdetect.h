#pragma once

// Recognises which iptables text format a (cleaned) input is, and its address family, from the content.
// Pure functions; thread-safe.

#include "model/ruleset.h"

#include <optional>
#include <string_view>

namespace model::parse {

// nullopt: none of iptables-save, iptables -S, iptables -L.
std::optional<SourceFormat> detectFormat(std::string_view text) noexcept;

// From "ip6tables" headers or commands, IPv6 addresses and ICMPv6; nullopt when the text does not tell.
std::optional<Family> detectFamily(std::string_view text) noexcept;

} // namespace model::parse
