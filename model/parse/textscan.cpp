#include "model/parse/textscan.h"

#include <algorithm>
#include <cstring>

namespace model::parse {

ParseError makeError(ErrorCode code, int line, int column, std::string message)
{
    ParseError e;
    e.code = code;
    e.line = line;
    e.column = column;
    e.message = std::move(message);
    return e;
}

std::optional<ParseError> findBinary(std::string_view text) noexcept
{
    const void* nul = std::memchr(text.data(), '\0', text.size());
    if (!nul)
        return std::nullopt;
    const auto offset = static_cast<std::size_t>(static_cast<const char*>(nul) - text.data());
    const std::string_view before = text.substr(0, offset);
    const auto line = 1 + std::count(before.begin(), before.end(), '\n');
    const auto lastNl = before.rfind('\n');
    const auto column = lastNl == std::string_view::npos ? offset + 1 : offset - lastNl;
    try {
        return makeError(ErrorCode::Binary, static_cast<int>(line), static_cast<int>(column),
            "binary content (a NUL byte): this is not text");
    } catch (...) {
        return ParseError { ErrorCode::Binary, static_cast<int>(line), static_cast<int>(column), {}, {} };
    }
}

bool LineReader::next(std::string_view& line) noexcept
{
    if (m_pos >= m_text.size() || m_error)
        return false;
    const std::size_t rest = m_text.size() - m_pos;
    // Search at most one byte past the limit so a 50 MB line costs no more than a 1 MB one.
    const std::size_t window = std::min(rest, kMaxLineLength + 2);
    const char* start = m_text.data() + m_pos;
    const void* nl = std::memchr(start, '\n', window);
    std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : window;
    ++m_line;
    if (!nl && window < rest) {
        try {
            m_error = makeError(ErrorCode::LineTooLong, m_line, static_cast<int>(kMaxLineLength) + 1,
                "line longer than " + std::to_string(kMaxLineLength) + " bytes: this is not a ruleset");
        } catch (...) {
            m_error = ParseError { ErrorCode::LineTooLong, m_line, 0, {}, {} };
        }
        return false;
    }
    m_terminated = nl != nullptr;
    m_pos += len + (nl ? 1 : 0);
    if (len > 0 && start[len - 1] == '\r')
        --len;
    if (len > kMaxLineLength) {
        m_error = ParseError { ErrorCode::LineTooLong, m_line, static_cast<int>(kMaxLineLength) + 1,
            "line longer than 1 MiB: this is not a ruleset", {} };
        return false;
    }
    line = std::string_view(start, len);
    return true;
}

bool Tokenizer::split(std::string_view line, int lineNo, std::vector<Token>& tokens) noexcept
{
    tokens.clear();
    m_scratch.clear();
    try {
        if (m_scratch.capacity() < line.size())
            m_scratch.reserve(line.size()); // never reallocated below: token views stay valid
    } catch (...) {
        m_error = makeError(ErrorCode::LineTooLong, lineNo, 1, {});
        return false;
    }
    const std::size_t n = line.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        const std::size_t start = i;
        bool quoted = false;
        bool copied = false;
        std::size_t copyStart = m_scratch.size();
        std::size_t quoteOpenedAt = 0;
        while (i < n) {
            const unsigned char d = static_cast<unsigned char>(line[i]);
            if ((d < 0x20 && d != '\t') || d == 0x7f) {
                m_error = ParseError { ErrorCode::Binary, lineNo, static_cast<int>(i + 1),
                    "control character in a rule line: this is not text", {} };
                return false;
            }
            if (d == ' ' || d == '\t')
                break;
            if (d != '"') {
                if (copied)
                    m_scratch.push_back(static_cast<char>(d));
                ++i;
                continue;
            }
            // A quote: from here on the token is assembled in scratch.
            if (!copied) {
                copyStart = m_scratch.size();
                m_scratch.append(line.substr(start, i - start));
                copied = true;
            }
            quoted = true;
            quoteOpenedAt = i;
            ++i;
            bool closed = false;
            while (i < n) {
                const unsigned char q = static_cast<unsigned char>(line[i]);
                if ((q < 0x20 && q != '\t') || q == 0x7f) {
                    m_error = ParseError { ErrorCode::Binary, lineNo, static_cast<int>(i + 1),
                        "control character in a rule line: this is not text", {} };
                    return false;
                }
                if (q == '\\' && i + 1 < n) {
                    m_scratch.push_back(line[i + 1]);
                    i += 2;
                    continue;
                }
                if (q == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                m_scratch.push_back(static_cast<char>(q));
                ++i;
            }
            if (!closed) {
                m_error = ParseError { ErrorCode::UnbalancedQuote, lineNo, static_cast<int>(quoteOpenedAt + 1),
                    "a double quote that never closes", {} };
                return false;
            }
        }
        Token t;
        t.column = static_cast<int>(start + 1);
        t.quoted = quoted;
        t.value = copied ? std::string_view(m_scratch).substr(copyStart) : line.substr(start, i - start);
        try {
            tokens.push_back(t);
        } catch (...) {
            m_error = makeError(ErrorCode::LineTooLong, lineNo, t.column, {});
            return false;
        }
    }
    return true;
}

bool startsWith(std::string_view s, std::string_view prefix) noexcept
{
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string_view trimRight(std::string_view s) noexcept
{
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::string_view trim(std::string_view s) noexcept
{
    s = trimRight(s);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    return s;
}

bool parseUnsigned(std::string_view s, std::uint64_t& out) noexcept
{
    if (s.empty() || s.size() > 20)
        return false;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return false;
        const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    out = static_cast<std::uint64_t>(v);
    return true;
}

} // namespace model::parse
