#include "model/parse/ruletokens.h"

#include <algorithm>
#include <array>

namespace model::parse {

namespace {

enum class Core { None, Source, Destination, InInterface, OutInterface, Protocol, Fragment };

Core coreOption(const Token& t, bool longFormsToo) noexcept
{
    if (t.quoted || t.value.size() < 2 || t.value[0] != '-')
        return Core::None;
    const std::string_view v = t.value;
    if (v == "-s")
        return Core::Source;
    if (v == "-d")
        return Core::Destination;
    if (v == "-i")
        return Core::InInterface;
    if (v == "-o")
        return Core::OutInterface;
    if (v == "-p")
        return Core::Protocol;
    if (v == "-f")
        return Core::Fragment;
    if (!longFormsToo)
        return Core::None;
    if (v == "--source" || v == "--src")
        return Core::Source;
    if (v == "--destination" || v == "--dst")
        return Core::Destination;
    if (v == "--in-interface")
        return Core::InInterface;
    if (v == "--out-interface")
        return Core::OutInterface;
    if (v == "--protocol")
        return Core::Protocol;
    if (v == "--fragment")
        return Core::Fragment;
    return Core::None;
}

bool isMatchFlag(const Token& t) noexcept { return t.is("-m") || t.is("--match"); }
bool isJumpFlag(const Token& t) noexcept { return t.is("-j") || t.is("--jump"); }
bool isGotoFlag(const Token& t) noexcept { return t.is("-g") || t.is("--goto"); }
bool isCountersFlag(const Token& t) noexcept { return t.is("-c") || t.is("--set-counters"); }

// Tokens that end a match's or target's option list. Long forms of the base criteria are left out on
// purpose: inside a module they are more likely that module's own options.
bool endsOptionList(const Token& t) noexcept
{
    return coreOption(t, false) != Core::None || isMatchFlag(t) || isJumpFlag(t) || isGotoFlag(t)
        || isCountersFlag(t);
}

class RuleTokenParser {
public:
    RuleTokenParser(std::span<const Token> tokens, int line, Rule& rule, ParseError& error)
        : m_t(tokens)
        , m_line(line)
        , m_rule(rule)
        , m_error(error)
    {
    }

    bool run(int& targetColumn)
    {
        // Sizing the vectors up front spares the regrowth copies on the hot path.
        std::size_t modules = 0;
        for (const Token& t : m_t)
            modules += isMatchFlag(t) ? 1 : 0;
        m_rule.matches.reserve(modules);
        while (m_i < m_t.size()) {
            if (!step())
                return false;
        }
        if (m_negPending)
            return fail(ErrorCode::Syntax, m_negColumn, "\"!\" at the end of the rule negates nothing");
        targetColumn = m_targetColumn;
        return true;
    }

private:
    bool step()
    {
        const Token& t = m_t[m_i];
        if (t.is("!")) {
            if (m_negPending)
                return fail(ErrorCode::Syntax, t.column, "\"!\" given twice");
            m_negPending = true;
            m_negColumn = t.column;
            ++m_i;
            return true;
        }
        if (const Core c = coreOption(t, true); c != Core::None)
            return parseCore(c);
        if (isMatchFlag(t))
            return parseMatch();
        if (isJumpFlag(t) || isGotoFlag(t))
            return parseTarget(isGotoFlag(t) ? Target::Kind::Goto : Target::Kind::Jump);
        if (isCountersFlag(t))
            return parseCounters();
        return fail(ErrorCode::Syntax, t.column, "unexpected \"" + std::string(t.value) + "\" in a rule");
    }

    bool takeNegation()
    {
        const bool n = m_negPending;
        m_negPending = false;
        return n;
    }

    bool parseCore(Core c)
    {
        const Token& flag = m_t[m_i++];
        bool negated = takeNegation();
        if (c == Core::Fragment) {
            if (m_rule.fragment)
                return fail(ErrorCode::Syntax, flag.column, "-f given twice");
            m_rule.fragment = !negated;
            return true;
        }
        // The old form puts "!" after the option: "-i ! eth0".
        if (m_i < m_t.size() && m_t[m_i].is("!")) {
            negated = !negated;
            ++m_i;
        }
        if (m_i >= m_t.size())
            return fail(ErrorCode::Syntax, flag.column, std::string(flag.value) + " needs a value");
        std::optional<CoreMatch>* slot = c == Core::Source ? &m_rule.source
            : c == Core::Destination                       ? &m_rule.destination
            : c == Core::InInterface                       ? &m_rule.inInterface
            : c == Core::OutInterface                      ? &m_rule.outInterface
                                                           : &m_rule.protocol;
        if (*slot)
            return fail(ErrorCode::Syntax, flag.column, std::string(flag.value) + " given twice");
        *slot = CoreMatch { std::string(m_t[m_i].value), negated };
        ++m_i;
        return true;
    }

    bool parseMatch()
    {
        const Token& flag = m_t[m_i++];
        if (m_negPending)
            return fail(ErrorCode::Syntax, m_negColumn, "\"!\" cannot negate -m");
        if (m_i >= m_t.size() || m_t[m_i].value.empty() || m_t[m_i].value[0] == '-')
            return fail(ErrorCode::Syntax, flag.column, "-m needs a module name");
        Match m;
        m.module = std::string(m_t[m_i++].value);
        if (!parseOptions(m.options, m.module))
            return false;
        m_rule.matches.push_back(std::move(m));
        return true;
    }

