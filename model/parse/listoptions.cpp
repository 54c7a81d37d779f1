#include "model/parse/listoptions.h"

#include "model/parse/listcursor.h"

#include <array>
#include <optional>
#include <utility>

namespace model::parse {

namespace {

using list::Decoded;
using list::ListCursor;

// A comment containing " */" has several possible ends; only so many readings are tried.
constexpr std::size_t kMaxCommentReadings = 16;

bool decodeSequence(ListCursor& c, Decoded& d);

// "/* text */": -L prints the comment without escaping, so the first end after which the rest of the column
// decodes is taken; when none does, the first end is.
bool decodeComment(ListCursor& c, Decoded& d)
{
    const std::string_view text = c.text();
    const std::size_t start = c.pos();
    if (text.substr(start, 3) != "/* ")
        return false;
    std::optional<std::pair<ListCursor, Decoded>> firstReading;
    std::size_t readings = 0;
    for (std::size_t k = text.find(" */", start + 3); k != std::string_view::npos && readings < kMaxCommentReadings;
         k = text.find(" */", k + 1)) {
        const std::size_t after = k + 3;
        if (after < text.size() && text[after] != ' ' && text[after] != '\t')
            continue;
        ++readings;
        Decoded attempt = d;
        attempt.matches.push_back(
            Match { "comment", { list::opt("--comment", { std::string(text.substr(start + 3, k - start - 3)) }) } });
        ListCursor rest(text);
        rest.reset(after);
        if (decodeSequence(rest, attempt)) {
            d = std::move(attempt);
            c = rest;
            return true;
        }
        if (!firstReading)
            firstReading.emplace(rest, std::move(attempt));
    }
    if (!firstReading)
        return false;
    c = firstReading->first;
    d = std::move(firstReading->second);
    return false;
}

// Matches come first, in rule order, then the target's words. True when the whole column was read; otherwise
// the cursor stops where decoding failed and d holds what came before.
bool decodeSequence(ListCursor& c, Decoded& d)
{
    while (!c.atEnd()) {
        const std::size_t start = c.pos();
        if (list::hasPrefix(c.peek(), "/*"))
            return decodeComment(c, d);
        const std::size_t count = d.matches.size();
        if (list::decodeListMatch(c, d))
            continue;
        d.matches.resize(count);
        c.reset(start);
        if (list::decodeListTarget(c, d))
            return true;
        c.reset(start);
        return false;
    }
    return true;
}

} // namespace

bool decodeListOptions(std::string_view text, Rule& rule) noexcept
{
    Decoded d;
    d.targetName = rule.target.name;
    ListCursor c(text);
    const bool complete = decodeSequence(c, d);
    for (auto& m : d.matches)
        rule.matches.push_back(std::move(m));
    if (complete) {
        rule.target.name = std::move(d.targetName);
        rule.target.options = std::move(d.targetOptions);
        return true;
    }
    rule.matches.push_back(Match { std::string(kUndecodedMatch), { list::opt("", { std::string(c.rest()) }) } });
    rule.unknown |= UnknownMatches;
    return false;
}

std::string protocolName(std::string_view prot)
{
    // The names iptables-save prints (from /etc/protocols) for the numbers iptables 1.8.9 shows with -n.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kNames { {
        { "1", "icmp" },
        { "2", "igmp" },
        { "4", "ipencap" },
        { "6", "tcp" },
        { "17", "udp" },
        { "33", "dccp" },
        { "41", "ipv6" },
        { "47", "gre" },
        { "50", "esp" },
        { "51", "ah" },
        { "58", "ipv6-icmp" },
        { "89", "ospf" },
        { "103", "pim" },
        { "112", "vrrp" },
        { "115", "l2tp" },
        { "132", "sctp" },
        { "135", "mobility-header" },
        { "136", "udplite" },
    } };
    if (prot == "0" || prot == "all")
        return {};
    for (const auto& [number, name] : kNames)
        if (prot == number)
            return std::string(name);
    return std::string(prot);
}

} // namespace model::parse
