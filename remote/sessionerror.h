#pragma once

// Why a remote operation failed. Codes are stable: the CLI maps them to messages and tests check them.

#include "model/result.h"

#include <string>
#include <utility>

namespace remote {

enum class ErrorCode {
    Cancelled, // the user cancelled
    Timeout, // connect or a command took longer than allowed
    ConnectFailed, // name resolution, connection refused, unreachable
    Protocol, // the peer is not an SSH server or broke the protocol
    HostKeyUnknown, // not in known_hosts and the user (or the default) rejected it
    HostKeyChanged, // known_hosts holds a different key for this host: refused, no way around it
    AuthFailed, // no method worked
    SudoPasswordRequired, // not root and `sudo -n` refused; no sudo password was given
    SudoRefused, // sudo rejected the password or the user may not run the command
    ConnectionLost, // the connection dropped while in use
    CommandFailed, // a command that must work did not
    Io, // a local file could not be read or written
};

const char* errorCodeName(ErrorCode code) noexcept;

struct SessionError {
    ErrorCode code = ErrorCode::Protocol;
    std::string message; // one sentence a user can act on
    std::string detail; // the library's or server's own words, when any
};

// A value or a SessionError; Done stands for "no value".
struct Done { };

template <typename T>
using Outcome = model::Expected<T, SessionError>;

inline SessionError sessionError(ErrorCode code, std::string message, std::string detail = {})
{
    return SessionError { code, std::move(message), std::move(detail) };
}

} // namespace remote
