#include "model/diff/rulediff.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace model::diff {

namespace {

// Matches whose result depends on what they saw before: reordering them changes behaviour, so they
// keep their order.
constexpr std::array kStatefulModules { std::string_view("limit"), std::string_view("hashlimit"),
    std::string_view("recent"), std::string_view("statistic"), std::string_view("quota"), std::string_view("connlimit"),
    std::string_view("nth") };

// Options whose argument is a set of flags written as a comma list: "RELATED,ESTABLISHED" is
// "ESTABLISHED,RELATED".
constexpr std::array kFlagListOptions { std::string_view("--ctstate"), std::string_view("--state"),
    std::string_view("--ctstatus"), std::string_view("--src-type"), std::string_view("--dst-type") };

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string sortedCommaList(const std::string& text)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::size_t end = comma == std::string::npos ? text.size() : comma;
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ",") + p;
    return out;
}

std::string address(const CoreMatch& m)
{
    std::string v = m.value;
    if (v.find('/') == std::string::npos && !v.empty()
        && v.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos)
        v += v.find(':') == std::string::npos ? "/32" : "/128";
    return (m.negated ? "!" : "") + v;
}

std::string core(const std::optional<CoreMatch>& m) { return m ? (m->negated ? "!" : "") + m->value : std::string(); }

std::string optionKey(const Option& o)
{
    std::string s = (o.negated ? "!" : "") + o.name;
    const bool flags = std::find(kFlagListOptions.begin(), kFlagListOptions.end(), o.name) != kFlagListOptions.end();
    for (const auto& a : o.args)
        s += '\x1f' + (flags ? sortedCommaList(a) : a);
    return s;
}

std::string optionsKey(const std::vector<Option>& options, bool sorted)
{
    std::vector<std::string> keys;
    keys.reserve(options.size());
    for (const auto& o : options)
        keys.push_back(optionKey(o));
    if (sorted)
        std::sort(keys.begin(), keys.end());
    std::string out;
    for (const auto& k : keys)
        out += k + '\x1e';
    return out;
}

bool isStateful(const Match& m)
{
    return std::find(kStatefulModules.begin(), kStatefulModules.end(), m.module) != kStatefulModules.end();
}

} // namespace

std::string ruleKey(const Rule& rule)
{
    std::string key;
    key += "s=" + (rule.source ? address(*rule.source) : std::string()) + '\x1d';
    key += "d=" + (rule.destination ? address(*rule.destination) : std::string()) + '\x1d';
    key += "i=" + core(rule.inInterface) + '\x1d';
    key += "o=" + core(rule.outInterface) + '\x1d';
    key += "p=" + lower(core(rule.protocol)) + '\x1d';
    key += "f=" + std::string(rule.fragment ? (*rule.fragment ? "1" : "0") : "") + '\x1d';

    std::vector<std::string> matches;
    bool keepOrder = false;
    for (const auto& m : rule.matches) {
        keepOrder = keepOrder || isStateful(m);
        // Options inside a stateless match are independent tests; iptables-save prints them in its own order.
        matches.push_back("m=" + m.module + '\x1c' + optionsKey(m.options, !isStateful(m)));
    }
    if (!keepOrder)
        std::sort(matches.begin(), matches.end());
    for (const auto& m : matches)
        key += m + '\x1d';

    key += "t=" + std::to_string(static_cast<int>(rule.target.kind)) + rule.target.name + '\x1c'
        + optionsKey(rule.target.options, true);
    return key;
}

} // namespace model::diff
