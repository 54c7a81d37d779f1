#include "model/edit/iptablescommand.h"

#include "model/parse/iptables.h"
#include "model/parse/ruletokens.h"
#include "model/parse/textscan.h"

#include <algorithm>
#include <array>

namespace model::edit {

namespace {

using parse::Token;

ParseError commandError(std::string message)
{
    return parse::makeError(ErrorCode::Syntax, 1, 0, std::move(message));
}

// iptables-save orders state names by bit, not as written.
void canonicalStateList(Option& o)
{
    static constexpr std::array<std::string_view, 7> order { "INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED",
        "SNAT", "DNAT" };
    if ((o.name != "--ctstate" && o.name != "--state") || o.args.size() != 1)
        return;
    std::string out;
    for (const auto name : order) {
        std::string_view list = o.args[0];
        bool present = false;
        while (!list.empty()) {
            const auto comma = list.find(',');
            present = present || list.substr(0, comma) == name;
            if (comma == std::string_view::npos)
                break;
            list.remove_prefix(comma + 1);
        }
        if (!present)
            continue;
        if (!out.empty())
            out += ',';
        out += name;
    }
    if (!out.empty())
        o.args[0] = out;
}

void canonicalAddress(std::optional<CoreMatch>& m, Family family)
{
    if (!m || m->value.find('/') != std::string::npos)
        return;
    m->value += family == Family::IPv4 ? "/32" : "/128";
}

// "-p tcp --dport 80" means "-p tcp -m tcp --dport 80": insert the implicit module before a bare option.
std::vector<Token> withImplicitMatches(const std::vector<Token>& tokens, Family family)
{
    static const std::array<std::string_view, 10> core { "--source", "--src", "--destination", "--dst",
        "--in-interface", "--out-interface", "--protocol", "--fragment", "--jump", "--goto" };
    std::vector<Token> out;
    std::string_view protocol;
    bool inModule = false;
    bool inTarget = false; // options after -j/-g belong to the target (--to-destination, --reject-with)
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        const bool longOption = !t.quoted && t.value.size() > 2 && t.value.substr(0, 2) == "--";
        const bool isCore = std::find(core.begin(), core.end(), t.value) != core.end();
        if (t.is("-p") && i + 1 < tokens.size())
            protocol = tokens[i + 1].value;
        if (t.is("-j") || t.is("-g") || t.is("--jump") || t.is("--goto"))
            inTarget = true;
        else if (isCore || (!longOption && t.value.size() == 2 && t.value[0] == '-'))
            inTarget = false;
        if (t.is("-m") || t.is("--match"))
            inModule = true;
        else if (t.is("-j") || t.is("-g") || isCore || (t.value.size() == 2 && t.value[0] == '-'))
            inModule = false;
        if (longOption && !isCore && !inModule && !inTarget && !protocol.empty()) {
            static const std::string icmp6 = "icmp6";
            const bool v6icmp = protocol == "icmpv6" || protocol == "ipv6-icmp" || protocol == "icmp6";
            out.push_back(Token { "-m", 0, false });
            out.push_back(Token { v6icmp || (family == Family::IPv6 && protocol == "icmp") ? std::string_view(icmp6)
                                                                                            : protocol,
                0, false });
            inModule = true;
        }
        out.push_back(t);
    }
    return out;
}

Table& ensureTable(Ruleset& rs, const std::string& name)
{
    for (auto& t : rs.tables)
        if (t.name == name)
            return t;
    static constexpr std::array<std::pair<std::string_view, std::array<std::string_view, 5>>, 5> builtins { {
        { "raw", { "PREROUTING", "OUTPUT" } },
        { "mangle", { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" } },
        { "nat", { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" } },
        { "filter", { "INPUT", "FORWARD", "OUTPUT" } },
        { "security", { "INPUT", "FORWARD", "OUTPUT" } },
    } };
    Table t;
    t.name = name;
    for (const auto& [table, chains] : builtins) {
        if (table != name)
            continue;
        for (const auto chain : chains) {
            if (chain.empty())
                continue;
            Chain c;
            c.name = std::string(chain);
            c.builtin = true;
            c.policy = "ACCEPT";
            t.chains.push_back(std::move(c));
        }
    }
    rs.tables.push_back(std::move(t));
    return rs.tables.back();
}

Chain* findChain(Table& t, std::string_view name)
{
    for (auto& c : t.chains)
        if (c.name == name)
            return &c;
    return nullptr;
}

std::optional<std::size_t> ruleNumber(const Token& t)
{
    std::uint64_t n = 0;
    if (!parse::parseUnsigned(t.value, n) || n == 0)
        return std::nullopt;
    return static_cast<std::size_t>(n);
}

struct Command {
    std::string table = "filter";
    char verb = 0; // A, I, D, R, N, X, F, P
    std::string chain;
    std::vector<Token> rest;
};

std::optional<Command> splitCommand(const std::vector<Token>& tokens, std::string& error)
{
    Command c;
    std::size_t i = 0;
    while (i < tokens.size() && !tokens[i].quoted
        && (tokens[i].value == "sudo" || tokens[i].value.find("iptables") != std::string_view::npos
            || tokens[i].value.find("ip6tables") != std::string_view::npos))
        ++i;
    for (; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if ((t.is("-t") || t.is("--table")) && i + 1 < tokens.size()) {
            c.table = std::string(tokens[++i].value);
        } else if (t.is("-w") || t.is("--wait")) {
            if (i + 1 < tokens.size() && ruleNumber(tokens[i + 1]))
                ++i;
        } else if (c.verb == 0 && t.value.size() == 2 && t.value[0] == '-'
            && std::string_view("AIDRNXFP").find(t.value[1]) != std::string_view::npos) {
            c.verb = t.value[1];
            if (i + 1 < tokens.size())
                c.chain = std::string(tokens[++i].value);
        } else {
            c.rest.push_back(t);
        }
    }
    if (c.verb == 0) {
        error = "no -A, -I, -D, -R, -N, -X, -F or -P in the command";
        return std::nullopt;
    }
    if (c.chain.empty() && c.verb != 'X' && c.verb != 'F') {
        error = std::string("-") + c.verb + " needs a chain name";
        return std::nullopt;
    }
    return c;
}

Result<Rule> ruleFromTokens(const std::vector<Token>& tokens, std::string_view chain, Family family)
{
    const std::vector<Token> expanded = withImplicitMatches(tokens, family);
    Rule rule;
    int targetColumn = 0;
    ParseError error;
    if (!parse::parseRuleTokens(expanded, 1, rule, targetColumn, error))
        return error;
    canonicalAddress(rule.source, family);
    canonicalAddress(rule.destination, family);
    for (auto& m : rule.matches)
        for (auto& o : m.options)
            canonicalStateList(o);
    rule.text = parse::ruleText(rule, chain);
    return rule;
}

bool sameRuleText(const Rule& a, const Rule& b, std::string_view chain)
{
    return a.sameRule(b) || parse::ruleText(a, chain) == parse::ruleText(b, chain);
}

std::optional<ParseError> applyRuleCommand(Ruleset& rs, const Command& c)
{
    Table& table = ensureTable(rs, c.table);
    Chain* chain = findChain(table, c.chain);
    if (!chain)
        return commandError("no chain " + c.chain + " in table " + c.table);
    std::vector<Token> spec = c.rest;
    std::optional<std::size_t> position;
    if ((c.verb == 'I' || c.verb == 'R' || c.verb == 'D') && !spec.empty() && (position = ruleNumber(spec.front())))
        spec.erase(spec.begin());
    if (c.verb == 'D' && position && spec.empty()) {
        if (*position > chain->rules.size())
            return commandError("no rule " + std::to_string(*position) + " in " + c.chain);
        chain->rules.erase(chain->rules.begin() + static_cast<std::ptrdiff_t>(*position - 1));
        return std::nullopt;
    }
    auto rule = ruleFromTokens(spec, c.chain, rs.family);
    if (!rule)
        return rule.error();
    auto& rules = chain->rules;
    if (c.verb == 'D') {
        auto it = std::find_if(rules.begin(), rules.end(), [&](const Rule& r) {
            return sameRuleText(r, *rule, c.chain);
        });
        if (it == rules.end())
            return commandError("no rule in " + c.chain + " matches " + rule->text);
        rules.erase(it);
        return std::nullopt;
    }
    const std::size_t index = position ? *position - 1 : (c.verb == 'I' ? 0 : rules.size());
    if (index > rules.size() || (c.verb == 'R' && index >= rules.size()))
        return commandError("rule position beyond the end of " + c.chain);
    if (c.verb == 'R')
        rules[index] = std::move(*rule);
    else
        rules.insert(rules.begin() + static_cast<std::ptrdiff_t>(index), std::move(*rule));
    return std::nullopt;
}

std::optional<ParseError> applyChainCommand(Ruleset& rs, const Command& c)
{
    Table& table = ensureTable(rs, c.table);
    Chain* chain = c.chain.empty() ? nullptr : findChain(table, c.chain);
    switch (c.verb) {
    case 'N':
        if (chain)
            return commandError("chain " + c.chain + " already exists");
        table.chains.push_back(Chain { c.chain, false, {}, std::nullopt, {}, 0, Provenance::Unknown, {} });
        return std::nullopt;
    case 'P':
        if (!chain || !chain->builtin || c.rest.empty())
            return commandError("-P needs a built-in chain and ACCEPT or DROP");
        chain->policy = std::string(c.rest.front().value);
        return std::nullopt;
    case 'F':
        for (auto& ch : table.chains)
            if (c.chain.empty() || ch.name == c.chain)
                ch.rules.clear();
        return std::nullopt;
    default: // 'X'
        std::erase_if(table.chains, [&](const Chain& ch) {
            return !ch.builtin && (c.chain.empty() || ch.name == c.chain);
        });
        return std::nullopt;
    }
}

} // namespace

Result<Rule> parseRuleSpec(std::string_view spec, std::string_view chain, Family family) noexcept
{
    try {
        parse::Tokenizer tokenizer;
        std::vector<Token> tokens;
        if (!tokenizer.split(spec, 1, tokens))
            return tokenizer.error();
        return ruleFromTokens(tokens, chain, family);
    } catch (const std::exception& e) {
        return commandError(e.what());
    }
}

Result<Ruleset> applyIptablesCommand(Ruleset ruleset, std::string_view command) noexcept
{
    try {
        parse::Tokenizer tokenizer;
        std::vector<Token> tokens;
        if (!tokenizer.split(command, 1, tokens))
            return tokenizer.error();
        std::string error;
        auto c = splitCommand(tokens, error);
        if (!c)
            return commandError(error);
        const bool ruleVerb = c->verb == 'A' || c->verb == 'I' || c->verb == 'D' || c->verb == 'R';
        if (auto failed = ruleVerb ? applyRuleCommand(ruleset, *c) : applyChainCommand(ruleset, *c))
            return *failed;
        return ruleset;
    } catch (const std::exception& e) {
        return commandError(e.what());
    }
}

Result<Ruleset> applyIptablesCommands(Ruleset ruleset, const std::vector<std::string>& commands) noexcept
{
    for (std::size_t i = 0; i < commands.size(); ++i) {
        auto next = applyIptablesCommand(std::move(ruleset), commands[i]);
        if (!next) {
            ParseError e = next.error();
            e.line = static_cast<int>(i) + 1;
            return e;
        }
        ruleset = std::move(next).value();
    }
    return ruleset;
}

} // namespace model::edit
