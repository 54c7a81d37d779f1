#include "remote/sshconfig.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace remote {

namespace {

std::string lower(std::string text)
{
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// "Keyword value", "Keyword=value" or "Keyword = value"; comments and blank lines give an empty keyword.
std::pair<std::string, std::string> splitLine(const std::string& line)
{
    std::size_t at = line.find_first_not_of(" \t");
    if (at == std::string::npos || line[at] == '#')
        return {};
    const std::size_t end = line.find_first_of(" \t=", at);
    std::string keyword = lower(line.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos)
        return { keyword, {} };
    at = line.find_first_not_of(" \t", end);
    if (at != std::string::npos && line[at] == '=')
        at = line.find_first_not_of(" \t", at + 1);
    if (at == std::string::npos)
        return { keyword, {} };
    std::string value = line.substr(at);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
        value.pop_back();
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    return { keyword, value };
}

bool hostLineMatches(const std::string& patterns, const std::string& host)
{
    std::istringstream words(patterns);
    bool matched = false;
    for (std::string pattern; words >> pattern;) {
        const bool negated = pattern.front() == '!';
        if (!sshPatternMatches(negated ? pattern.substr(1) : pattern, host))
            continue;
        if (negated)
            return false; // a matching negation excludes the host whatever else matches
        matched = true;
    }
    return matched;
}

// nullopt-like: found tells whether the file decided (a value, or "none").
bool lookUp(const std::string& file, const std::string& host, std::string& value)
{
    std::ifstream in(file);
    bool active = true; // lines before the first Host or Match apply to every host
    for (std::string line; std::getline(in, line);) {
        const auto [keyword, argument] = splitLine(line);
        if (keyword == "host")
            active = hostLineMatches(argument, host);
        else if (keyword == "match")
            active = false;
        else if (active && keyword == "proxyjump") {
            value = argument;
            return true;
        }
    }
    return false;
}

} // namespace

bool sshPatternMatches(const std::string& pattern, const std::string& text) noexcept
{
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t starP = std::string::npos;
    std::size_t starT = 0;
    while (t < text.size()) {
        const auto same = [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        };
        if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (starP != std::string::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::string configuredProxyJump(const std::string& configFile, const std::string& host)
{
    std::vector<std::string> files;
    if (!configFile.empty()) {
        files.push_back(configFile);
    } else {
        if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
            files.push_back(std::string(home) + "/.ssh/config");
        files.emplace_back("/etc/ssh/ssh_config");
    }
    std::string value;
    for (const auto& file : files)
        if (lookUp(file, host, value))
            return lower(value) == "none" ? std::string() : value;
    return {};
}

std::vector<std::string> splitProxyJump(const std::string& value)
{
    std::vector<std::string> hops;
    if (lower(value) == "none")
        return hops;
    std::istringstream list(value);
    for (std::string hop; std::getline(list, hop, ',');) {
        const auto first = hop.find_first_not_of(" \t");
        const auto last = hop.find_last_not_of(" \t");
        if (first != std::string::npos)
            hops.push_back(hop.substr(first, last - first + 1));
    }
    return hops;
}

} // namespace remote
