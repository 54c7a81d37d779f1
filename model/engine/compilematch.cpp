// Compiling -m matches into predicates (SEMANTICS §5).
#include "model/engine/compileparts.h"
#include "model/engine/hostmodel.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace model::engine::detail {

namespace {

struct IcmpName {
    const char* name;
    int type;
    int code; // -1: any code
};

constexpr std::array<IcmpName, 22> kIcmpV4 { {
    { "any", 255, -1 }, { "echo-reply", 0, -1 }, { "pong", 0, -1 }, { "destination-unreachable", 3, -1 },
    { "network-unreachable", 3, 0 }, { "host-unreachable", 3, 1 }, { "protocol-unreachable", 3, 2 },
    { "port-unreachable", 3, 3 }, { "fragmentation-needed", 3, 4 }, { "network-prohibited", 3, 9 },
    { "host-prohibited", 3, 10 }, { "communication-prohibited", 3, 13 }, { "source-quench", 4, -1 },
    { "redirect", 5, -1 }, { "echo-request", 8, -1 }, { "ping", 8, -1 }, { "router-advertisement", 9, -1 },
    { "router-solicitation", 10, -1 }, { "time-exceeded", 11, -1 }, { "ttl-exceeded", 11, -1 },
    { "parameter-problem", 12, -1 }, { "timestamp-request", 13, -1 },
} };

constexpr std::array<IcmpName, 13> kIcmpV6 { {
    { "any", 255, -1 }, { "destination-unreachable", 1, -1 }, { "packet-too-big", 2, -1 },
    { "time-exceeded", 3, -1 }, { "parameter-problem", 4, -1 }, { "echo-request", 128, -1 },
    { "ping", 128, -1 }, { "echo-reply", 129, -1 }, { "router-solicitation", 133, -1 },
    { "router-advertisement", 134, -1 }, { "neighbour-solicitation", 135, -1 },
    { "neighbour-advertisement", 136, -1 }, { "redirect", 137, -1 },
} };

const std::string& firstArg(const Option& o)
{
    static const std::string empty;
    return o.args.empty() ? empty : o.args.front();
}

Predicate make(Field field, const Option& o)
{
    Predicate p;
    p.field = field;
    p.negated = o.negated;
    p.text = joinOption(o);
    return p;
}

Predicate opaque(const Match& m, const std::string& reason)
{
    Predicate p;
    p.field = Field::Opaque;
    p.name = reason;
    p.text = "-m " + m.module;
    for (const auto& o : m.options)
        p.text += ' ' + joinOption(o);
    return p;
}

bool addPorts(Field field, const Option& o, std::vector<Predicate>& out)
{
    auto ports = parsePortList(firstArg(o));
    if (!ports)
        return false;
    Predicate p = make(field, o);
    p.ports = std::move(*ports);
    out.push_back(std::move(p));
    return true;
}

bool addPrefix(Field field, const Option& o, std::vector<Predicate>& out)
{
    auto prefix = IpPrefix::parse(firstArg(o));
    if (!prefix)
        return false;
    Predicate p = make(field, o);
    p.prefixes.push_back(*prefix);
    out.push_back(std::move(p));
    return true;
}

// The bits of a comma-separated list of flag names ("NEW,ESTABLISHED"); nullopt for a name not in `names`.
template <std::size_t N>
std::optional<std::uint32_t> flagBits(
    std::string_view list, const std::array<std::pair<std::string_view, std::uint32_t>, N>& names) noexcept
{
    std::uint32_t bits = 0;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto word = list.substr(0, comma);
        auto it = std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == word; });
        if (it == names.end())
            return std::nullopt;
        bits |= it->second;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return bits;
}

std::optional<std::uint32_t> ctStateBits(std::string_view list) noexcept
{
    static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 7> names { {
        { "INVALID", CtStateBit::Invalid }, { "NEW", CtStateBit::New }, { "ESTABLISHED", CtStateBit::Established },
        { "RELATED", CtStateBit::Related }, { "UNTRACKED", CtStateBit::Untracked }, { "SNAT", CtStateBit::Snat },
        { "DNAT", CtStateBit::Dnat },
    } };
    return flagBits(list, names);
}

