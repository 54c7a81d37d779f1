#pragma once

// Parsers for iproute2's JSON output. noexcept; errors as in docker.h (InvalidJson with line and
// column, JsonShape with the path of the offending value).

#include "model/hoststate.h"
#include "model/result.h"

#include <string_view>
#include <vector>

namespace model::parse {

// `ip -j addr`: interfaces with their addresses.
Result<std::vector<Interface>> parseIpAddr(std::string_view text) noexcept;

// `ip -j route` or `ip -j -6 route`. ipv6 marks every route; routes whose destination or gateway is an
// IPv6 address are marked anyway, so a combined dump is read correctly.
Result<std::vector<Route>> parseIpRoute(std::string_view text, bool ipv6 = false) noexcept;

} // namespace model::parse
