#include "model/parse/iptables.h"

#include "model/parse/listrow.h"
#include "model/provenance.h"

#include <algorithm>
#include <array>
#include <string>

// iptables -L prints one table per invocation: every built-in chain in hook order, then the user chains, each as
// "Chain NAME (policy P ...)" or "Chain NAME (N references)", a column header line and one line per rule.
// Several invocations pasted one after another are told apart by a header (a "# Table: nat" or "*nat" line, or
// the command line itself) or, failing that, by a chain that cannot belong to the same listing.

namespace model::parse {

namespace {

using list::Layout;

constexpr std::size_t kMaxListLine = std::size_t(1) << 20;
constexpr std::array<std::string_view, 5> kHooks { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };
constexpr std::array<std::string_view, 5> kTables { "raw", "mangle", "nat", "filter", "security" };

int hookRank(std::string_view chain) noexcept
{
    const auto it = std::find(kHooks.begin(), kHooks.end(), chain);
    return it == kHooks.end() ? -1 : static_cast<int>(it - kHooks.begin());
}

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> splitWords(std::string_view s)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
        const std::size_t b = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t')
            ++i;
        if (i > b)
            out.push_back(s.substr(b, i - b));
    }
    return out;
}

// "iptables -t nat -L -n -v", "sudo ip6tables-legacy -nvL": the table the command lists ("filter" without -t).
std::optional<std::string> commandTable(std::string_view line)
{
    auto words = splitWords(line);
    if (!words.empty() && (words.front() == "$" || words.front() == "#"))
        words.erase(words.begin());
    if (!words.empty() && words.front() == "sudo")
        words.erase(words.begin());
    static constexpr std::array<std::string_view, 6> kTools { "iptables", "ip6tables", "iptables-nft",
        "iptables-legacy", "ip6tables-nft", "ip6tables-legacy" };
    if (words.empty() || std::find(kTools.begin(), kTools.end(), words.front()) == kTools.end())
        return std::nullopt;
    bool list = false;
    std::string table = "filter";
    for (std::size_t i = 1; i < words.size(); ++i) {
        const std::string_view w = words[i];
        if (w == "--list" || (w.size() > 1 && w[0] == '-' && w[1] != '-' && w.find('L') != std::string_view::npos))
            list = true;
        if ((w == "-t" || w == "--table") && i + 1 < words.size())
            table = std::string(words[++i]);
        else if (w.starts_with("--table="))
            table = std::string(w.substr(8));
        else if (w.starts_with("-t") && w.size() > 2 && w[1] == 't')
            table = std::string(w.substr(2));
    }
    return list ? std::optional<std::string>(table) : std::nullopt;
}

// "# Table: nat", "Table: nat", and "# table nat" as the iptables -S reader accepts it.
std::optional<std::string_view> tableComment(std::string_view line)
{
    if (line.starts_with('#'))
        line = trim(line.substr(1));
    if (line.size() > 6 && (line.substr(0, 6) == "Table:" || line.substr(0, 6) == "table:"))
        return trim(line.substr(6));
    if (line.size() > 6 && line.substr(0, 6) == "table " && isKnownTable(trim(line.substr(6))))
        return trim(line.substr(6));
    return std::nullopt;
}

class ListParser final {
public:
    ListParser(std::string_view text, Family family) noexcept
        : m_text(text)
        , m_hasChainLine(text.starts_with("Chain ") || text.find("\nChain ") != std::string_view::npos)
    {
        m_ruleset.family = family;
        m_ruleset.format = SourceFormat::IptablesL;
    }

    Result<Ruleset> run();

private:
    bool line(std::string_view text, int no);
    bool tableHeader(std::string_view name, int no);
    bool chainHeader(std::string_view text, int no);
    bool placeChain(std::string_view name, bool builtin, int no);
    bool ruleLine(std::string_view text, int no);
    bool nameTables();
    void inferName(Table& table);
    bool error(ErrorCode code, int no, int column, std::string message)
    {
        m_error = ParseError { code, no, column, std::move(message), {} };
        return false;
    }
    void startTable(std::string name, bool named, int no)
    {
        m_ruleset.tables.push_back(Table { std::move(name), {}, no });
        m_named.push_back(named);
        m_inChain = false;
        m_layout.reset();
    }

