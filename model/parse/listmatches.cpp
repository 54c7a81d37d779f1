#include "model/parse/listcursor.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>

// Each decoder below reads what one module's print function writes in `iptables -L` and rebuilds the options
// iptables-save writes for it. The forms were taken from iptables 1.8.9 output (nf_tables and legacy print
// alike); see tests/model/data/README.md for the captures.

namespace model::parse::list {

namespace {

std::string tcpFlagNames(std::string_view hex)
{
    static constexpr std::array<const char*, 6> kNames { "FIN", "SYN", "RST", "PSH", "ACK", "URG" };
    const unsigned long bits = std::strtoul(std::string(hex).c_str(), nullptr, 16);
    if (bits == 0)
        return "NONE";
    std::string out;
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (bits & (1u << i)) {
            if (!out.empty())
                out += ',';
            out += kNames[i];
        }
    }
    return out;
}

bool isHex(std::string_view v)
{
    if (v.size() < 3 || v.substr(0, 2) != "0x")
        return false;
    for (char ch : v.substr(2))
        if (!std::isxdigit(static_cast<unsigned char>(ch)))
            return false;
    return true;
}

// tcp/udp: "tcp spt:5 dpts:80:90 flags:!0x17/0x02 option=2".
bool decodePorts(ListCursor& c, std::string_view module, Decoded& d)
{
    Match m { std::string(module), {} };
    for (;;) {
        const std::string_view w = c.peek();
        std::string_view value;
        std::string_view name;
        if (hasPrefix(w, "spt:") || hasPrefix(w, "dpt:")) {
            name = w[0] == 's' ? "--sport" : "--dport";
            value = w.substr(4);
        } else if (hasPrefix(w, "spts:") || hasPrefix(w, "dpts:")) {
            name = w[0] == 's' ? "--sport" : "--dport";
            value = w.substr(5);
        } else if (module == "tcp" && hasPrefix(w, "flags:")) {
            auto [flags, negated] = bang(w.substr(6));
            const auto slash = flags.find('/');
            if (slash == std::string::npos || !isHex(std::string_view(flags).substr(0, slash))
                || !isHex(std::string_view(flags).substr(slash + 1)))
                return false;
            m.options.push_back(opt("--tcp-flags",
                { tcpFlagNames(std::string_view(flags).substr(0, slash)),
                    tcpFlagNames(std::string_view(flags).substr(slash + 1)) },
                negated));
            c.take();
            continue;
        } else if (module == "tcp" && hasPrefix(w, "option=")) {
            name = "--tcp-option";
            value = w.substr(7);
        } else {
            break;
        }
        auto [v, negated] = bang(value);
        if (v.empty())
            return false;
        m.options.push_back(opt(name, { v }, negated));
        c.take();
    }
    d.matches.push_back(std::move(m));
    return true;
}

bool decodeMultiport(ListCursor& c, Decoded& d)
{
    const std::string_view kind = c.take();
    if (kind != "sports" && kind != "dports" && kind != "ports")
        return false;
    auto [list, negated] = bang(c.take());
    if (list.empty())
        return false;
    d.matches.push_back(Match { "multiport", { opt(std::string("--") + std::string(kind), { list }, negated) } });
    return true;
}

constexpr std::array<std::string_view, 13> kCtKeywords { "ctstate", "ctproto", "ctorigsrc", "ctorigdst", "ctreplsrc",
    "ctrepldst", "ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport", "ctstatus", "ctexpire", "ctdir" };

int ctRank(std::string_view w)
{
    for (std::size_t i = 0; i < kCtKeywords.size(); ++i)
        if (kCtKeywords[i] == w)
            return static_cast<int>(i);
    return -1;
}

// One conntrack match prints its criteria in a fixed order; a keyword out of that order starts another match.
bool decodeConntrack(ListCursor& c, bool negated, Decoded& d)
{
    Match m { "conntrack", {} };
    int last = -1;
    for (;;) {
        const std::size_t mark = c.pos();
        bool neg = m.options.empty() ? negated : c.takeIf("!");
        const std::string_view kw = c.take();
        const int rank = ctRank(kw);
        if (rank <= last) {
            c.reset(mark);
            break;
        }
        const std::string_view value = c.take();
        if (value.empty())
            return false;
        m.options.push_back(opt(std::string("--") + std::string(kw), { std::string(value) }, neg));
        last = rank;
        neg = false;
    }
    d.matches.push_back(std::move(m));
    return !d.matches.back().options.empty();
}

bool decodeSet(ListCursor& c, bool negated, Decoded& d)
{
    const std::string_view name = c.take();
    const std::string_view flags = c.take();
    if (name.empty() || flags.empty())
        return false;
    Match m { "set", { opt("--match-set", { std::string(name), std::string(flags) }, negated) } };
    for (;;) {
        const std::size_t mark = c.pos();
        if (c.takeIf("return-nomatch")) {
            m.options.push_back(opt("--return-nomatch"));
            continue;
        }
        if (c.takeIf("!")) {
            const std::string_view w = c.take();
            if (w == "update-counters" || w == "update-subcounters") {
                m.options.push_back(opt(std::string("--") + std::string(w), {}, true));
                continue;
            }
        }
        c.reset(mark);
        break;
    }
    d.matches.push_back(std::move(m));
    return true;
}

// "mark match ! 0x1", "connmark match  0x1/0xff".
bool decodeMarkMatch(ListCursor& c, std::string_view module, Decoded& d)
{
    if (!c.takeIf("match"))
        return false;
    const bool negated = c.takeIf("!");
    const std::string_view value = c.take();
    if (value.empty())
        return false;
    d.matches.push_back(Match { std::string(module), { opt("--mark", { std::string(value) }, negated) } });
    return true;
}

bool decodeAddrtype(ListCursor& c, Decoded& d)
{
    if (!c.takeIf("match"))
        return false;
    Match m { "addrtype", {} };
    for (;;) {
        const std::string_view w = c.peek();
        if (w == "src-type" || w == "dst-type") {
            c.take();
            auto [types, negated] = bang(c.take());
            if (types.empty())
                return false;
            m.options.push_back(opt(w == "src-type" ? "--src-type" : "--dst-type", { types }, negated));
        } else if (w == "limit-in" || w == "limit-out") {
            c.take();
            m.options.push_back(opt(w == "limit-in" ? "--limit-iface-in" : "--limit-iface-out"));
        } else {
            break;
        }
    }
    if (m.options.empty())
        return false;
    d.matches.push_back(std::move(m));
    return true;
}

// "icmptype 3 code 4", "icmp !type 0"; the same for ICMPv6 with an "ipv6-" prefix.
bool decodeIcmp(ListCursor& c, bool v6, bool negated, Decoded& d)
{
    const std::string_view type = c.take();
    if (type.empty() || type.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    std::string value(type);
    if (c.takeIf("code")) {
        const std::string_view code = c.take();
        if (code.empty())
            return false;
        value += '/';
        value += code;
    } else if (!v6 && value == "255") {
        value = "any";
    }
    d.matches.push_back(
        Match { v6 ? "icmp6" : "icmp", { opt(v6 ? "--icmpv6-type" : "--icmp-type", { value }, negated) } });
    return true;
}

bool decodeLimit(ListCursor& c, Decoded& d)
{
    if (!c.takeIf("avg"))
        return false;
    const std::string_view rate = c.take();
    if (rate.empty() || !c.takeIf("burst"))
        return false;
    const std::string_view burst = c.take();
    if (burst.empty())
        return false;
    Match m { "limit", { opt("--limit", { std::string(rate) }) } };
    if (burst != "5") // iptables-save leaves out the default burst
        m.options.push_back(opt("--limit-burst", { std::string(burst) }));
    d.matches.push_back(std::move(m));
    return true;
}

bool decodeStatistic(ListCursor& c, Decoded& d)
{
    if (!c.takeIf("mode"))
        return false;
    Match m { "statistic", {} };
    if (c.takeIf("random")) {
        if (!c.takeIf("probability"))
            return false;
        const std::string_view p = c.take();
        if (p.empty())
            return false;
        m.options = { opt("--mode", { "random" }), opt("--probability", { std::string(p) }) };
    } else if (c.takeIf("nth")) {
        if (!c.takeIf("every"))
            return false;
        const std::string_view every = c.take();
        if (every.empty())
            return false;
        m.options = { opt("--mode", { "nth" }), opt("--every", { std::string(every) }) };
        if (c.takeIf("packet")) {
            const std::string_view packet = c.take();
            if (packet.empty())
                return false;
            m.options.push_back(opt("--packet", { std::string(packet) }));
        }
    } else {
        return false;
    }
    d.matches.push_back(std::move(m));
    return true;
}

// -L prints "cmd seconds reap hit_count TTL-Match name side mask"; iptables-save orders them
// "cmd seconds reap hitcount rttl name mask side".
bool decodeRecent(ListCursor& c, bool negated, Decoded& d)
{
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kCommands { { { "SET", "--set" },
        { "UPDATE", "--update" }, { "CHECK", "--rcheck" }, { "REMOVE", "--remove" } } };
    const std::string_view cmd = c.take();
    Match m { "recent", {} };
    for (const auto& [word, option] : kCommands)
        if (cmd == word)
            m.options.push_back(opt(option, {}, negated));
    if (m.options.empty())
        return false;
    std::vector<Option> tail;
    for (;;) {
        const std::string_view w = c.peek();
        if (w == "seconds:" || w == "hit_count:" || w == "name:" || w == "mask:") {
            c.take();
            const std::string_view v = c.take();
            if (v.empty())
                return false;
            const std::string_view name = w == "seconds:" ? "--seconds"
                : w == "hit_count:"                       ? "--hitcount"
                : w == "name:"                            ? "--name"
                                                          : "--mask";
            (w == "name:" || w == "mask:" ? tail : m.options).push_back(opt(name, { std::string(v) }));
        } else if (w == "reap" || w == "TTL-Match") {
            c.take();
            m.options.push_back(opt(w == "reap" ? "--reap" : "--rttl"));
        } else if (w == "side:") {
            c.take();
            const std::string_view side = c.take();
            if (side != "source" && side != "dest")
                return false;
            tail.push_back(opt(side == "source" ? "--rsource" : "--rdest"));
        } else {
            break;
        }
    }
    // side is printed before mask but saved after it
    if (tail.size() == 3 && (tail[1].name == "--rsource" || tail[1].name == "--rdest"))
        std::swap(tail[1], tail[2]);
    m.options.insert(m.options.end(), tail.begin(), tail.end());
    d.matches.push_back(std::move(m));
    return true;
}

// "PHYSDEV match --physdev-in eth0 ! --physdev-is-bridged": already in iptables-save's words.
bool decodePhysdev(ListCursor& c, Decoded& d)
{
    if (!c.takeIf("match"))
        return false;
    Match m { "physdev", {} };
    for (;;) {
        const std::size_t mark = c.pos();
        const bool negated = c.takeIf("!");
        const std::string_view w = c.take();
        if (w == "--physdev-in" || w == "--physdev-out") {
            const std::string_view dev = c.take();
            if (dev.empty())
                return false;
            m.options.push_back(opt(w, { std::string(dev) }, negated));
        } else if (w == "--physdev-is-in" || w == "--physdev-is-out" || w == "--physdev-is-bridged") {
            m.options.push_back(opt(w, {}, negated));
        } else {
            c.reset(mark);
            break;
        }
    }
    if (m.options.empty())
        return false;
    d.matches.push_back(std::move(m));
    return true;
}

// "source IP range 10.0.0.1-10.0.0.9 destination IP range ! 10.1.0.1-10.1.0.9" is one iprange match.
bool decodeIprange(ListCursor& c, std::string_view first, Decoded& d)
{
    Match m { "iprange", {} };
    std::string_view side = first;
    for (;;) {
        if (!c.takeIf("IP") || !c.takeIf("range"))
            return false;
        const bool negated = c.takeIf("!");
        const std::string_view range = c.take();
        if (range.find('-') == std::string_view::npos)
            return false;
        m.options.push_back(opt(side == "source" ? "--src-range" : "--dst-range", { std::string(range) }, negated));
        if (side != "source" || c.peek() != "destination")
            break;
        side = c.take();
    }
    d.matches.push_back(std::move(m));
    return true;
}

// "! owner socket exists owner UID match 0 owner GID match 0" is one owner match.
bool decodeOwner(ListCursor& c, bool negated, Decoded& d)
{
    Match m { "owner", {} };
    bool neg = negated;
    for (;;) {
        const std::string_view w = c.peek();
        if (w == "UID" || w == "GID") {
            c.take();
            const bool uid = w == "UID";
            if (!c.takeIf("match"))
                return false;
            const std::string_view id = c.take();
            if (id.empty())
                return false;
            m.options.push_back(opt(uid ? "--uid-owner" : "--gid-owner", { std::string(id) }, neg));
        } else if (c.takeIf("socket")) {
            if (!c.takeIf("exists"))
                return false;
            m.options.push_back(opt("--socket-exists", {}, neg));
        } else if (c.takeIf("incl.")) {
            if (!c.takeIf("suppl.") || !c.takeIf("groups"))
                return false;
            m.options.push_back(opt("--suppl-groups", {}, neg));
        } else {
            return false;
        }
        const std::size_t mark = c.pos();
        neg = c.takeIf("!");
        if (!c.takeIf("owner")) {
            c.reset(mark);
            break;
        }
    }
    d.matches.push_back(std::move(m));
    return true;
}

// "TTL match TTL > 5", "HL match HL == 255".
bool decodeTtl(ListCursor& c, std::string_view word, Decoded& d)
{
    if (!c.takeIf("match") || !c.takeIf(word))
        return false;
    const std::string_view op = c.take();
    const std::string_view value = c.take();
    if (value.empty())
        return false;
    const bool v6 = word == "HL";
    const std::string prefix = v6 ? "--hl-" : "--ttl-";
    Option o;
    if (op == "==" || op == "!=")
        o = opt(prefix + "eq", { std::string(value) }, op == "!=");
    else if (op == "<")
        o = opt(prefix + "lt", { std::string(value) });
    else if (op == ">")
        o = opt(prefix + "gt", { std::string(value) });
    else
        return false;
    d.matches.push_back(Match { v6 ? "hl" : "ttl", { std::move(o) } });
    return true;
}

// "PKTTYPE != unicast", "MAC 00:11:22:33:44:55", "length !0:100".
bool decodeSimpleMatch(ListCursor& c, std::string_view w, Decoded& d)
{
    if (w == "PKTTYPE") {
        const std::string_view op = c.take();
        const std::string_view type = c.take();
        if ((op != "=" && op != "!=") || type.empty())
            return false;
        d.matches.push_back(Match { "pkttype", { opt("--pkt-type", { std::string(type) }, op == "!=") } });
        return true;
    }
    if (w == "MAC") {
        const bool negated = c.takeIf("!");
        auto [mac, bangNegated] = bang(c.take());
        if (mac.size() != 17)
            return false;
        d.matches.push_back(Match { "mac", { opt("--mac-source", { mac }, negated || bangNegated) } });
        return true;
    }
    if (w == "length") {
        auto [range, negated] = bang(c.take());
        if (range.empty())
            return false;
        d.matches.push_back(Match { "length", { opt("--length", { range }, negated) } });
        return true;
    }
    return false;
}

} // namespace

bool decodeListMatch(ListCursor& c, Decoded& d)
{
    const bool negated = c.takeIf("!");
    const std::string_view w = c.take();
    if (ctRank(w) >= 0) {
        c.reset(c.pos() - w.size());
        return decodeConntrack(c, negated, d);
    }
    if (w == "match-set")
        return decodeSet(c, negated, d);
    if (w == "state") {
        const std::string_view states = c.take();
        d.matches.push_back(Match { "state", { opt("--state", { std::string(states) }, negated) } });
        return !states.empty();
    }
    if (w == "recent:")
        return decodeRecent(c, negated, d);
    if (w == "owner")
        return decodeOwner(c, negated, d);
    if (w == "icmp" || w == "ipv6-icmp")
        return !negated && c.takeIf("!type") && decodeIcmp(c, w == "ipv6-icmp", true, d);
    if (negated)
        return false;
    if (w == "tcp" || w == "udp")
        return decodePorts(c, w, d);
    if (w == "multiport")
        return decodeMultiport(c, d);
    if (w == "mark" || w == "connmark")
        return decodeMarkMatch(c, w, d);
    if (w == "ADDRTYPE")
        return decodeAddrtype(c, d);
    if (w == "icmptype" || w == "ipv6-icmptype")
        return decodeIcmp(c, w == "ipv6-icmptype", false, d);
    if (w == "limit:")
        return decodeLimit(c, d);
    if (w == "statistic")
        return decodeStatistic(c, d);
    if (w == "PHYSDEV")
        return decodePhysdev(c, d);
    if (w == "source" || w == "destination")
        return decodeIprange(c, w, d);
    if (w == "TTL" || w == "HL")
        return decodeTtl(c, w, d);
    return decodeSimpleMatch(c, w, d);
}

} // namespace model::parse::list
