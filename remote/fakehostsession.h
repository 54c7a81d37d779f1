#pragma once

// A HostSession that answers from canned outputs, for tests of the layers above (collector, CLI, GUI).
// Records every command line it was asked to run. Single-threaded like the real one.

#include "remote/hostsession.h"

#include <map>
#include <string>
#include <vector>

namespace remote {

struct CannedOutput {
    CannedOutput(std::string text = {}, int status = 0, std::string error = {})
        : output(std::move(text))
        , exitStatus(status)
        , errorText(std::move(error))
    {
    }
    std::string output;
    int exitStatus = 0;
    std::string errorText;
};

class FakeHostSession final : public HostSession {
public:
    FakeHostSession(std::string user, std::string host, int port = 22);

    // The answer for one exact command line. Unknown lines exit 127 ("command not found").
    void setOutput(const std::string& commandLine, CannedOutput output);
    // Makes open() fail with this error.
    void setOpenError(SessionError error);
    // Makes the command fail with this error (a dropped connection, a timeout).
    void setRunError(const std::string& commandLine, SessionError error);

    Outcome<Done> open(SessionCallbacks& callbacks) override;
    Outcome<CommandResult> run(
        const std::string& commandLine, const OutputSink& sink, const Secret* stdinSecret = nullptr) override;
    void close() noexcept override;

    std::string user() const override { return m_user; }
    std::string host() const override { return m_host; }
    int port() const override { return m_port; }

    const std::vector<std::string>& commandsRun() const { return m_commandsRun; }
    // Command lines that were given a stdin secret (the secret itself is not kept).
    const std::vector<std::string>& commandsGivenSecret() const { return m_commandsGivenSecret; }
    bool isOpen() const { return m_open; }
    int openCount() const { return m_openCount; }

private:
    std::string m_user;
    std::string m_host;
    int m_port;
    std::map<std::string, CannedOutput> m_outputs;
    std::map<std::string, SessionError> m_runErrors;
    std::optional<SessionError> m_openError;
    std::vector<std::string> m_commandsRun;
    std::vector<std::string> m_commandsGivenSecret;
    bool m_open = false;
    int m_openCount = 0;
};

} // namespace remote