std::optional<std::uint32_t> ctStatusBits(std::string_view list) noexcept
{
    static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 5> names { {
        { "NONE", CtStatusBit::None }, { "EXPECTED", CtStatusBit::Expected }, { "SEEN_REPLY", CtStatusBit::SeenReply },
        { "ASSURED", CtStatusBit::Assured }, { "CONFIRMED", CtStatusBit::Confirmed },
    } };
    return flagBits(list, names);
}

bool compileIcmp(const Option& o, Family family, std::vector<Predicate>& out)
{
    const std::string& arg = firstArg(o);
    Predicate p = make(Field::IcmpType, o);
    p.mask = 0xffffffffu; // any code
    const auto slash = arg.find('/');
    if (auto type = parseNumber(std::string_view(arg).substr(0, slash)); type && *type <= 255) {
        p.value = *type;
        if (slash != std::string::npos) {
            auto code = parseNumber(std::string_view(arg).substr(slash + 1));
            if (!code)
                return false;
            p.mask = *code;
        }
        out.push_back(std::move(p));
        return true;
    }
    const auto* begin = family == Family::IPv4 ? kIcmpV4.data() : kIcmpV6.data();
    const auto* end = begin + (family == Family::IPv4 ? kIcmpV4.size() : kIcmpV6.size());
    auto it = std::find_if(begin, end, [&](const IcmpName& n) { return arg == n.name; });
    if (it == end)
        return false;
    p.value = static_cast<std::uint32_t>(it->type);
    p.mask = it->code < 0 ? 0xffffffffu : static_cast<std::uint32_t>(it->code);
    out.push_back(std::move(p));
    return true;
}

bool compilePortMatch(const Option& o, std::vector<Predicate>& out)
{
    const std::string& n = o.name;
    if (n == "--dport" || n == "--destination-port")
        return addPorts(Field::DstPort, o, out);
    if (n == "--sport" || n == "--source-port")
        return addPorts(Field::SrcPort, o, out);
    if (n == "--syn") {
        Predicate p = make(Field::TcpFlags, o);
        p.mask = TcpFlag::Syn | TcpFlag::Rst | TcpFlag::Ack | TcpFlag::Fin;
        p.value = TcpFlag::Syn;
        out.push_back(std::move(p));
        return true;
    }
    if (n == "--tcp-flags" && o.args.size() == 2) {
        auto mask = tcpFlagsFromText(o.args[0]);
        auto comp = tcpFlagsFromText(o.args[1]);
        if (!mask || !comp)
            return false;
        Predicate p = make(Field::TcpFlags, o);
        p.mask = *mask;
        p.value = *comp;
        out.push_back(std::move(p));
        return true;
    }
    return false;
}

bool compileMultiport(const Option& o, std::vector<Predicate>& out)
{
    const std::string& n = o.name;
    if (n == "--dports" || n == "--destination-ports")
        return addPorts(Field::DstPort, o, out);
    if (n == "--sports" || n == "--source-ports")
        return addPorts(Field::SrcPort, o, out);
    if (n == "--ports")
        return addPorts(Field::AnyPort, o, out);
    return false;
}

bool compileConntrack(const Option& o, std::vector<Predicate>& out)
{
    static constexpr std::array<std::pair<std::string_view, Field>, 8> fields { {
        { "--ctorigsrc", Field::CtOrigSrc }, { "--ctorigdst", Field::CtOrigDst }, { "--ctreplsrc", Field::CtReplSrc },
        { "--ctrepldst", Field::CtReplDst }, { "--ctorigsrcport", Field::CtOrigSrcPort },
        { "--ctorigdstport", Field::CtOrigDstPort }, { "--ctreplsrcport", Field::CtReplSrcPort },
        { "--ctrepldstport", Field::CtReplDstPort },
    } };
    const std::string& n = o.name;
    if (n == "--ctstate" || n == "--state") {
        auto bits = ctStateBits(firstArg(o));
        if (!bits)
            return false;
        Predicate p = make(Field::CtState, o);
        p.value = *bits;
        out.push_back(std::move(p));
        return true;
    }
    if (n == "--ctstatus") {
        auto bits = ctStatusBits(firstArg(o));
        if (!bits)
            return false;
        Predicate p = make(Field::CtStatus, o);
        p.value = *bits;
        out.push_back(std::move(p));
        return true;
    }
    if (n == "--ctdir") {
        Predicate p = make(Field::CtDirection, o);
        p.value = firstArg(o) == "REPLY" ? 1 : 0;
        out.push_back(std::move(p));
        return true;
    }
    if (n == "--ctproto") {
        auto proto = protocolFromName(firstArg(o));
        if (!proto)
            return false;
        Predicate p = make(Field::CtProto, o);
        p.value = *proto;
        out.push_back(std::move(p));
        return true;
    }
    for (const auto& [name, field] : fields) {
        if (n == name)
            return field >= Field::CtOrigSrcPort ? addPorts(field, o, out) : addPrefix(field, o, out);
    }
    return false;
}

