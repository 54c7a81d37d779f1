#include "model/parse/jsonreader.h"

#include <algorithm>

namespace model::parse::detail {

namespace {

// 1-based line and column of a byte offset.
std::pair<int, int> position(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    int line = 1;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return { line, static_cast<int>(offset - lineStart) + 1 };
}

bool blank(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

} // namespace

Result<nlohmann::json> readJson(std::string_view text) noexcept
{
    if (blank(text))
        return ParseError { ErrorCode::Empty, 0, 0, "no content", {} };
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        const auto [line, column] = position(text, nul);
        return ParseError { ErrorCode::Binary, line, column, "binary content (NUL byte), not JSON text", {} };
    }
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        const std::size_t failedAt = e.byte > 0 ? e.byte - 1 : 0;
        const auto [line, column] = position(text, failedAt);
        const bool truncated = failedAt >= text.size() || blank(text.substr(failedAt));
        std::string message = truncated ? "truncated JSON: the document ends before it is complete" : "invalid JSON";
        // nlohmann's message ends with a useful lexer detail after the last ": ".
        const std::string what = e.what();
        if (const auto detail = what.rfind("; "); detail != std::string::npos && !truncated)
            message += ": " + what.substr(detail + 2);
        return ParseError { ErrorCode::InvalidJson, line, column, message, {} };
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::InvalidJson, 0, 0, std::string("invalid JSON: ") + e.what(), {} };
    }
}

std::string describeJsonType(const nlohmann::json& value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "a number";
    default: return "an unexpected value";
    }
}

JsonView::JsonView(const nlohmann::json* json, std::string path)
    : m_json(json)
    , m_path(std::move(path))
{
}

bool JsonView::has(std::string_view key) const noexcept
{
    return isObject() && m_json->contains(key);
}

void JsonView::fail(std::string_view expected) const
{
    const std::string found = m_json ? describeJsonType(*m_json) : std::string("nothing");
    throw ShapeError { m_path, "expected " + std::string(expected) + ", found " + found };
}

void JsonView::requireArray(std::string_view what) const
{
    if (!isArray())
        fail(what);
}

void JsonView::requireObject(std::string_view what) const
{
    if (!isObject())
        fail(what);
}

JsonView JsonView::operator[](std::string_view key) const
{
    std::string childPath = m_path + '/' + std::string(key);
    if (isNull())
        return JsonView(nullptr, std::move(childPath));
    if (!m_json->is_object())
        fail("an object");
    const auto it = m_json->find(key);
    return JsonView(it == m_json->end() ? nullptr : &*it, std::move(childPath));
}

std::vector<JsonView> JsonView::elements() const
{
    std::vector<JsonView> out;
    if (isNull())
        return out;
    if (!m_json->is_array())
        fail("an array");
    out.reserve(m_json->size());
    for (std::size_t i = 0; i < m_json->size(); ++i)
        out.emplace_back(&(*m_json)[i], m_path + '/' + std::to_string(i));
    return out;
}

std::vector<std::pair<std::string, JsonView>> JsonView::members() const
{
    std::vector<std::pair<std::string, JsonView>> out;
    if (isNull())
        return out;
    if (!m_json->is_object())
        fail("an object");
    for (auto it = m_json->begin(); it != m_json->end(); ++it)
        out.emplace_back(it.key(), JsonView(&it.value(), m_path + '/' + it.key()));
    return out;
}

std::optional<std::string> JsonView::optString() const
{
    if (isNull())
        return std::nullopt;
    if (!m_json->is_string())
        fail("a string");
    return m_json->get<std::string>();
}

std::string JsonView::string(std::string_view fallback) const
{
    auto s = optString();
    return s ? std::move(*s) : std::string(fallback);
}

std::optional<bool> JsonView::optBoolean() const
{
    if (isNull())
        return std::nullopt;
    if (!m_json->is_boolean())
        fail("a boolean");
    return m_json->get<bool>();
}

bool JsonView::boolean(bool fallback) const
{
    return optBoolean().value_or(fallback);
}

long long JsonView::integer(long long fallback) const
{
    if (isNull())
        return fallback;
    if (m_json->is_number_integer())
        return m_json->get<long long>();
    if (m_json->is_string()) {
        const auto& s = m_json->get_ref<const std::string&>();
        if (s.empty())
            return fallback;
        if (s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::stoll(s);
    }
    fail("an integer");
}

std::vector<std::string> JsonView::strings() const
{
    std::vector<std::string> out;
    for (const auto& element : elements())
        out.push_back(element.string());
    return out;
}

std::map<std::string, std::string> JsonView::stringMap() const
{
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : members())
        out.emplace(key, value.string());
    return out;
}

} // namespace model::parse::detail
