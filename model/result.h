#pragma once

#include <string>
#include <utility>
#include <variant>

namespace model {

// What went wrong while reading input. Codes are stable: tests and the CLI rely on them.
enum class ErrorCode {
    Empty, // nothing to read
    Binary, // NUL bytes or other non-text content
    LineTooLong, // a line beyond the parser's limit
    UnknownFormat, // content matches no known format
    Syntax, // a token where another was expected
    UnbalancedQuote, // a quoted string that never closes
    UnknownTable, // "*foo" naming no netfilter table
    UnknownChain, // a rule or policy for a chain never declared
    DuplicateChain, // a chain declared twice in one table
    DuplicateTable, // a table present twice in one dump
    RuleOutsideTable, // a rule or chain before any "*table" line
    MissingCommit, // a table that never ends with COMMIT (and the input is not merely truncated)
    InvalidJson, // not JSON at all
    JsonShape, // valid JSON, but not the expected structure
    Checksum, // a snapshot source whose sha256 does not match
    UnsupportedVersion, // a snapshot file format newer than this build reads
    Conflict, // two inputs claiming the same source
    Io, // a file could not be read or written
};

const char* errorCodeName(ErrorCode code) noexcept;

// A typed error that names the place: line and column are 1-based; 0 means "not applicable".
struct ParseError {
    ErrorCode code = ErrorCode::Syntax;
    int line = 0;
    int column = 0;
    std::string message;
    std::string where; // file name or source label, when known

    // "where:line:column: message" with the parts that are known.
    std::string toString() const;
};

// A value or an error of type E. A small stand-in for std::expected (C++23), shared by the layers: each gives
// it its own error type (ParseError here, remote::SessionError for host sessions).
template <typename T, typename E>
class Expected {
public:
    Expected(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {
    }
    Expected(E error)
        : m_data(std::in_place_index<1>, std::move(error))
    {
    }

    bool ok() const noexcept { return m_data.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    const T& value() const& { return std::get<0>(m_data); }
    T& value() & { return std::get<0>(m_data); }
    T&& value() && { return std::get<0>(std::move(m_data)); }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }

    const E& error() const& { return std::get<1>(m_data); }

private:
    std::variant<T, E> m_data;
};

// A value or a ParseError: what every parser returns.
template <typename T>
using Result = Expected<T, ParseError>;

} // namespace model
