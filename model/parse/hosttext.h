#pragma once

// Parsers for the small line-oriented host sources: `ipset save`, /etc/resolv.conf and sysctl output.
// noexcept; errors name the line and column. Empty input is valid for all three (no sets, no resolver
// lines, no keys); NUL bytes give Binary and a line longer than kMaxLineLength gives LineTooLong.

#include "model/hoststate.h"
#include "model/result.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace model::parse {

inline constexpr std::size_t kMaxLineLength = 1 << 20;

// `ipset save`: "create NAME TYPE [options]" and "add NAME ENTRY [options]" lines.
Result<std::vector<IpSet>> parseIpsetSave(std::string_view text) noexcept;

// /etc/resolv.conf: nameserver, search (and domain), options; comments with '#' or ';'.
Result<ResolvConf> parseResolvConf(std::string_view text) noexcept;

// `sysctl key...` output: "key = value" lines. "sysctl: cannot stat /proc/sys/a/b: ..." lines name a key
// the host does not have (net.bridge.* before br_netfilter is loaded): it is listed in absent.
struct SysctlValues {
    std::map<std::string, std::string> values;
    std::vector<std::string> absent;
};
Result<SysctlValues> parseSysctl(std::string_view text) noexcept;

} // namespace model::parse
