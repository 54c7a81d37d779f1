#pragma once

// Internal helpers shared by the JSON parsers: reading a document with positioned errors, and
// walking it with a JSON-pointer path so that a value of the wrong type is reported where it is.
// Not part of the model API.

#include "model/result.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace model::parse::detail {

// Thrown by JsonView accessors; JSON parsers catch it at their boundary (see guardShape).
struct ShapeError {
    std::string path;
    std::string message;
};

// Parses text as JSON. Empty or whitespace-only input gives Empty, NUL bytes Binary,
// a syntax error InvalidJson with line and column (a document cut short says "truncated").
Result<nlohmann::json> readJson(std::string_view text) noexcept;

// A read-only cursor into a document that knows its own path ("/0/IPAM/Config/1/Subnet").
// A missing member reads as null; accessors throw ShapeError when a present value has the wrong type.
class JsonView {
public:
    JsonView(const nlohmann::json* json, std::string path);

    bool isNull() const noexcept { return m_json == nullptr || m_json->is_null(); }
    bool isObject() const noexcept { return m_json != nullptr && m_json->is_object(); }
    bool isArray() const noexcept { return m_json != nullptr && m_json->is_array(); }
    bool has(std::string_view key) const noexcept;
    const std::string& path() const noexcept { return m_path; }

    JsonView operator[](std::string_view key) const; // requires null or an object
    std::vector<JsonView> elements() const; // requires null (empty) or an array
    std::vector<std::pair<std::string, JsonView>> members() const; // requires null (empty) or an object

    std::string string(std::string_view fallback = {}) const; // null -> fallback
    std::optional<std::string> optString() const;
    bool boolean(bool fallback) const;
    std::optional<bool> optBoolean() const;
    long long integer(long long fallback) const; // accepts a number or a decimal string
    std::vector<std::string> strings() const; // an array of strings; null -> empty
    std::map<std::string, std::string> stringMap() const; // an object of strings; null -> empty

    void requireArray(std::string_view what) const; // throws unless an array
    void requireObject(std::string_view what) const; // throws unless an object
    [[noreturn]] void fail(std::string_view expected) const;

private:
    const nlohmann::json* m_json;
    std::string m_path;
};

std::string describeJsonType(const nlohmann::json& value);

// Runs a document reader, turning ShapeError into a JsonShape ParseError and any other
// exception into a Syntax error, so that parsers stay noexcept.
template <typename T, typename F>
Result<T> guardShape(std::string_view text, F&& read) noexcept
{
    try {
        auto doc = readJson(text);
        if (!doc)
            return doc.error();
        return read(JsonView(&doc.value(), std::string()));
    } catch (const ShapeError& e) {
        ParseError err { ErrorCode::JsonShape, 0, 0, {}, {} };
        err.message = (e.path.empty() ? std::string("/") : e.path) + ": " + e.message;
        return err;
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, std::string("unexpected input: ") + e.what(), {} };
    } catch (...) {
        return ParseError { ErrorCode::Syntax, 0, 0, "unexpected input", {} };
    }
}

} // namespace model::parse::detail
