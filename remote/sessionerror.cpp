#include "remote/sessionerror.h"

namespace remote {

const char* errorCodeName(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Timeout: return "timeout";
    case ErrorCode::ConnectFailed: return "connect-failed";
    case ErrorCode::Protocol: return "protocol";
    case ErrorCode::HostKeyUnknown: return "host-key-unknown";
    case ErrorCode::HostKeyChanged: return "host-key-changed";
    case ErrorCode::AuthFailed: return "auth-failed";
    case ErrorCode::SudoPasswordRequired: return "sudo-password-required";
    case ErrorCode::SudoRefused: return "sudo-refused";
    case ErrorCode::ConnectionLost: return "connection-lost";
    case ErrorCode::CommandFailed: return "command-failed";
    case ErrorCode::Io: return "io";
    }
    return "unknown";
}

} // namespace remote
