#pragma once

// "[user@]host[:port]" as typed on a command line, and "[host]:port" for IPv6 literals.

#include <optional>
#include <string>
#include <string_view>

namespace remote {

struct Target {
    std::optional<std::string> user;
    std::string host;
    std::optional<int> port;
};

std::optional<Target> parseTarget(std::string_view text);

} // namespace remote
