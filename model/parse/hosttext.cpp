#include "model/parse/hosttext.h"

#include <algorithm>
#include <functional>
#include <optional>

namespace model::parse {

namespace {

struct Token {
    std::string text;
    int column = 0; // 1-based
};

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

// Splits a line on blanks; double quotes group words (ipset comments). Throws nothing: an open quote is
// reported through the returned column (> 0 means "quote opened here never closes").
int tokenize(std::string_view line, std::vector<Token>& out)
{
    out.clear();
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isSpace(line[i]))
            ++i;
        if (i >= line.size())
            break;
        Token token { {}, static_cast<int>(i) + 1 };
        while (i < line.size() && !isSpace(line[i])) {
            if (line[i] == '"') {
                const auto close = line.find('"', i + 1);
                if (close == std::string_view::npos)
                    return static_cast<int>(i) + 1;
                token.text.append(line.substr(i + 1, close - i - 1));
                i = close + 1;
            } else {
                token.text.push_back(line[i++]);
            }
        }
        out.push_back(std::move(token));
    }
    return 0;
}

// Calls visit(line, number) for every line; stops at the first error visit returns or at bad content.
Result<bool> forEachLine(std::string_view text, const std::function<std::optional<ParseError>(std::string_view, int)>& visit)
{
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        int line = 1;
        std::size_t start = 0;
        for (std::size_t i = 0; i < nul; ++i)
            if (text[i] == '\n') {
                ++line;
                start = i + 1;
            }
        return ParseError { ErrorCode::Binary, line, static_cast<int>(nul - start) + 1, "binary content (NUL byte), not text", {} };
    }
    int number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        ++number;
        std::string_view line = text.substr(start, end - start);
        if (line.size() > kMaxLineLength)
            return ParseError { ErrorCode::LineTooLong, number, static_cast<int>(kMaxLineLength) + 1,
                "line longer than " + std::to_string(kMaxLineLength) + " bytes", {} };
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (auto error = visit(line, number))
            return std::move(*error);
        start = end + 1;
    }
    return true;
}

ParseError syntax(int line, int column, std::string message)
{
    return ParseError { ErrorCode::Syntax, line, column, std::move(message), {} };
}

std::optional<ParseError> ipsetLine(std::string_view line, int number, std::vector<IpSet>& sets)
{
    std::vector<Token> tokens;
    if (const int open = tokenize(line, tokens))
        return ParseError { ErrorCode::UnbalancedQuote, number, open, "quote never closes", {} };
    if (tokens.empty() || tokens.front().text.front() == '#')
        return std::nullopt;
    const std::string& verb = tokens[0].text;
    if (verb != "create" && verb != "add")
        return syntax(number, tokens[0].column, "expected \"create\" or \"add\", found \"" + verb + '"');
    if (tokens.size() < 3)
        return syntax(number, static_cast<int>(line.size()) + 1, "\"" + verb + "\" needs a set name and " + (verb == "add" ? "an entry" : "a type"));
    const std::string& name = tokens[1].text;
    auto it = std::find_if(sets.begin(), sets.end(), [&](const IpSet& s) { return s.name == name; });
    if (verb == "create") {
        if (it != sets.end())
            return syntax(number, tokens[1].column, "set \"" + name + "\" is created twice");
        IpSet set;
        set.name = name;
        set.type = tokens[2].text;
        for (std::size_t i = 3; i < tokens.size(); ++i) {
            if (tokens[i].text == "family" && i + 1 < tokens.size())
                set.family = tokens[i + 1].text;
            set.createOptions.push_back(tokens[i].text);
        }
        if (set.family.empty() && set.type.rfind("hash:", 0) == 0 && set.type.find("mac") == std::string::npos)
            set.family = "inet";
        sets.push_back(std::move(set));
        return std::nullopt;
    }
    if (it == sets.end())
        return syntax(number, tokens[1].column, "entry added to set \"" + name + "\" before it is created");
    std::string entry;
    const auto from = static_cast<std::size_t>(tokens[2].column - 1);
    entry = std::string(line.substr(from));
    while (!entry.empty() && isSpace(entry.back()))
        entry.pop_back();
    it->members.push_back(std::move(entry));
    return std::nullopt;
}

} // namespace

Result<std::vector<IpSet>> parseIpsetSave(std::string_view text) noexcept
{
    try {
        std::vector<IpSet> sets;
        auto done = forEachLine(text, [&](std::string_view line, int number) { return ipsetLine(line, number, sets); });
        if (!done)
            return done.error();
        return sets;
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, std::string("unexpected input: ") + e.what(), {} };
    }
}

Result<ResolvConf> parseResolvConf(std::string_view text) noexcept
{
    try {
        ResolvConf conf;
        std::vector<Token> tokens;
        auto done = forEachLine(text, [&](std::string_view line, int number) -> std::optional<ParseError> {
            tokenize(line, tokens); // quotes mean nothing here; an open one just ends the line
            if (tokens.empty() || tokens[0].text[0] == '#' || tokens[0].text[0] == ';')
                return std::nullopt;
            const std::string& key = tokens[0].text;
            std::vector<std::string> args;
            for (std::size_t i = 1; i < tokens.size() && tokens[i].text[0] != '#' && tokens[i].text[0] != ';'; ++i)
                args.push_back(tokens[i].text);
            if (key == "nameserver") {
                if (args.empty())
                    return syntax(number, static_cast<int>(line.size()) + 1, "\"nameserver\" without an address");
                conf.nameservers.push_back(args[0]);
            } else if (key == "search" || key == "domain") {
                conf.search.insert(conf.search.end(), args.begin(), args.end());
            } else if (key == "options") {
                conf.options.insert(conf.options.end(), args.begin(), args.end());
            }
            return std::nullopt; // sortlist, lookup and unknown words are ignored, as the resolver does
        });
        if (!done)
            return done.error();
        return conf;
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, std::string("unexpected input: ") + e.what(), {} };
    }
}

Result<SysctlValues> parseSysctl(std::string_view text) noexcept
{
    try {
        SysctlValues out;
        auto done = forEachLine(text, [&](std::string_view line, int number) -> std::optional<ParseError> {
            const auto first = line.find_first_not_of(" \t");
            if (first == std::string_view::npos || line[first] == '#' || line[first] == ';')
                return std::nullopt;
            constexpr std::string_view kCannotStat = "sysctl: cannot stat /proc/sys/";
            if (line.substr(first).rfind(kCannotStat, 0) == 0) {
                std::string_view rest = line.substr(first + kCannotStat.size());
                std::string key(rest.substr(0, rest.find(':')));
                std::replace(key.begin(), key.end(), '/', '.');
                out.absent.push_back(std::move(key));
                return std::nullopt;
            }
            const auto eq = line.find('=');
            if (eq == std::string_view::npos)
                return syntax(number, static_cast<int>(first) + 1, "expected \"key = value\"");
            std::string_view key = line.substr(first, eq - first);
            while (!key.empty() && isSpace(key.back()))
                key.remove_suffix(1);
            if (key.empty() || key.find_first_of(" \t") != std::string_view::npos)
                return syntax(number, static_cast<int>(first) + 1, "expected a sysctl key before \"=\"");
            std::string_view value = line.substr(eq + 1);
            while (!value.empty() && isSpace(value.front()))
                value.remove_prefix(1);
            while (!value.empty() && isSpace(value.back()))
                value.remove_suffix(1);
            out.values[std::string(key)] = std::string(value);
            return std::nullopt;
        });
        if (!done)
            return done.error();
        return out;
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, std::string("unexpected input: ") + e.what(), {} };
    }
}

} // namespace model::parse
