#include "remote/target.h"

#include <charconv>

namespace remote {

namespace {

std::optional<int> parsePort(std::string_view text)
{
    int port = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || ptr != text.data() + text.size() || port < 1 || port > 65535)
        return std::nullopt;
    return port;
}

bool validHost(std::string_view host)
{
    if (host.empty() || host.front() == '-')
        return false;
    for (const char c : host)
        if (c <= ' ' || c == '@' || c == '/' || c == '\'' || c == '"' || c == '\\')
            return false;
    return true;
}

} // namespace

std::optional<Target> parseTarget(std::string_view text)
{
    Target target;
    if (const auto at = text.rfind('@'); at != std::string_view::npos) {
        if (at == 0)
            return std::nullopt;
        target.user = std::string(text.substr(0, at));
        text = text.substr(at + 1);
    }
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        target.host = std::string(text.substr(1, close - 1));
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':' || !(target.port = parsePort(rest.substr(1))))
                return std::nullopt;
        }
    } else if (const auto colon = text.find(':');
               colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
        target.host = std::string(text.substr(0, colon));
        if (!(target.port = parsePort(text.substr(colon + 1))))
            return std::nullopt;
    } else {
        target.host = std::string(text); // a host name, or a bare IPv6 literal without a port
    }
    if (!validHost(target.host) || (target.user && target.user->empty()))
        return std::nullopt;
    return target;
}

} // namespace remote
