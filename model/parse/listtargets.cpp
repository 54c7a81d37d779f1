#include "model/parse/listcursor.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

// Targets print their options after every match. Each decoder reads one target's -L form and rebuilds the
// options iptables-save writes; forms taken from iptables 1.8.9 (see tests/model/data/README.md).

namespace model::parse::list {

namespace {

using Options = std::vector<Option>;

std::optional<std::uint32_t> parseHex(std::string_view v)
{
    if (v.size() < 3 || v.size() > 10 || v.substr(0, 2) != "0x")
        return std::nullopt;
    std::uint32_t out = 0;
    for (char ch : v.substr(2)) {
        const int digit = ch >= '0' && ch <= '9' ? ch - '0'
            : ch >= 'a' && ch <= 'f'             ? ch - 'a' + 10
            : ch >= 'A' && ch <= 'F'             ? ch - 'A' + 10
                                                 : -1;
        if (digit < 0)
            return std::nullopt;
        out = out * 16 + static_cast<std::uint32_t>(digit);
    }
    return out;
}

std::string hex(std::uint32_t v)
{
    std::array<char, 16> buf {};
    std::snprintf(buf.data(), buf.size(), "0x%x", v);
    return buf.data();
}

// MARK and CONNMARK print "set V", "or V", "and V", "xor V" or "xset V/M"; iptables-save always writes the
// equivalent "--set-xmark value/mask".
bool decodeMarkOperation(ListCursor& c, Options& o)
{
    const std::string_view op = c.take();
    const std::string_view value = c.take();
    if (op == "xset") {
        const auto slash = value.find('/');
        if (slash == std::string_view::npos || !parseHex(value.substr(0, slash)) || !parseHex(value.substr(slash + 1)))
            return false;
        o.push_back(opt("--set-xmark", { std::string(value) }));
        return true;
    }
    const auto v = parseHex(value);
    if (!v)
        return false;
    std::string xmark;
    if (op == "set")
        xmark = hex(*v) + "/0xffffffff";
    else if (op == "or")
        xmark = hex(*v) + '/' + hex(*v);
    else if (op == "and")
        xmark = "0x0/" + hex(~*v);
    else if (op == "xor")
        xmark = hex(*v) + "/0x0";
    else
        return false;
    o.push_back(opt("--set-xmark", { xmark }));
    return true;
}

// "CONNMARK save nfmask 0xff ctmask ~0xf0", "CONNMARK restore mask 0xff", "CONNMARK xset 0x5/0xff".
bool decodeConnmark(ListCursor& c, Options& o)
{
    if (!c.takeIf("CONNMARK"))
        return false;
    const std::string_view op = c.peek();
    if (op != "save" && op != "restore")
        return decodeMarkOperation(c, o);
    c.take();
    std::string nfmask = "0xffffffff";
    std::string ctmask = "0xffffffff";
    while (!c.atEnd()) {
        const std::string_view key = c.take();
        std::string_view value = c.take();
        if (!value.empty() && value.front() == '~')
            value.remove_prefix(1);
        if (!parseHex(value))
            return false;
        if (key == "mask")
            nfmask = ctmask = std::string(value);
        else if (key == "nfmask")
            nfmask = std::string(value);
        else if (key == "ctmask")
            ctmask = std::string(value);
        else
            return false;
    }
    o.push_back(opt(op == "save" ? "--save-mark" : "--restore-mark"));
    o.push_back(opt("--nfmask", { nfmask }));
    o.push_back(opt("--ctmask", { ctmask }));
    return true;
}

// "LOG flags 15 level 7 prefix "x "": the prefix is printed in quotes without escaping, and last.
bool decodeLog(ListCursor& c, Options& o)
{
    if (!c.takeIf("LOG") || !c.takeIf("flags"))
        return false;
    const std::string_view flagsText = c.take();
    if (!c.takeIf("level"))
        return false;
    const std::string_view level = c.take();
    if (flagsText.empty() || flagsText.find_first_not_of("0123456789") != std::string_view::npos || level.empty())
        return false;
    if (c.takeIf("prefix")) {
        const std::string_view quoted = c.rest();
        if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"')
            return false;
        o.push_back(opt("--log-prefix", { std::string(quoted.substr(1, quoted.size() - 2)) }));
        c.finish();
    }
    if (level != "4")
        o.push_back(opt("--log-level", { std::string(level) }));
    static constexpr std::array<std::pair<unsigned, const char*>, 5> kFlags { { { 0x01, "--log-tcp-sequence" },
        { 0x02, "--log-tcp-options" }, { 0x04, "--log-ip-options" }, { 0x08, "--log-uid" },
        { 0x20, "--log-macdecode" } } };
    const unsigned long flags = std::strtoul(std::string(flagsText).c_str(), nullptr, 10);
    unsigned long known = 0;
    for (const auto& [bit, name] : kFlags) {
        known |= bit;
        if (flags & bit)
            o.push_back(opt(name));
    }
    return (flags & ~known) == 0;
}

// "to:172.18.0.2:80 random persistent" (DNAT, SNAT), "masq ports: 1024-65535" (MASQUERADE),
// "redir ports 9001" (REDIRECT).
bool decodeNat(ListCursor& c, std::string_view target, Options& o)
{
    while (!c.atEnd()) {
        const std::string_view w = c.take();
        if (hasPrefix(w, "to:") && w.size() > 3 && (target == "DNAT" || target == "SNAT")) {
            o.push_back(opt(target == "DNAT" ? "--to-destination" : "--to-source", { std::string(w.substr(3)) }));
        } else if ((w == "masq" && target == "MASQUERADE" && c.takeIf("ports:"))
            || (w == "redir" && target == "REDIRECT" && c.takeIf("ports"))) {
            const std::string_view ports = c.take();
            if (ports.empty())
                return false;
            o.push_back(opt("--to-ports", { std::string(ports) }));
        } else if (w == "random" || w == "random-fully" || w == "persistent") {
            o.push_back(opt(std::string("--") + std::string(w)));
        } else {
            return false;
        }
    }
    return true;
}

// "nflog-prefix "a b" nflog-group 2": the prefix is quoted only when it holds blanks.
bool decodeNflog(ListCursor& c, Options& o)
{
    while (!c.atEnd()) {
        const std::string_view key = c.take();
        if (key != "nflog-prefix" && key != "nflog-group" && key != "nflog-range" && key != "nflog-size"
            && key != "nflog-threshold")
            return false;
        std::string value;
        if (key == "nflog-prefix" && c.peek().substr(0, 1) == "\"") {
            const std::string_view text = c.text();
            const std::size_t open = c.pos() + (text.substr(c.pos()).find('"'));
            const std::size_t close = text.find('"', open + 1);
            if (close == std::string_view::npos)
                return false;
            value = std::string(text.substr(open + 1, close - open - 1));
            c.reset(close + 1);
        } else {
            value = std::string(c.take());
        }
        if (value.empty() && key != "nflog-prefix")
            return false;
        o.push_back(opt(std::string("--") + std::string(key), { value }));
    }
    return true;
}

bool decodeNfqueue(ListCursor& c, Options& o)
{
    if (!c.takeIf("NFQUEUE"))
        return false;
    while (!c.atEnd()) {
        const std::string_view w = c.take();
        if (w == "num" || w == "balance") {
            const std::string_view v = c.take();
            if (v.empty())
                return false;
            o.push_back(opt(w == "num" ? "--queue-num" : "--queue-balance", { std::string(v) }));
        } else if (w == "bypass" || w == "cpu-fanout") {
            o.push_back(opt(w == "bypass" ? "--queue-bypass" : "--queue-cpu-fanout"));
        } else {
            return false;
        }
    }
    return true;
}

// "CT notrack", "CT helper ftp zone 5"; the NOTRACK alias shows as target CT printing "NOTRACK".
bool decodeCt(ListCursor& c, Decoded& d, Options& o)
{
    if (c.takeIf("NOTRACK")) {
        d.targetName = "NOTRACK";
        return true;
    }
    if (!c.takeIf("CT"))
        return false;
    while (!c.atEnd()) {
        const std::string_view w = c.take();
        if (w == "notrack") {
            o.push_back(opt("--notrack"));
        } else if (w == "helper" || w == "zone" || w == "timeout") {
            const std::string_view v = c.take();
            if (v.empty())
                return false;
            o.push_back(opt(std::string("--") + std::string(w), { std::string(v) }));
        } else {
            return false;
        }
    }
    return true;
}

bool decodeTargetWords(ListCursor& c, Decoded& d, Options& o)
{
    const std::string_view t = d.targetName;
    if (t == "REJECT") {
        const bool ok = c.takeIf("reject-with");
        const std::string_view type = c.take();
        o.push_back(opt("--reject-with", { std::string(type) }));
        return ok && !type.empty();
    }
    if (t == "DNAT" || t == "SNAT" || t == "MASQUERADE" || t == "REDIRECT")
        return decodeNat(c, t, o);
    if (t == "MARK")
        return c.takeIf("MARK") && decodeMarkOperation(c, o);
    if (t == "CONNMARK")
        return decodeConnmark(c, o);
    if (t == "LOG")
        return decodeLog(c, o);
    if (t == "NFLOG")
        return decodeNflog(c, o);
    if (t == "NFQUEUE")
        return decodeNfqueue(c, o);
    if (t == "CT")
        return decodeCt(c, d, o);
    if (t == "TCPMSS") {
        if (!c.takeIf("TCPMSS"))
            return false;
        if (c.takeIf("clamp")) {
            o.push_back(opt("--clamp-mss-to-pmtu"));
            return c.takeIf("to") && c.takeIf("PMTU");
        }
        const bool ok = c.takeIf("set");
        const std::string_view mss = c.take();
        o.push_back(opt("--set-mss", { std::string(mss) }));
        return ok && !mss.empty();
    }
    if (t == "CHECKSUM") {
        o.push_back(opt("--checksum-fill"));
        return c.takeIf("CHECKSUM") && c.takeIf("fill");
    }
    return false;
}

} // namespace

bool decodeListTarget(ListCursor& c, Decoded& d)
{
    Options o;
    const std::string name = d.targetName;
    if (!c.atEnd() && (!decodeTargetWords(c, d, o) || !c.atEnd())) {
        d.targetName = name;
        return false;
    }
    d.targetOptions = std::move(o);
    return true;
}

} // namespace model::parse::list
