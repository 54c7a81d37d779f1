// Ruleset -> CompiledRuleset: base criteria, matches and targets per rule, chains resolved to indices.
#include "model/engine/compiled.h"
#include "model/engine/compileparts.h"
#include "model/parse/iptables.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

namespace model::engine {

namespace detail {

std::optional<std::uint32_t> parseNumber(std::string_view text) noexcept
{
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    std::uint32_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        return std::nullopt;
    return value;
}

bool parseValueMask(std::string_view text, std::uint32_t& value, std::uint32_t& mask) noexcept
{
    const auto slash = text.find('/');
    auto v = parseNumber(text.substr(0, slash));
    if (!v)
        return false;
    value = *v;
    mask = 0xffffffffu;
    if (slash != std::string_view::npos) {
        auto m = parseNumber(text.substr(slash + 1));
        if (!m)
            return false;
        mask = *m;
    }
    return true;
}

std::optional<std::vector<PortRange>> parsePortList(std::string_view text) noexcept
{
    std::vector<PortRange> out;
    auto port = [](std::string_view s, std::uint16_t fallback) -> std::optional<std::uint16_t> {
        if (s.empty())
            return fallback;
        unsigned v = 0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || ptr != s.data() + s.size() || v > 65535)
            return std::nullopt;
        return static_cast<std::uint16_t>(v);
    };
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        const auto colon = item.find(':');
        auto first = port(item.substr(0, colon), 0);
        auto last = colon == std::string_view::npos ? first : port(item.substr(colon + 1), 65535);
        if (!first || !last)
            return std::nullopt;
        out.push_back(PortRange { *first, *last });
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    if (out.empty())
        return std::nullopt;
    return out;
}

std::string joinOption(const Option& option)
{
    std::string out = option.negated ? "! " + option.name : option.name;
    for (const auto& a : option.args) {
        const bool quote = a.empty() || a.find_first_of(" \t\"'") != std::string::npos;
        out += quote ? " \"" + a + '"' : ' ' + a;
    }
    return out;
}

} // namespace detail

namespace {

Predicate basePredicate(Field field, const CoreMatch& m, std::string_view flag)
{
    Predicate p;
    p.field = field;
    p.negated = m.negated;
    p.text = (m.negated ? "! " : "") + std::string(flag) + ' ' + m.value;
    return p;
}

void compileBase(const Rule& rule, CompiledRule& out, std::vector<std::string>& warnings)
{
    auto address = [&](Field field, const std::optional<CoreMatch>& m, std::string_view flag) {
        if (!m)
            return;
        Predicate p = basePredicate(field, *m, flag);
        auto prefix = IpPrefix::parse(m->value);
        if (!prefix) {
            warnings.push_back("unreadable address " + m->value);
            p.field = Field::Opaque;
            p.name = "address " + m->value;
        } else {
            p.prefixes.push_back(*prefix);
        }
        out.predicates.push_back(std::move(p));
    };
    auto iface = [&](Field field, const std::optional<CoreMatch>& m, std::string_view flag) {
        if (!m)
            return;
        Predicate p = basePredicate(field, *m, flag);
        std::string name = m->value;
        p.iface.prefix = !name.empty() && name.back() == '+';
        if (p.iface.prefix)
            name.pop_back();
        p.iface.name = std::move(name);
        out.predicates.push_back(std::move(p));
    };
    address(Field::Src, rule.source, "-s");
    address(Field::Dst, rule.destination, "-d");
    iface(Field::InInterface, rule.inInterface, "-i");
    iface(Field::OutInterface, rule.outInterface, "-o");
    if (rule.protocol) {
        Predicate p = basePredicate(Field::Protocol, *rule.protocol, "-p");
        auto proto = protocolFromName(rule.protocol->value);
        if (!proto) {
            p.field = Field::Opaque;
            p.name = "protocol " + rule.protocol->value;
        } else {
            p.value = *proto;
        }
        if (p.field != Field::Protocol || p.value != 0 || p.negated)
            out.predicates.push_back(std::move(p));
    }
    if (rule.fragment) {
        Predicate p;
        p.field = Field::Fragment;
        p.negated = !*rule.fragment;
        p.text = p.negated ? "! -f" : "-f";
        out.predicates.push_back(std::move(p));
    }
}

std::string trimmed(std::string_view s)
{
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
        s.remove_suffix(1);
    return std::string(s);
}

CompiledRule compileRule(const Rule& rule, const std::string& chain, Family family, std::vector<std::string>& warnings)
{
    CompiledRule c;
    c.source = &rule;
    c.text = canonicalRuleText(rule, chain);
    compileBase(rule, c, warnings);
    for (const auto& m : rule.matches)
        detail::compileMatch(m, family, c.predicates, warnings);
    c.target = detail::compileTarget(rule.target, family, warnings);
    c.hasOpaque = std::any_of(c.predicates.begin(), c.predicates.end(), [](const Predicate& p) {
        return p.field == Field::Opaque && !p.opaqueAlwaysTrue;
    });
    return c;
}

void resolveJumps(CompiledTable& table, std::vector<std::string>& warnings)
{
    std::unordered_map<std::string_view, int> index; // kube-proxy tables hold tens of thousands of chains
    index.reserve(table.chains.size());
    for (std::size_t i = 0; i < table.chains.size(); ++i)
        index.emplace(table.chains[i].name, static_cast<int>(i));
    for (auto& chain : table.chains) {
        for (auto& rule : chain.rules) {
            CompiledTarget& t = rule.target;
            if (t.action != Action::Jump && t.action != Action::Goto)
                continue;
            const auto found = index.find(t.name);
            t.chain = found == index.end() ? -1 : found->second;
            if (t.chain < 0 || table.chains[static_cast<std::size_t>(t.chain)].builtin) {
                warnings.push_back(table.name + '/' + chain.name + ": target " + t.name
                    + " is neither a known target nor a chain of this table; treated as continue");
                t.action = Action::Continue;
                t.chain = -1;
            }
        }
    }
}

} // namespace

