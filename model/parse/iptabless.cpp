// iptables -S reader: "-P CHAIN POLICY", "-N CHAIN", "-A CHAIN ...", one table or several concatenated.
// A table is named by a "# table nat" / "*nat" / "nat" line or an "iptables -t nat -S" command line; when
// nothing names it, it is inferred from its built-in chains where that is unambiguous.

#include "model/parse/iptables.h"
#include "model/parse/ruletokens.h"
#include "model/parse/textscan.h"
#include "model/provenance.h"

#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>

namespace model::parse {

namespace {

// A table name given by a line of its own, if this line is one.
std::optional<std::string_view> tableNameLine(std::string_view line) noexcept
{
    std::string_view s = line;
    if (startsWith(s, "#"))
        s = trim(s.substr(1));
    if (startsWith(s, "table"))
        s = trim(s.substr(5));
    if (startsWith(s, ":"))
        s = trim(s.substr(1));
    if (startsWith(s, "*"))
        s = s.substr(1);
    if (isKnownTable(s))
        return s;
    // A command line kept from a paste: "iptables -t nat -S", "sudo iptables -S -t mangle", "iptables -S".
    if (line.find("iptables") == std::string_view::npos || line.find("-S") == std::string_view::npos)
        return std::nullopt;
    const auto t = line.find("-t ");
    if (t == std::string_view::npos)
        return line.find("--table") == std::string_view::npos ? std::optional<std::string_view>("filter") : std::nullopt;
    std::string_view name = trim(line.substr(t + 3));
    name = name.substr(0, name.find(' '));
    return isKnownTable(name) ? std::optional<std::string_view>(name) : std::nullopt;
}

struct Segment {
    Table table;
    bool named = false;
    int firstLine = 0;
    bool sawRules = false; // a -N or -A: a following -P starts the next table
    std::set<std::string> policies;
    std::unordered_map<std::string, std::size_t> index;
};

class SParser {
public:
    SParser(std::string_view text, Family family)
        : m_text(text)
        , m_reader(text)
    {
        m_rs.family = family;
        m_rs.format = SourceFormat::IptablesS;
    }

    Result<Ruleset> run()
    {
        if (auto bin = findBinary(m_text))
            return *bin;
        std::string_view line;
        while (m_reader.next(line)) {
            if (!handleLine(trimRight(line), m_reader.lineNumber()))
                return m_error;
        }
        if (m_reader.error())
            return *m_reader.error();
        if (!closeSegment())
            return m_error;
        if (m_rs.tables.empty())
            return makeError(m_sawContent ? ErrorCode::UnknownFormat : ErrorCode::Empty, m_sawContent ? 1 : 0, 0,
                m_sawContent ? "no -P, -N or -A lines: not iptables -S output" : "no rules: the input is empty");
        classifyProvenance(m_rs);
        return std::move(m_rs);
    }

private:
    bool handleLine(std::string_view line, int n)
    {
        if (line.empty())
            return true;
        if (line[0] != '-') {
            if (auto name = tableNameLine(line)) {
                if (!closeSegment())
                    return false;
                m_seg.table.name = std::string(*name);
                m_seg.named = true;
                m_seg.firstLine = n;
                return true;
            }
            if (startsWith(line, "# Warning: ")) {
                std::string note(line.substr(11));
                if (std::find(m_rs.notes.begin(), m_rs.notes.end(), note) == m_rs.notes.end())
                    m_rs.notes.push_back(std::move(note));
            }
            if (line[0] == '#')
                return true;
            return fail(ErrorCode::Syntax, n, 1, "not an iptables -S line: \"" + std::string(line.substr(0, 60)) + '"');
        }
        m_sawContent = true;
        m_lastLine = line;
        const bool cutCandidate = m_reader.lastLineUnterminated();
        if (!m_tok.split(line, n, m_tokens)) {
            m_error = m_tok.error();
            return cutCandidate ? dropCut(n) : false;
        }
        const bool ok = command(n);
        return !ok && cutCandidate ? dropCut(n) : ok;
    }

    // The last line of a paste, without its newline, that does not parse: the paste was cut there.
    bool dropCut(int n)
    {
        m_rs.truncatedAtLine = n;
        m_rs.notes.push_back("line " + std::to_string(n) + " is cut off (" + m_error.message + "); it was dropped");
        return true;
    }

    bool command(int n)
    {
        const Token& cmd = m_tokens[0];
        if (m_tokens.size() < 2)
            return fail(ErrorCode::Syntax, n, cmd.column, std::string(cmd.value) + " needs a chain name");
        if (cmd.is("-P") || cmd.is("--policy"))
            return policy(n);
        if (cmd.is("-N") || cmd.is("--new-chain")) {
            if (m_tokens.size() != 2)
                return fail(ErrorCode::Syntax, n, m_tokens[2].column, "-N takes only a chain name");
            m_seg.sawRules = true;
            return declare(m_tokens[1], n, {}).has_value();
        }
        if (cmd.is("-A") || cmd.is("--append"))
            return append(n);
        return fail(ErrorCode::Syntax, n, cmd.column,
            "unknown command \"" + std::string(cmd.value) + "\" (iptables -S writes -P, -N and -A)");
    }

