#pragma once

// Recognises what a raw dump is from its content alone, so users never have to say which it is.
// The result is a SourceKind value (model/snapshot.h) and a short description of the evidence.

#include <optional>
#include <string>
#include <string_view>

namespace model::parse {

struct DetectedKind {
    std::string kind; // a SourceKind value
    std::string format; // "iptables-save", "iptables -S", "iptables -L", "docker network inspect", ...
};

// nullopt: empty, binary, or no known format.
std::optional<DetectedKind> detectSourceKind(std::string_view text) noexcept;

} // namespace model::parse
