// Compiling -j/-g targets (SEMANTICS §6).
#include "model/engine/compileparts.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace model::engine::detail {

namespace {

const std::string& firstArg(const Option* o)
{
    static const std::string empty;
    return o == nullptr || o->args.empty() ? empty : o->args.front();
}

// "--set-mark v/m" zeroes the mask bits then ORs v; "--and-mark x" = xmark 0/~x, "--or-mark x" = x/x,
// "--xor-mark x" = x/0.
bool compileMarkTarget(const Target& t, CompiledTarget& c)
{
    std::uint32_t value = 0;
    std::uint32_t mask = 0xffffffffu;
    if (const Option* o = t.option("--set-xmark"); o && parseValueMask(firstArg(o), value, mask)) {
        c.value = value;
        c.mask = mask;
    } else if (const Option* s = t.option("--set-mark"); s && parseValueMask(firstArg(s), value, mask)) {
        c.value = value;
        c.mask = mask | value;
    } else if (auto a = parseNumber(firstArg(t.option("--and-mark"))); a && t.option("--and-mark")) {
        c.value = 0;
        c.mask = ~*a;
    } else if (auto orv = parseNumber(firstArg(t.option("--or-mark"))); orv && t.option("--or-mark")) {
        c.value = *orv;
        c.mask = *orv;
    } else if (auto x = parseNumber(firstArg(t.option("--xor-mark"))); x && t.option("--xor-mark")) {
        c.value = *x;
        c.mask = 0;
    } else {
        return false;
    }
    return true;
}

bool compileConnmarkTarget(const Target& t, CompiledTarget& c)
{
    auto maskOf = [&](const char* name, std::uint32_t fallback) {
        auto v = parseNumber(firstArg(t.option(name)));
        return v ? *v : fallback;
    };
    const std::uint32_t common = maskOf("--mask", 0xffffffffu);
    c.nfmask = maskOf("--nfmask", common);
    c.ctmask = maskOf("--ctmask", common);
    if (t.option("--save-mark")) {
        c.action = Action::ConnMarkSave;
        return true;
    }
    if (t.option("--restore-mark")) {
        c.action = Action::ConnMarkRestore;
        return true;
    }
    std::uint32_t value = 0;
    std::uint32_t mask = 0xffffffffu;
    c.action = Action::ConnMarkSet;
    if (const Option* o = t.option("--set-xmark"); o && parseValueMask(firstArg(o), value, mask)) {
        c.value = value;
        c.mask = mask;
        return true;
    }
    if (const Option* s = t.option("--set-mark"); s && parseValueMask(firstArg(s), value, mask)) {
        c.value = value;
        c.mask = mask | value;
        return true;
    }
    return false;
}

std::optional<PortRange> parsePortRange(std::string_view text) noexcept
{
    auto ports = parsePortList(text);
    if (!ports || ports->size() != 1)
        return std::nullopt;
    return ports->front();
}

// "172.18.0.2:80", "10.0.0.1-10.0.0.5:1024-2048", "[fd00::2]:80", ":8080" (port only).
bool parseNatTo(std::string_view text, CompiledTarget& c) noexcept
{
    std::string_view addr = text;
    std::string_view ports;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return false;
        addr = text.substr(1, close - 1);
        if (close + 1 < text.size() && text[close + 1] == ':')
            ports = text.substr(close + 2);
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const auto colon = text.find(':');
        addr = text.substr(0, colon);
        ports = text.substr(colon + 1);
    }
    addr = addr.substr(0, addr.find('-')); // a range: the first address is what a single flow gets
    if (!addr.empty()) {
        auto a = IpAddress::parse(addr);
        if (!a)
            return false;
        c.natAddress = *a;
    }
    if (!ports.empty()) {
        std::string range(ports.substr(0, ports.find('/')));
        std::replace(range.begin(), range.end(), '-', ':');
        c.natPorts = parsePortRange(range);
        if (!c.natPorts)
            return false;
    }
    return true;
}

bool compileNat(const Target& t, CompiledTarget& c)
{
    const std::string& n = t.name;
    if (n == "DNAT" || n == "SNAT") {
        c.action = n == "DNAT" ? Action::Dnat : Action::Snat;
        const Option* to = t.option(n == "DNAT" ? "--to-destination" : "--to-source");
        return to != nullptr && parseNatTo(firstArg(to), c);
    }
    if (n == "MASQUERADE" || n == "REDIRECT") {
        c.action = n == "MASQUERADE" ? Action::Masquerade : Action::Redirect;
        if (const Option* p = t.option("--to-ports")) {
            std::string range = firstArg(p);
            std::replace(range.begin(), range.end(), '-', ':');
            c.natPorts = parsePortRange(range);
            return c.natPorts.has_value();
        }
        return true;
    }
    c.action = Action::Netmap;
    auto prefix = IpPrefix::parse(firstArg(t.option("--to")));
    c.netmap = prefix;
    return prefix.has_value();
}

bool isContinueTarget(const std::string& n)
{
    static constexpr std::array<std::string_view, 22> names { "LOG", "NFLOG", "ULOG", "TRACE", "CHECKSUM", "TCPMSS",
        "DSCP", "TOS", "TTL", "HL", "ECN", "CLASSIFY", "SECMARK", "CONNSECMARK", "AUDIT", "SET", "IDLETIMER", "LED",
        "TEE", "RATEEST", "CT", "HMARK" };
    return std::find(names.begin(), names.end(), n) != names.end();
}

} // namespace

CompiledTarget compileTarget(const Target& t, Family family, std::vector<std::string>& warnings)
{
    CompiledTarget c;
    c.name = t.name;
    const std::string& n = t.name;
    if (t.kind == Target::Kind::None) {
        c.action = Action::None;
    } else if (n == "ACCEPT") {
        c.action = Action::Accept;
    } else if (n == "DROP") {
        c.action = Action::Drop;
    } else if (n == "REJECT") {
        c.action = Action::Reject;
        const Option* with = t.option("--reject-with");
        // ip6t_REJECT's default is the ICMPv6 port unreachable, ipt_REJECT's the ICMP one.
        c.rejectWith = with ? firstArg(with)
                            : std::string(family == Family::IPv6 ? "icmp6-port-unreachable" : "icmp-port-unreachable");
    } else if (n == "RETURN") {
        c.action = Action::Return;
    } else if (n == "MARK") {
        c.action = Action::Mark;
        if (!compileMarkTarget(t, c)) {
            warnings.push_back("MARK target options not understood; treated as continue");
            c.action = Action::Continue;
        }
    } else if (n == "CONNMARK") {
        if (!compileConnmarkTarget(t, c)) {
            warnings.push_back("CONNMARK target options not understood; treated as continue");
            c.action = Action::Continue;
        }
    } else if (n == "NOTRACK" || (n == "CT" && t.option("--notrack"))) {
        c.action = Action::NoTrack;
    } else if (n == "DNAT" || n == "SNAT" || n == "MASQUERADE" || n == "REDIRECT" || n == "NETMAP") {
        if (!compileNat(t, c)) {
            warnings.push_back(n + " target options not understood; the rewrite is not modelled");
            c.action = Action::Accept;
        }
    } else if (n == "NFQUEUE" || n == "QUEUE") {
        c.action = Action::Queue;
        c.queueBypass = t.option("--queue-bypass") != nullptr;
    } else {
        // A user chain (resolved by the caller) or a target with no effect on the verdict.
        c.action = isContinueTarget(n) ? Action::Continue : (t.kind == Target::Kind::Goto ? Action::Goto : Action::Jump);
    }
    return c;
}

} // namespace model::engine::detail
