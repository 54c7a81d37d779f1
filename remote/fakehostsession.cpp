#include "remote/fakehostsession.h"

namespace remote {

FakeHostSession::FakeHostSession(std::string user, std::string host, int port)
    : m_user(std::move(user))
    , m_host(std::move(host))
    , m_port(port)
{
}

void FakeHostSession::setOutput(const std::string& commandLine, CannedOutput output)
{
    m_outputs[commandLine] = std::move(output);
}

void FakeHostSession::setOpenError(SessionError error) { m_openError = std::move(error); }

void FakeHostSession::setRunError(const std::string& commandLine, SessionError error)
{
    m_runErrors[commandLine] = std::move(error);
}

Outcome<Done> FakeHostSession::open(SessionCallbacks&)
{
    ++m_openCount;
    if (m_openError)
        return *m_openError;
    m_open = true;
    return Done {};
}

Outcome<CommandResult> FakeHostSession::run(
    const std::string& commandLine, const OutputSink& sink, const Secret* stdinSecret)
{
    if (!m_open)
        return sessionError(ErrorCode::ConnectionLost, "Not connected.");
    m_commandsRun.push_back(commandLine);
    if (stdinSecret != nullptr)
        m_commandsGivenSecret.push_back(commandLine);
    if (auto error = m_runErrors.find(commandLine); error != m_runErrors.end())
        return error->second;
    CommandResult result;
    const auto it = m_outputs.find(commandLine);
    if (it == m_outputs.end()) {
        result.exitStatus = 127;
        result.errorText = "sh: 1: " + commandLine + ": not found\n";
        return result;
    }
    // in pieces, as a real channel delivers it
    const std::string& output = it->second.output;
    for (std::size_t at = 0; at < output.size(); at += 4096)
        sink(std::string_view(output).substr(at, 4096));
    result.exitStatus = it->second.exitStatus;
    result.errorText = it->second.errorText;
    result.outputBytes = output.size();
    return result;
}

void FakeHostSession::close() noexcept { m_open = false; }

} // namespace remote