bool compileMarkLike(Field field, const Option& o, std::vector<Predicate>& out)
{
    if (o.name != "--mark")
        return false;
    Predicate p = make(field, o);
    if (!parseValueMask(firstArg(o), p.value, p.mask))
        return false;
    out.push_back(std::move(p));
    return true;
}

bool compileAddrtype(const Option& o, std::vector<Predicate>& out)
{
    if (o.name == "--limit-iface-in" || o.name == "--limit-iface-out") {
        // Applies to every addrtype test of this match; recorded on the predicates already added.
        for (auto& p : out)
            if (p.field == Field::SrcAddrType || p.field == Field::DstAddrType)
                p.name = firstArg(o);
        return true;
    }
    const Field field = o.name == "--src-type" ? Field::SrcAddrType : Field::DstAddrType;
    if (o.name != "--src-type" && o.name != "--dst-type")
        return false;
    Predicate p = make(field, o);
    std::string_view list = firstArg(o);
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto bit = addrTypeFromName(list.substr(0, comma));
        if (!bit)
            return false;
        p.value |= *bit;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    out.push_back(std::move(p));
    return true;
}

bool compileSet(const Option& o, std::vector<Predicate>& out)
{
    if (o.name != "--match-set")
        return o.name.rfind("--", 0) == 0; // --return-nomatch, counters: no effect on membership
    if (o.args.size() < 2)
        return false;
    Predicate p = make(Field::IpSet, o);
    p.name = o.args[0];
    std::string_view flags = o.args[1];
    for (std::uint32_t i = 0; !flags.empty(); ++i) {
        const auto comma = flags.find(',');
        if (flags.substr(0, comma) == "dst")
            p.value |= 1u << i;
        if (comma == std::string_view::npos)
            break;
        flags.remove_prefix(comma + 1);
    }
    p.mask = static_cast<std::uint32_t>(std::count(o.args[1].begin(), o.args[1].end(), ',') + 1);
    out.push_back(std::move(p));
    return true;
}

bool compilePhysdev(const Option& o, std::vector<Predicate>& out)
{
    Predicate p = make(Field::Always, o);
    if (o.name == "--physdev-in" || o.name == "--physdev-out") {
        p.field = o.name == "--physdev-in" ? Field::PhysIn : Field::PhysOut;
        std::string name = firstArg(o);
        p.iface.prefix = !name.empty() && name.back() == '+';
        if (p.iface.prefix)
            name.pop_back();
        p.iface.name = std::move(name);
    } else if (o.name == "--physdev-is-in") {
        p.field = Field::PhysIsIn;
    } else if (o.name == "--physdev-is-out") {
        p.field = Field::PhysIsOut;
    } else if (o.name == "--physdev-is-bridged") {
        p.field = Field::PhysIsBridged;
    } else {
        return false;
    }
    out.push_back(std::move(p));
    return true;
}

bool compileOwner(const Option& o, std::vector<Predicate>& out)
{
    if (o.name == "--socket-exists") {
        out.push_back(make(Field::OwnerSocketExists, o));
        return true;
    }
    if (o.name != "--uid-owner" && o.name != "--gid-owner")
        return o.name == "--suppl-groups";
    const std::string& arg = firstArg(o);
    const auto dash = arg.find('-');
    auto first = parseNumber(std::string_view(arg).substr(0, dash));
    auto last = dash == std::string::npos ? first : parseNumber(std::string_view(arg).substr(dash + 1));
    if (!first || !last)
        return false; // a user name: needs /etc/passwd
    Predicate p = make(o.name == "--uid-owner" ? Field::OwnerUid : Field::OwnerGid, o);
    p.value = *first;
    p.mask = *last;
    out.push_back(std::move(p));
    return true;
}

