#include "model/parse/listrow.h"

#include "model/parse/listoptions.h"

#include <algorithm>
#include <limits>
#include <string>

namespace model::parse::list {

namespace {

bool isBlank(char ch) noexcept { return ch == ' ' || ch == '\t'; }

struct Word {
    std::string_view text;
    std::size_t begin = 0;
    std::size_t end() const noexcept { return begin + text.size(); }
};

class Words final {
public:
    explicit Words(std::string_view line) noexcept
        : m_line(line)
    {
    }
    Word next() noexcept
    {
        Word w = peek();
        m_pos = w.end();
        return w;
    }
    Word peek() const noexcept
    {
        std::size_t b = m_pos;
        while (b < m_line.size() && isBlank(m_line[b]))
            ++b;
        std::size_t e = b;
        while (e < m_line.size() && !isBlank(m_line[e]))
            ++e;
        return Word { m_line.substr(b, e - b), b };
    }
    std::size_t pos() const noexcept { return m_pos; }
    void reset(std::size_t pos) noexcept { m_pos = pos; }

private:
    std::string_view m_line;
    std::size_t m_pos = 0;
};

bool allOf(std::string_view s, std::string_view allowed) noexcept
{
    return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kNameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
constexpr std::string_view kAddressChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/[]";

// "0.0.0.0/0" and "::/0" mean no criterion; -L leaves out a full-length prefix that iptables-save writes.
std::optional<CoreMatch> address(std::string_view word)
{
    const bool negated = !word.empty() && word.front() == '!';
    if (negated)
        word.remove_prefix(1);
    if (word == "0.0.0.0/0" || word == "::/0" || word == "anywhere")
        return std::nullopt;
    std::string value(word);
    if (word.find('/') == std::string_view::npos) {
        if (word.find(':') != std::string_view::npos)
            value += "/128";
        else if (allOf(word, "0123456789."))
            value += "/32";
    }
    return CoreMatch { std::move(value), negated };
}

std::optional<CoreMatch> interface(std::string_view word)
{
    const bool negated = !word.empty() && word.front() == '!';
    if (negated)
        word.remove_prefix(1);
    if (word == "*" && !negated)
        return std::nullopt;
    return CoreMatch { std::string(word), negated };
}

bool isOptColumn(std::string_view w) noexcept { return w == "--" || w == "-f" || w == "!f"; }

bool fail(ParseError& error, int lineNo, std::size_t offset, std::string message)
{
    error = ParseError { ErrorCode::Syntax, lineNo, static_cast<int>(offset) + 1, std::move(message), {} };
    return false;
}

// target (when present), prot, opt, in/out, source, destination, then the option column.
bool parseFields(std::string_view line, Words words, bool withTarget, int lineNo, const Layout& layout, Family family,
    Rule& r, ParseError& error)
{
    if (withTarget) {
        r.target.name = std::string(words.next().text);
        r.target.kind = Target::Kind::Jump;
    }
    const Word prot = words.next();
    const std::string_view protName = prot.text.substr(prot.text.starts_with('!') ? 1 : 0);
    if (!allOf(protName, kNameChars) || protName.front() == '-')
        return fail(error, lineNo, prot.begin, "expected the prot column (a protocol name or number)");
    if (std::string name = protocolName(protName); !name.empty())
        r.protocol = CoreMatch { std::move(name), prot.text.starts_with('!') };
    const Word opt = words.peek();
    if (isOptColumn(opt.text)) {
        words.next();
        if (opt.text != "--")
            r.fragment = opt.text == "-f";
    } else if (family == Family::IPv4) {
        return fail(error, lineNo, opt.begin, "expected the opt column (--, -f or !f)");
    }
    if (layout.interfaces) {
        const Word in = words.next();
        const Word out = words.next();
        if (out.text.empty())
            return fail(error, lineNo, out.begin, "expected the in and out interface columns");
        r.inInterface = interface(in.text);
        r.outInterface = interface(out.text);
    }
    const Word src = words.next();
    const Word dst = words.next();
    if (dst.text.empty())
        return fail(error, lineNo, dst.begin, "expected the source and destination columns");
    for (const Word& w : { src, dst })
        if (const auto a = w.text.substr(w.text.starts_with('!') ? 1 : 0); !allOf(a, kAddressChars) || a[0] == '-')
            return fail(error, lineNo, w.begin, "expected an address, found \"" + std::string(w.text) + '"');
    r.source = address(src.text);
    r.destination = address(dst.text);
    std::string_view options = line.substr(words.pos());
    while (!options.empty() && isBlank(options.front()))
        options.remove_prefix(1);
    if (options.starts_with("[goto]")) {
        r.target.kind = Target::Kind::Goto;
        options.remove_prefix(6);
    }
    decodeListOptions(options, r);
    return true;
}

} // namespace

std::optional<Layout> parseColumnHeader(std::string_view line) noexcept
{
    Words words(line);
    Layout layout;
    bool target = false, source = false, destination = false, in = false, out = false;
    for (Word w = words.next(); !w.text.empty(); w = words.next()) {
        if (w.text == "num")
            layout.lineNumbers = true;
        else if (w.text == "pkts")
            layout.counters = true;
        else if (w.text == "in")
            in = true;
        else if (w.text == "out")
            out = true;
        else if (w.text == "target") {
            target = true;
            layout.targetColumn = w.begin;
        } else if (w.text == "source")
            source = true;
        else if (w.text == "destination")
            destination = true;
        else if (w.text != "bytes" && w.text != "prot" && w.text != "opt")
            return std::nullopt;
    }
    layout.interfaces = in && out;
    if (!target || !source || !destination || in != out)
        return std::nullopt;
    return layout;
}

bool parseCounter(std::string_view word, std::uint64_t& value, bool& approximate) noexcept
{
    std::uint64_t scale = 1;
    static constexpr std::string_view kUnits = "KMGTPE";
    if (!word.empty() && kUnits.find(word.back()) != std::string_view::npos) {
        for (std::size_t i = 0; i <= kUnits.find(word.back()); ++i)
            scale *= 1000;
        word.remove_suffix(1);
        approximate = true;
    }
    if (!allOf(word, kDigits) || word.size() > 20)
        return false;
    std::uint64_t v = 0;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    for (char ch : word) {
        const auto digit = static_cast<std::uint64_t>(ch - '0');
        if (v > (kMax - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (v > kMax / scale)
        return false;
    value = v * scale;
    return true;
}

bool parseRuleRow(std::string_view line, int lineNo, const Layout& layout, Family family, Rule& rule, RowResult& row,
    ParseError& error) noexcept
{
    Words words(line);
    std::size_t targetStart = layout.targetColumn;
    if (layout.lineNumbers) {
        const Word num = words.next();
        if (!allOf(num.text, kDigits) || num.text.size() > 9)
            return fail(error, lineNo, num.begin, "expected a rule number (--line-numbers column)");
        row.number = std::stoi(std::string(num.text));
        targetStart = std::max(num.end() + 1, num.begin + 5);
    }
    if (layout.counters) {
        const Word pkts = words.next();
        const Word bytes = words.next();
        Counters counters;
        if (!parseCounter(pkts.text, counters.packets, row.approximateCounters))
            return fail(error, lineNo, pkts.begin, "expected a packet counter (pkts column)");
        if (!parseCounter(bytes.text, counters.bytes, row.approximateCounters))
            return fail(error, lineNo, bytes.begin, "expected a byte counter (bytes column)");
        rule.counters = counters;
        targetStart = bytes.end() + 1;
    }
    // An empty target column (a rule that only counts) is blank where the target would start; when pasted text
    // lost its leading blanks that cannot be seen, so a reading without a target is tried too.
    const bool blankTarget = targetStart >= line.size() || isBlank(line[targetStart]);
    Rule withTarget = rule;
    if (!blankTarget && parseFields(line, words, true, lineNo, layout, family, withTarget, error)) {
        rule = std::move(withTarget);
        return true;
    }
    ParseError targetError = error;
    if (parseFields(line, words, false, lineNo, layout, family, rule, error))
        return true;
    if (!blankTarget)
        error = targetError;
    return false;
}

} // namespace model::parse::list