    bool parseTarget(Target::Kind kind)
    {
        const Token& flag = m_t[m_i++];
        if (m_negPending)
            return fail(ErrorCode::Syntax, m_negColumn, "\"!\" cannot negate a target");
        if (m_rule.target.kind != Target::Kind::None)
            return fail(ErrorCode::Syntax, flag.column, "a second target in one rule");
        if (m_i >= m_t.size() || m_t[m_i].value.empty() || m_t[m_i].value[0] == '-')
            return fail(ErrorCode::Syntax, flag.column, std::string(flag.value) + " needs a target name");
        m_rule.target.kind = kind;
        m_targetColumn = m_t[m_i].column;
        m_rule.target.name = std::string(m_t[m_i++].value);
        return parseOptions(m_rule.target.options, m_rule.target.name);
    }

    bool parseCounters()
    {
        const Token& flag = m_t[m_i++];
        Counters c;
        if (m_i + 1 >= m_t.size() || !parseUnsigned(m_t[m_i].value, c.packets)
            || !parseUnsigned(m_t[m_i + 1].value, c.bytes))
            return fail(ErrorCode::Syntax, flag.column, "-c needs two numbers: packets and bytes");
        m_i += 2;
        m_rule.counters = c;
        return true;
    }

    // Options of a match or target, up to the next token that belongs to the rule itself.
    bool parseOptions(std::vector<Option>& options, const std::string& owner)
    {
        std::size_t count = 0;
        for (std::size_t j = m_i; j < m_t.size() && !endsOptionList(m_t[j]); ++j)
            count += !m_t[j].quoted && startsWith(m_t[j].value, "--") ? 1 : 0;
        options.reserve(count);
        bool negNext = false;
        while (m_i < m_t.size()) {
            const Token& t = m_t[m_i];
            if (endsOptionList(t))
                break;
            if (t.is("!")) {
                const bool beforeOption = m_i + 1 < m_t.size() && !m_t[m_i + 1].quoted
                    && startsWith(m_t[m_i + 1].value, "--") && !endsOptionList(m_t[m_i + 1]);
                if (m_i + 1 < m_t.size() && endsOptionList(m_t[m_i + 1]))
                    break; // "! -s ...": the rule's own negation
                if (beforeOption) {
                    if (negNext)
                        return fail(ErrorCode::Syntax, t.column, "\"!\" given twice");
                    negNext = true;
                } else if (!options.empty() && options.back().args.empty() && !options.back().negated) {
                    options.back().negated = true; // the old form: "--dport ! 80"
                } else {
                    return fail(ErrorCode::Syntax, t.column, "\"!\" in an unexpected place");
                }
                ++m_i;
                continue;
            }
            if (!t.quoted && startsWith(t.value, "--") && t.value.size() > 2) {
                Option& o = options.emplace_back();
                o.name = std::string(t.value);
                o.negated = negNext;
                negNext = false;
                std::size_t args = 0;
                for (std::size_t j = m_i + 1; j < m_t.size() && !endsOptionList(m_t[j])
                     && (m_t[j].quoted || !startsWith(m_t[j].value, "--")) && !m_t[j].is("!");
                     ++j)
                    ++args;
                o.args.reserve(args);
            } else if (options.empty()) {
                return fail(ErrorCode::Syntax, t.column,
                    "\"" + std::string(t.value) + "\" is not an option of " + owner);
            } else {
                Option& o = options.back();
                if (t.quoted && o.args.size() < 32)
                    o.quotedArgs |= 1u << o.args.size();
                o.args.emplace_back(t.value);
            }
            ++m_i;
        }
        if (negNext)
            return fail(ErrorCode::Syntax, m_t[m_i - 1].column, "\"!\" negates nothing");
        return true;
    }

    bool fail(ErrorCode code, int column, std::string message)
    {
        m_error = makeError(code, m_line, column, std::move(message));
        return false;
    }

    std::span<const Token> m_t;
    std::size_t m_i = 0;
    int m_line;
    Rule& m_rule;
    ParseError& m_error;
    bool m_negPending = false;
    int m_negColumn = 0;
    int m_targetColumn = 0;
};

} // namespace

bool parseRuleTokens(std::span<const Token> tokens, int line, Rule& rule, int& targetColumn, ParseError& error)
{
    targetColumn = 0;
    RuleTokenParser p(tokens, line, rule, error);
    return p.run(targetColumn);
}

bool isTargetExtension(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 52> kTargets { "ACCEPT", "DROP", "RETURN", "QUEUE", "REJECT",
        "LOG", "ULOG", "NFLOG", "NFQUEUE", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP", "MARK", "CONNMARK",
        "CT", "NOTRACK", "TRACE", "TCPMSS", "TPROXY", "TOS", "DSCP", "TTL", "HL", "ECN", "CLASSIFY", "CHECKSUM",
        "SET", "AUDIT", "TEE", "CLUSTERIP", "SECMARK", "CONNSECMARK", "SYNPROXY", "LED", "IDLETIMER", "RATEEST",
        "HMARK", "DNPT", "SNPT", "TCPOPTSTRIP", "IPMARK", "CONNLIMIT", "MIRROR", "SAME", "BALANCE", "FULLCONENAT",
        "JOOL", "JOOL_SIIT", "IPV4OPTSSTRIP", "DELUDE" };
    return std::find(kTargets.begin(), kTargets.end(), name) != kTargets.end();
}

} // namespace model::parse