    std::string_view m_text;
    bool m_hasChainLine = false;
    Ruleset m_ruleset;
    std::vector<bool> m_named; // per table: a header line named it
    bool m_inChain = false;
    std::optional<Layout> m_layout; // of the current chain
    bool m_approximate = false;
    bool m_numberGapNoted = false;
    ParseError m_error;
};

Result<Ruleset> ListParser::run()
{
    if (m_text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return ParseError { ErrorCode::Empty, 0, 0, "the input is empty", {} };
    std::size_t pos = 0;
    int no = 0;
    while (pos < m_text.size()) {
        std::size_t end = m_text.find('\n', pos);
        const bool terminated = end != std::string_view::npos;
        if (!terminated)
            end = m_text.size();
        std::string_view text = m_text.substr(pos, end - pos);
        pos = end + 1;
        ++no;
        if (text.ends_with('\r'))
            text.remove_suffix(1);
        if (text.size() > kMaxListLine)
            return ParseError { ErrorCode::LineTooLong, no, 0,
                "line " + std::to_string(no) + " is longer than " + std::to_string(kMaxListLine) + " bytes", {} };
        const auto bad = std::find_if(
            text.begin(), text.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 && ch != '\t'; });
        if (bad != text.end())
            return ParseError { ErrorCode::Binary, no, static_cast<int>(bad - text.begin()) + 1,
                "control character in the input: this is not text", {} };
        if (line(text, no))
            continue;
        if (terminated || m_ruleset.tables.empty())
            return m_error;
        m_ruleset.truncatedAtLine = no;
        m_ruleset.notes.push_back(
            "the input ends in the middle of line " + std::to_string(no) + ", which was left out: " + m_error.message);
    }
    if (m_ruleset.tables.empty())
        return ParseError { ErrorCode::UnknownFormat, 1, 0, "no \"Chain\" line: this is not iptables -L output", {} };
    if (!nameTables())
        return m_error;
    if (m_approximate)
        m_ruleset.notes.push_back("counters were abbreviated (K, M, G: iptables -L -v without -x) and are "
                                  "approximate");
    classifyProvenance(m_ruleset);
    return std::move(m_ruleset);
}

bool ListParser::line(std::string_view text, int no)
{
    const std::string_view t = trim(text);
    if (t.empty())
        return true;
    if (t.starts_with("Chain "))
        return chainHeader(t, no);
    if (auto name = tableComment(t))
        return tableHeader(*name, no);
    if (auto table = commandTable(t))
        return tableHeader(*table, no);
    if (t.starts_with('#')) {
        if (t.find("iptables-legacy tables present") != std::string_view::npos) {
            m_ruleset.backend = Backend::NfTables; // only iptables-nft prints this warning
            m_ruleset.notes.push_back("line " + std::to_string(no) + ": " + std::string(t));
        }
        return true;
    }
    if (t.starts_with('*'))
        return tableHeader(t.substr(1), no);
    if (auto layout = list::parseColumnHeader(text)) {
        if (!m_inChain)
            return error(ErrorCode::Syntax, no, 1, "a column header line outside any chain");
        m_layout = layout;
        return true;
    }
    return ruleLine(text, no);
}

bool ListParser::tableHeader(std::string_view name, int no)
{
    if (!isKnownTable(name))
        return error(ErrorCode::UnknownTable, no, 0, "\"" + std::string(name) + "\" is not a netfilter table");
    for (std::size_t i = 0; i < m_ruleset.tables.size(); ++i)
        if (m_named[i] && m_ruleset.tables[i].name == name)
            return error(ErrorCode::DuplicateTable, no, 0,
                "table " + std::string(name) + " appears twice (lines " + std::to_string(m_ruleset.tables[i].line)
                    + " and " + std::to_string(no) + ")");
    startTable(std::string(name), true, no);
    return true;
}

