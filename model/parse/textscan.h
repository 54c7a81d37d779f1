#pragma once

// Text plumbing shared by the iptables parsers: line iteration with limits, and a tokeniser that splits
// a rule line the way iptables-restore does. Everything here works on string_views into the caller's
// text; nothing is copied unless a token contains quotes or escapes. Not thread-safe per instance.

#include "model/result.h"
#include "model/ruleset.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace model::parse {

// No iptables line comes near this; anything longer is not a ruleset (and would only cost memory).
inline constexpr std::size_t kMaxLineLength = std::size_t(1) << 20;

// The first NUL byte, as a Binary error naming its line and column; nullopt for text.
std::optional<ParseError> findBinary(std::string_view text) noexcept;

// Iterates the lines of a text. A line excludes its "\n" (and a "\r" before it).
class LineReader final {
public:
    explicit LineReader(std::string_view text) noexcept
        : m_text(text)
    {
    }

    // The next line, or false at the end. Fails (returns false and sets error()) on a line beyond kMaxLineLength.
    bool next(std::string_view& line) noexcept;
    int lineNumber() const noexcept { return m_line; } // of the line last returned
    std::string_view rest() const noexcept { return m_text.substr(m_pos); } // after the line last returned
    // True when the line last returned is the last one and the text does not end with a newline.
    bool lastLineUnterminated() const noexcept { return m_pos >= m_text.size() && !m_terminated; }
    const std::optional<ParseError>& error() const noexcept { return m_error; }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
    int m_line = 0;
    bool m_terminated = true;
    std::optional<ParseError> m_error;
};

struct Token {
    std::string_view value; // unquoted and unescaped
    int column = 0; // 1-based column of the token's first character
    bool quoted = false; // some part of it was inside double quotes
    bool is(std::string_view s) const noexcept { return !quoted && value == s; }
};

// Splits one line into tokens: blanks separate, double quotes group, and inside quotes a backslash makes the
// next character literal (iptables-save writes \" and \\ there). Outside quotes a backslash is an ordinary
// character, as in iptables-restore. Control characters other than tab are an error (Binary).
// tokens' values point into line or into scratch, which must outlive them.
class Tokenizer final {
public:
    bool split(std::string_view line, int lineNo, std::vector<Token>& tokens) noexcept;
    const ParseError& error() const noexcept { return m_error; }

private:
    bool readQuoted(std::string_view line, int lineNo, std::size_t start, std::size_t& i, Token& t) noexcept;
    bool fail(ErrorCode code, int lineNo, std::size_t offset, const char* message) noexcept;

    std::string m_scratch;
    ParseError m_error;
};

bool startsWith(std::string_view s, std::string_view prefix) noexcept;
std::string_view trimRight(std::string_view s) noexcept;
std::string_view trim(std::string_view s) noexcept;
bool parseUnsigned(std::string_view s, std::uint64_t& out) noexcept;

ParseError makeError(ErrorCode code, int line, int column, std::string message);

// Runs a whole-ruleset parse and turns anything thrown into a ParseError, so the public parsers stay noexcept.
template <typename Parse>
Result<Ruleset> guardedRulesetParse(Parse&& parse) noexcept
{
    try {
        return parse();
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::LineTooLong, 0, 0, "out of memory while reading the ruleset");
    } catch (...) {
        return ParseError { ErrorCode::Syntax, 0, 0, "internal error while reading the ruleset", {} };
    }
}

} // namespace model::parse