bool compileRange(const Option& o, std::vector<Predicate>& out)
{
    if (o.name != "--src-range" && o.name != "--dst-range")
        return false;
    auto range = IpRange::parse(firstArg(o));
    if (!range)
        return false;
    Predicate p = make(o.name == "--src-range" ? Field::SrcRange : Field::DstRange, o);
    p.range = *range;
    out.push_back(std::move(p));
    return true;
}

bool compilePktType(const Option& o, std::vector<Predicate>& out)
{
    if (o.name != "--pkt-type")
        return false;
    const std::string& arg = firstArg(o);
    Predicate p = make(Field::PktType, o);
    if (arg == "unicast")
        p.value = 0;
    else if (arg == "broadcast")
        p.value = 1;
    else if (arg == "multicast")
        p.value = 2;
    else
        return false;
    out.push_back(std::move(p));
    return true;
}

using OptionCompiler = bool (*)(const Option&, std::vector<Predicate>&);

OptionCompiler compilerFor(const std::string& module)
{
    if (module == "tcp" || module == "udp" || module == "sctp" || module == "udplite" || module == "dccp")
        return compilePortMatch;
    if (module == "multiport")
        return compileMultiport;
    if (module == "conntrack" || module == "state")
        return compileConntrack;
    if (module == "mark")
        return [](const Option& o, std::vector<Predicate>& out) { return compileMarkLike(Field::Mark, o, out); };
    if (module == "connmark")
        return [](const Option& o, std::vector<Predicate>& out) { return compileMarkLike(Field::ConnMark, o, out); };
    if (module == "addrtype")
        return compileAddrtype;
    if (module == "set")
        return compileSet;
    if (module == "physdev")
        return compilePhysdev;
    if (module == "owner")
        return compileOwner;
    if (module == "iprange")
        return compileRange;
    if (module == "pkttype")
        return compilePktType;
    return nullptr;
}

// Matches whose outcome depends on history, time, randomness or data the snapshot never holds.
std::string opaqueReason(const Match& m)
{
    static constexpr std::array<std::string_view, 9> timeBased { "limit", "hashlimit", "statistic", "recent", "time",
        "quota", "connlimit", "connbytes", "nfacct" };
    if (std::find(timeBased.begin(), timeBased.end(), m.module) != timeBased.end())
        return m.module + " (rate, history or randomness)";
    return m.module + " (not decidable from the snapshot)";
}

} // namespace

void compileMatch(const Match& match, Family family, std::vector<Predicate>& out, std::vector<std::string>& warnings)
{
    if (match.module == "comment")
        return;
    if (match.module == "icmp" || match.module == "icmp6" || match.module == "icmpv6") {
        for (const auto& o : match.options) {
            if ((o.name == "--icmp-type" || o.name == "--icmpv6-type") && compileIcmp(o, family, out))
                continue;
            warnings.push_back("unreadable icmp option " + joinOption(o));
            out.push_back(opaque(match, "icmp option " + o.name));
        }
        return;
    }
    if (match.module == "recent" && match.option("--set") && !match.option("--set")->negated) {
        Predicate p = opaque(match, "recent --set");
        p.opaqueAlwaysTrue = true; // --set always matches; it only adds the address to the list
        out.push_back(std::move(p));
        return;
    }
    const OptionCompiler compiler = compilerFor(match.module);
    if (!compiler) {
        out.push_back(opaque(match, opaqueReason(match)));
        return;
    }
    const std::size_t before = out.size();
    for (const auto& o : match.options) {
        if (!compiler(o, out)) {
            warnings.push_back("-m " + match.module + ": option not understood: " + joinOption(o));
            out.resize(before);
            out.push_back(opaque(match, match.module + " option " + o.name + " not understood"));
            return;
        }
    }
}

} // namespace model::engine::detail