std::string canonicalRuleText(const Rule& rule, std::string_view chain)
{
    std::string_view text = rule.text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find("] ");
        if (close != std::string_view::npos)
            text.remove_prefix(close + 2);
    }
    if (text.rfind("-A ", 0) == 0)
        return trimmed(text);
    return parse::ruleText(rule, chain);
}

int CompiledTable::chainIndex(std::string_view n) const noexcept
{
    for (std::size_t i = 0; i < chains.size(); ++i)
        if (chains[i].name == n)
            return static_cast<int>(i);
    return -1;
}

const CompiledTable* CompiledRuleset::table(std::string_view n) const noexcept
{
    for (const auto& t : tables)
        if (t.name == n)
            return &t;
    return nullptr;
}

namespace {

// Whether a matching packet leaves the chain the same way whichever rule of equal targets matched it.
bool endsTraversal(Action a)
{
    switch (a) {
    case Action::Accept:
    case Action::Drop:
    case Action::Reject:
    case Action::Return:
    case Action::Goto:
    case Action::Dnat:
    case Action::Snat:
    case Action::Masquerade:
    case Action::Redirect:
    case Action::Netmap: return true;
    default: return false;
    }
}

// Whether every predicate of the rule decides on the path's own state or on exact value sets of the original
// fields, without asking the host anything (see CompiledChain::groups).
bool groupable(const CompiledRule& rule)
{
    if (rule.hasOpaque || !endsTraversal(rule.target.action))
        return false;
    return std::all_of(rule.predicates.begin(), rule.predicates.end(), [](const Predicate& p) {
        switch (p.field) {
        case Field::Src:
        case Field::Dst: return !p.prefixes.empty() && p.prefixes.front().length >= 0;
        case Field::InInterface:
        case Field::OutInterface:
        case Field::Protocol:
        case Field::Fragment:
        case Field::SrcPort:
        case Field::DstPort:
        case Field::TcpFlags:
        case Field::IcmpType:
        case Field::CtState:
        case Field::CtStatus:
        case Field::CtDirection:
        case Field::CtProto:
        case Field::Mark:
        case Field::ConnMark:
        case Field::SrcRange:
        case Field::DstRange:
        case Field::Always: return true;
        default: return false;
        }
    });
}

std::vector<CompiledChain::TargetGroup> targetGroups(const CompiledChain& chain)
{
    std::vector<CompiledChain::TargetGroup> out;
    const auto& rules = chain.rules;
    std::size_t i = 0;
    while (i < rules.size()) {
        if (chain.runAt(i) != nullptr || !groupable(rules[i])) {
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        while (
            j < rules.size() && chain.runAt(j) == nullptr && groupable(rules[j]) && rules[j].target == rules[i].target)
            ++j;
        if (j - i >= 2)
            out.push_back({ static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j) });
        i = j;
    }
    return out;
}

} // namespace

std::shared_ptr<const CompiledRuleset> compile(RulesetPtr ruleset, CompileOptions options)
{
    auto out = std::make_shared<CompiledRuleset>();
    out->source = ruleset;
    if (!ruleset)
        return out;
    out->family = ruleset->family;
    std::map<std::pair<std::string, bool>, std::uint32_t> patterns; // InterfacePattern::id
    for (const auto& table : ruleset->tables) {
        CompiledTable ct;
        ct.name = table.name;
        for (const auto& chain : table.chains) {
            CompiledChain cc;
            cc.name = chain.name;
            cc.builtin = chain.builtin || isBuiltinChain(table.name, chain.name);
            cc.policy = chain.policy.empty() && cc.builtin ? std::string("ACCEPT") : chain.policy;
            cc.rules.reserve(chain.rules.size());
            for (const auto& rule : chain.rules)
                cc.rules.push_back(compileRule(rule, chain.name, ruleset->family, out->warnings));
            for (auto& rule : cc.rules)
                for (auto& p : rule.predicates)
                    if (p.field == Field::InInterface || p.field == Field::OutInterface)
                        p.iface.id = patterns.emplace(std::pair(p.iface.name, p.iface.prefix), patterns.size())
                                         .first->second;
            if (options.indexChains)
                cc.runs = detail::indexRuns(cc, ruleset->family, options.minIndexedRun);
            cc.groups = targetGroups(cc);
            ct.chains.push_back(std::move(cc));
        }
        resolveJumps(ct, out->warnings);
        out->tables.push_back(std::move(ct));
    }
    return out;
}

} // namespace model::engine
