#include "model/result.h"

namespace model {

const char* errorCodeName(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::Empty: return "empty";
    case ErrorCode::Binary: return "binary";
    case ErrorCode::LineTooLong: return "line-too-long";
    case ErrorCode::UnknownFormat: return "unknown-format";
    case ErrorCode::Syntax: return "syntax";
    case ErrorCode::UnbalancedQuote: return "unbalanced-quote";
    case ErrorCode::UnknownTable: return "unknown-table";
    case ErrorCode::UnknownChain: return "unknown-chain";
    case ErrorCode::DuplicateChain: return "duplicate-chain";
    case ErrorCode::DuplicateTable: return "duplicate-table";
    case ErrorCode::RuleOutsideTable: return "rule-outside-table";
    case ErrorCode::MissingCommit: return "missing-commit";
    case ErrorCode::InvalidJson: return "invalid-json";
    case ErrorCode::JsonShape: return "json-shape";
    case ErrorCode::Checksum: return "checksum";
    case ErrorCode::UnsupportedVersion: return "unsupported-version";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::Io: return "io";
    }
    return "unknown";
}

std::string ParseError::toString() const
{
    std::string out;
    if (!where.empty())
        out += where + ':';
    if (line > 0) {
        out += std::to_string(line) + ':';
        if (column > 0)
            out += std::to_string(column) + ':';
    }
    if (!out.empty())
        out += ' ';
    out += message;
    return out;
}

} // namespace model