// "Chain INPUT (policy ACCEPT 12 packets, 3400 bytes)", "Chain INPUT (policy DROP)", "Chain DOCKER (2 references)".
bool ListParser::chainHeader(std::string_view text, int no)
{
    const auto words = splitWords(text);
    const std::string_view bad = "expected \"Chain NAME (policy P)\" or \"Chain NAME (N references)\"";
    if (words.size() < 3 || !words[2].starts_with('(') || !words.back().ends_with(')'))
        return error(ErrorCode::Syntax, no, 1, std::string(bad));
    const std::string_view name = words[1];
    std::vector<std::string_view> inner(words.begin() + 2, words.end());
    inner.front().remove_prefix(1);
    inner.back().remove_suffix(1);
    Chain chain { std::string(name), false, {}, std::nullopt, {}, no, Provenance::Unknown, {} };
    if (inner.size() >= 2 && inner[0] == "policy") {
        chain.builtin = true;
        chain.policy = std::string(inner[1]);
        if (chain.policy.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
            return error(ErrorCode::Syntax, no, 1, "\"" + chain.policy + "\" is not a chain policy");
        if (inner.size() == 6 && inner[3] == "packets," && inner[5] == "bytes") {
            Counters c;
            if (!list::parseCounter(inner[2], c.packets, m_approximate)
                || !list::parseCounter(inner[4], c.bytes, m_approximate))
                return error(ErrorCode::Syntax, no, 1, "unreadable policy counters");
            chain.counters = c;
        } else if (inner.size() != 2) {
            return error(ErrorCode::Syntax, no, 1, std::string(bad));
        }
    } else if (inner.size() != 2 || (inner[1] != "references" && inner[1] != "reference")
        || inner[0].find_first_not_of("0123456789") != std::string_view::npos) {
        return error(ErrorCode::Syntax, no, 1, std::string(bad));
    }
    if (!placeChain(name, chain.builtin, no))
        return false;
    m_ruleset.tables.back().chains.push_back(std::move(chain));
    m_inChain = true;
    m_layout.reset();
    return true;
}

// Starts a new (unnamed) table when the chain cannot continue the current listing.
bool ListParser::placeChain(std::string_view name, bool builtin, int no)
{
    if (builtin && hookRank(name) < 0)
        return error(ErrorCode::Syntax, no, 7,
            "chain " + std::string(name) + " has a policy, but no table has a built-in chain of that name");
    bool fresh = m_ruleset.tables.empty();
    if (!fresh) {
        const Table& t = m_ruleset.tables.back();
        if (t.chainIndex(name) >= 0 && m_named.back() && !builtin)
            return error(ErrorCode::DuplicateChain, no, 7,
                "chain " + std::string(name) + " appears twice in table " + t.name + " (lines "
                    + std::to_string(t.chain(name)->line) + " and " + std::to_string(no) + ")");
        fresh = t.chainIndex(name) >= 0;
        for (const Chain& c : t.chains)
            if (builtin && (!c.builtin || hookRank(c.name) >= hookRank(name)))
                fresh = true;
    }
    if (fresh)
        startTable({}, false, no);
    const Table& t = m_ruleset.tables.back();
    if (builtin && m_named.back() && !isBuiltinChain(t.name, name))
        return error(ErrorCode::Syntax, no, 7,
            "chain " + std::string(name) + " has a policy, but is not a built-in chain of table " + t.name);
    return true;
}

bool ListParser::ruleLine(std::string_view text, int no)
{
    if (!m_inChain)
        return m_hasChainLine ? error(ErrorCode::UnknownChain, no, 1, "a rule line before any \"Chain\" line")
                              : error(ErrorCode::UnknownFormat, no, 1, "not iptables -L output (no \"Chain\" line)");
    Chain& chain = m_ruleset.tables.back().chains.back();
    if (!m_layout)
        return error(ErrorCode::Syntax, no, 1,
            "a rule line in chain " + chain.name + " before its column header (target prot opt source destination)");
    Rule rule;
    rule.line = no;
    rule.text = std::string(text);
    list::RowResult row;
    if (!list::parseRuleRow(text, no, *m_layout, m_ruleset.family, rule, row, m_error))
        return false;
    if (!m_layout->interfaces)
        rule.unknown |= UnknownInInterface | UnknownOutInterface;
    if (!m_layout->counters)
        rule.unknown |= UnknownCounters;
    m_approximate = m_approximate || row.approximateCounters;
    const int expected = static_cast<int>(chain.rules.size()) + 1;
    if (row.number && *row.number != expected && !m_numberGapNoted) {
        m_numberGapNoted = true;
        m_ruleset.notes.push_back("line " + std::to_string(no) + ": rule number " + std::to_string(*row.number)
            + " where " + std::to_string(expected) + " was expected in chain " + chain.name
            + ": the input is missing rules");
    }
    chain.rules.push_back(std::move(rule));
    return true;
}

// An unnamed table is named from its built-in chains when only one table has exactly those; filter and
// security share theirs, so filter (what iptables -L lists without -t) is assumed and its rules keep
// UnknownTable.
void ListParser::inferName(Table& table)
{
    std::vector<std::string_view> builtins;
    for (const Chain& c : table.chains)
        if (c.builtin)
            builtins.push_back(c.name);
    std::vector<std::string_view> exact, superset;
    for (std::string_view t : kTables) {
        const bool all = std::all_of(builtins.begin(), builtins.end(), [&](auto c) { return isBuiltinChain(t, c); });
        const auto count = std::count_if(kHooks.begin(), kHooks.end(), [&](auto c) { return isBuiltinChain(t, c); });
        if (all && !builtins.empty())
            (static_cast<std::size_t>(count) == builtins.size() ? exact : superset).push_back(t);
    }
    const std::string where = "the table listed at line " + std::to_string(table.line);
    bool certain = false;
    if (exact.size() == 1 || (exact.empty() && superset.size() == 1)) {
        table.name = std::string(exact.empty() ? superset.front() : exact.front());
        certain = true;
        m_ruleset.notes.push_back(where + " has no header; its built-in chains make it the " + table.name + " table");
    } else if (exact.size() == 2 && exact[0] == "filter") {
        table.name = "filter";
        m_ruleset.notes.push_back(where + " has no header; filter is assumed (security has the same built-in chains)");
    } else {
        m_ruleset.notes.push_back(where + " has no header and its chains do not tell which table it is");
    }
    if (!certain)
        for (Chain& c : table.chains)
            for (Rule& r : c.rules)
                r.unknown |= UnknownTable;
}

bool ListParser::nameTables()
{
    for (std::size_t i = 0; i < m_ruleset.tables.size(); ++i)
        if (!m_named[i])
            inferName(m_ruleset.tables[i]);
    for (std::size_t i = 0; i < m_ruleset.tables.size(); ++i)
        for (std::size_t j = i + 1; j < m_ruleset.tables.size(); ++j) {
            const Table& a = m_ruleset.tables[i];
            const Table& b = m_ruleset.tables[j];
            if (!a.name.empty() && a.name == b.name)
                return error(ErrorCode::DuplicateTable, b.line, 0,
                    "table " + a.name + " appears twice (lines " + std::to_string(a.line) + " and "
                        + std::to_string(b.line) + ")");
        }
    return true;
}

} // namespace

Result<Ruleset> parseIptablesList(std::string_view text, Family family) noexcept
{
    try {
        return ListParser(text, family).run();
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, std::string("could not read the input: ") + e.what(), {} };
    }
}

} // namespace model::parse