    bool policy(int n)
    {
        const std::string name(m_tokens[1].value);
        if (m_seg.sawRules || m_seg.policies.count(name)) {
            if (!closeSegment())
                return false;
        }
        if (m_tokens.size() < 3)
            return fail(ErrorCode::Syntax, n, m_tokens[1].column, "-P needs a policy");
        m_seg.policies.insert(name);
        const auto idx = declare(m_tokens[1], n, std::string(m_tokens[2].value));
        if (!idx)
            return false;
        if (m_tokens.size() == 6 && m_tokens[3].is("-c")) {
            Counters c;
            if (!parseUnsigned(m_tokens[4].value, c.packets) || !parseUnsigned(m_tokens[5].value, c.bytes))
                return fail(ErrorCode::Syntax, n, m_tokens[3].column, "-c needs two numbers: packets and bytes");
            m_seg.table.chains[*idx].counters = c;
        } else if (m_tokens.size() != 3) {
            return fail(ErrorCode::Syntax, n, m_tokens[3].column, "unexpected text after the policy");
        }
        return true;
    }

    std::optional<std::size_t> declare(const Token& name, int n, std::string policyName)
    {
        if (m_seg.firstLine == 0)
            m_seg.firstLine = n;
        if (m_seg.index.count(std::string(name.value))) {
            fail(ErrorCode::DuplicateChain, n, name.column, "chain " + std::string(name.value) + " declared twice");
            return std::nullopt;
        }
        Chain c;
        c.name = std::string(name.value);
        c.policy = std::move(policyName);
        c.line = n;
        m_seg.index.emplace(c.name, m_seg.table.chains.size());
        m_seg.table.chains.push_back(std::move(c));
        return m_seg.table.chains.size() - 1;
    }

    bool append(int n)
    {
        m_seg.sawRules = true;
        auto it = m_seg.index.find(std::string(m_tokens[1].value));
        if (it == m_seg.index.end()) {
            static constexpr std::array<std::string_view, 5> kBuiltins { "PREROUTING", "INPUT", "FORWARD", "OUTPUT",
                "POSTROUTING" };
            if (std::find(kBuiltins.begin(), kBuiltins.end(), m_tokens[1].value) == kBuiltins.end())
                return fail(ErrorCode::UnknownChain, n, m_tokens[1].column,
                    "rule for chain " + std::string(m_tokens[1].value) + ", which no -N line declares");
            // "iptables -S INPUT" style excerpts may omit a built-in chain's -P line.
            if (!declare(m_tokens[1], n, {}))
                return false;
            it = m_seg.index.find(std::string(m_tokens[1].value));
        }
        Rule rule;
        int targetColumn = 0;
        if (!parseRuleTokens(std::span<const Token>(m_tokens).subspan(2), n, rule, targetColumn, m_error))
            return false;
        rule.line = n;
        rule.text = std::string(m_lastLine);
        m_seg.table.chains[it->second].rules.push_back(std::move(rule));
        return true;
    }

    static std::string_view inferTable(const Segment& s, bool first, std::string& note)
    {
        std::set<std::string_view> builtins;
        for (const Chain& c : s.table.chains)
            if (!c.policy.empty())
                builtins.insert(c.name);
        using V = std::set<std::string_view>;
        if (builtins == V { "PREROUTING", "OUTPUT" })
            return "raw";
        if (builtins == V { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" } || builtins == V { "PREROUTING", "OUTPUT", "POSTROUTING" })
            return "nat";
        if (builtins == V { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" })
            return "mangle";
        if (builtins == V { "INPUT", "FORWARD", "OUTPUT" } && first) {
            note = "assumed table filter for the first table (iptables -S shows filter unless told otherwise)";
            return "filter";
        }
        for (const Chain& c : s.table.chains)
            for (const Rule& r : c.rules)
                if (r.target.name == "DNAT" || r.target.name == "SNAT" || r.target.name == "MASQUERADE"
                    || r.target.name == "REDIRECT") {
                    note = "assumed table nat from its " + r.target.name + " rules";
                    return "nat";
                }
        return {};
    }

    bool closeSegment()
    {
        if (m_seg.table.chains.empty() && !m_seg.named) {
            m_seg = Segment();
            return true;
        }
        Segment s = std::move(m_seg);
        m_seg = Segment();
        if (!s.named) {
            std::string note;
            s.table.name = std::string(inferTable(s, m_rs.tables.empty(), note));
            if (s.table.name.empty())
                note = "the table of the chains from line " + std::to_string(s.firstLine)
                    + " is not named and cannot be inferred; it is recorded as unknown";
            m_rs.notes.push_back(std::move(note));
        }
        s.table.line = s.firstLine;
        if (!s.table.name.empty() && m_rs.table(s.table.name))
            return fail(ErrorCode::DuplicateTable, s.firstLine, 1, "table " + s.table.name + " appears twice");
        for (Chain& c : s.table.chains) {
            c.builtin = s.table.name.empty() ? !c.policy.empty() : isBuiltinChain(s.table.name, c.name);
            if (s.table.name.empty())
                for (Rule& r : c.rules)
                    r.unknown |= UnknownTable;
        }
        m_rs.tables.push_back(std::move(s.table));
        return true;
    }

    bool fail(ErrorCode code, int line, int column, std::string message)
    {
        m_error = makeError(code, line, column, std::move(message));
        return false;
    }

    std::string_view m_text;
    LineReader m_reader;
    Tokenizer m_tok;
    std::vector<Token> m_tokens;
    Ruleset m_rs;
    Segment m_seg;
    ParseError m_error;
    std::string_view m_lastLine;
    bool m_sawContent = false;
};

} // namespace

Result<Ruleset> parseIptablesS(std::string_view text, Family family) noexcept
{
    return guardedRulesetParse([&] { return SParser(text, family).run(); });
}

} // namespace model::parse
