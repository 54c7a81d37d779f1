#pragma once

// Internal to the iptables -L decoder: a word cursor over one option column, and what decoding collects.
// The option column is made of words separated by blanks; quoted and commented parts are read by the decoders
// that expect them, since -L prints them without escaping.

#include "model/ruleset.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace model::parse::list {

class ListCursor final {
public:
    explicit ListCursor(std::string_view text) noexcept
        : m_text(text)
    {
    }

    bool atEnd() noexcept
    {
        skipBlanks();
        return m_pos >= m_text.size();
    }
    // The next blank-delimited word (empty at the end), without consuming it.
    std::string_view peek() noexcept
    {
        skipBlanks();
        const std::size_t end = m_text.find_first_of(" \t", m_pos);
        return m_text.substr(m_pos, end == std::string_view::npos ? std::string_view::npos : end - m_pos);
    }
    std::string_view take() noexcept
    {
        const std::string_view w = peek();
        m_pos += w.size();
        return w;
    }
    bool takeIf(std::string_view word) noexcept
    {
        if (peek() != word || word.empty())
            return false;
        m_pos += word.size();
        return true;
    }
    // Everything from the next word to the end of the column, blanks at its end removed.
    std::string_view rest() noexcept
    {
        skipBlanks();
        std::string_view r = m_text.substr(m_pos);
        while (!r.empty() && (r.back() == ' ' || r.back() == '\t'))
            r.remove_suffix(1);
        return r;
    }
    void finish() noexcept { m_pos = m_text.size(); }
    std::size_t pos() const noexcept { return m_pos; }
    void reset(std::size_t pos) noexcept { m_pos = pos; }
    std::string_view text() const noexcept { return m_text; }

private:
    void skipBlanks() noexcept
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t'))
            ++m_pos;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

// What the decoders have rebuilt so far; copied when a comment's end is ambiguous and several readings are tried.
struct Decoded {
    std::vector<Match> matches;
    std::vector<Option> targetOptions;
    std::string targetName;
};

inline Option opt(std::string_view name, std::vector<std::string> args = {}, bool negated = false)
{
    Option o;
    o.name = std::string(name);
    o.args = std::move(args);
    o.negated = negated;
    return o;
}

// "!80" -> ("80", true).
inline std::pair<std::string, bool> bang(std::string_view v)
{
    if (!v.empty() && v.front() == '!')
        return { std::string(v.substr(1)), true };
    return { std::string(v), false };
}

inline bool hasPrefix(std::string_view s, std::string_view prefix) noexcept
{
    return s.substr(0, prefix.size()) == prefix;
}

// One match at the cursor, appended to d.matches. False when the words there are no match this decoder knows
// (the cursor is then anywhere; the caller resets it).
bool decodeListMatch(ListCursor& c, Decoded& d);

// The target's words, which -L prints last: true only when they make up the whole rest of the column.
bool decodeListTarget(ListCursor& c, Decoded& d);

} // namespace model::parse::list
