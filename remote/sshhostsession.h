#pragma once

// HostSession over libssh: one connection, configured like `ssh` (ssh config, agent, keys, password last),
// host key checked against known_hosts. ProxyJump hops are SshHostSessions of their own whose forward()ed
// socket carries the next connection. Not thread-safe: create, use and destroy it on one thread;
// the cancel token may be set from anywhere and interrupts connects and commands within ~100 ms.

#include "remote/hostsession.h"

#include <memory>

namespace remote {

class SshHostSession final : public HostSession {
public:
    SshHostSession(ConnectOptions options, CancelTokenPtr cancel);
    ~SshHostSession() override;
    SshHostSession(const SshHostSession&) = delete;
    SshHostSession& operator=(const SshHostSession&) = delete;

    Outcome<Done> open(SessionCallbacks& callbacks) override;
    Outcome<CommandResult> run(
        const std::string& commandLine, const OutputSink& sink, const Secret* stdinSecret = nullptr) override;
    void close() noexcept override;

    // A local socket connected through this open session to host:port as seen from the server (what `ssh -W`
    // does); a thread moves the bytes until close(). Used for jump hosts; run() must not be used afterwards.
    Outcome<int> forward(const std::string& host, int port);

    std::string user() const override;
    std::string host() const override;
    int port() const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace remote
