#include "model/parse/textscan.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace model::parse {

namespace {

enum CharClass : unsigned char { Plain = 0, Blank = 1, Quote = 2, Control = 3 };

constexpr std::array<unsigned char, 256> makeClasses()
{
    std::array<unsigned char, 256> t {};
    for (int c = 0; c < 0x20; ++c)
        t[static_cast<std::size_t>(c)] = Control;
    t[0x7f] = Control;
    t[static_cast<unsigned char>(' ')] = Blank;
    t[static_cast<unsigned char>('\t')] = Blank;
    t[static_cast<unsigned char>('"')] = Quote;
    return t;
}

constexpr std::array<unsigned char, 256> kClasses = makeClasses();

unsigned char classOf(char c) noexcept { return kClasses[static_cast<unsigned char>(c)]; }

} // namespace

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

bool Tokenizer::fail(ErrorCode code, int lineNo, std::size_t offset, const char* message) noexcept
{
    m_error = ParseError { code, lineNo, static_cast<int>(offset + 1), {}, {} };
    try {
        m_error.message = message;
    } catch (...) {
    }
    return false;
}

// The slow path: a token with double quotes in it is assembled in scratch, unescaped.
bool Tokenizer::readQuoted(std::string_view line, int lineNo, std::size_t start, std::size_t& i, Token& t) noexcept
{
    const std::size_t n = line.size();
    const std::size_t copyStart = m_scratch.size();
    m_scratch.append(line.substr(start, i - start));
    while (i < n) {
        const unsigned char k = classOf(line[i]);
        if (k == Blank)
            break;
        if (k == Control)
            return fail(ErrorCode::Binary, lineNo, i, "control character in a rule line: this is not text");
        if (k == Plain) {
            m_scratch.push_back(line[i++]);
            continue;
        }
        const std::size_t openedAt = i++;
        for (;;) {
            if (i >= n)
                return fail(ErrorCode::UnbalancedQuote, lineNo, openedAt, "a double quote that never closes");
            const char q = line[i];
            if (classOf(q) == Control)
                return fail(ErrorCode::Binary, lineNo, i, "control character in a rule line: this is not text");
            if (q == '"') {
                ++i;
                break;
            }
            if (q == '\\' && i + 1 < n) {
                if (classOf(line[i + 1]) == Control) // an escape does not make a control character text
                    return fail(ErrorCode::Binary, lineNo, i + 1, "control character in a rule line: this is not text");
                ++i;
            }
            m_scratch.push_back(line[i++]);
        }
    }
    t.quoted = true;
    t.value = std::string_view(m_scratch).substr(copyStart);
    return true;
}

bool Tokenizer::split(std::string_view line, int lineNo, std::vector<Token>& tokens) noexcept
{
    tokens.clear();
    m_scratch.clear();
    try {
        if (m_scratch.capacity() < line.size())
            m_scratch.reserve(line.size()); // never reallocated below: token views stay valid
        const std::size_t n = line.size();
        std::size_t i = 0;
        while (i < n) {
            unsigned char k = classOf(line[i]);
            if (k == Blank) {
                ++i;
                continue;
            }
            const std::size_t start = i;
            while (i < n && (k = classOf(line[i])) == Plain)
                ++i;
            Token t;
            t.column = static_cast<int>(start + 1);
            if (i < n && k == Control)
                return fail(ErrorCode::Binary, lineNo, i, "control character in a rule line: this is not text");
            if (i < n && k == Quote) {
                if (!readQuoted(line, lineNo, start, i, t))
                    return false;
            } else {
                t.value = line.substr(start, i - start);
            }
            tokens.push_back(t);
        }
    } catch (...) {
        return fail(ErrorCode::LineTooLong, lineNo, 0, "out of memory while reading a line");
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
