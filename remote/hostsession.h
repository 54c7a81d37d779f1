#pragma once

// The transport to one host: connect once, run commands, close. SshHostSession is the real one,
// FakeHostSession answers from canned outputs. A session and its callbacks live on one thread
// (the GUI runs it in a worker QThread); only cancel() may be called from any other thread.

#include "remote/secret.h"
#include "remote/sessionerror.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace remote {

// Where and how to connect. Unset fields come from the ssh config, as with `ssh`.
struct ConnectOptions {
    std::string host; // an ssh config alias or a host name / address
    std::optional<std::string> user;
    std::optional<int> port;
    std::string identityFile; // -i; empty: ssh config and the default keys
    std::string sshConfigFile; // empty: ~/.ssh/config and /etc/ssh/ssh_config
    std::string knownHostsFile; // empty: what the ssh config says (~/.ssh/known_hosts)
    std::string agentSocket; // empty: $SSH_AUTH_SOCK
    // Jump hosts, as `ssh -J`: "[user@]host[:port][,...]". Empty: the ssh config's ProxyJump; "none": direct.
    // Each hop is resolved through the same ssh config, host-key checked and authenticated like the target.
    std::string proxyJump;
    int connectTimeoutSeconds = 20;
    int commandTimeoutSeconds = 120;
};

enum class HostKeyDecision { Reject, AcceptOnce, AcceptAndSave };

struct HostKeyInfo {
    std::string host;
    int port = 22;
    std::string keyType; // ssh-ed25519, ecdsa-sha2-nistp256, ...
    std::string fingerprint; // "SHA256:base64", as OpenSSH prints it
    bool knownHostsFileMissing = false;
};

// What the user is asked or told while a session runs. Called on the session's thread; a GUI implementation
// blocks that thread until the user answers (e.g. a BlockingQueuedConnection to a dialog).
struct SessionCallbacks {
    // An unknown host key. Unset: Reject.
    std::function<HostKeyDecision(const HostKeyInfo&)> unknownHostKey;
    // Passphrase of a private key; prompt names the key. Return false for "no answer" (skip this key).
    std::function<bool(const std::string& prompt, Secret& answer)> keyPassphrase;
    // Password or a keyboard-interactive prompt, tried last. echo: whether the answer may be shown.
    std::function<bool(const std::string& prompt, bool echo, Secret& answer)> password;
    // The sudo password, asked at most once per snapshot. Unset or false: stop with SudoPasswordRequired.
    std::function<bool(const std::string& prompt, Secret& answer)> sudoPassword;
    // One line per step ("connecting", "iptables-save -c", ...); step counts from 1.
    std::function<void(int step, int total, const std::string& label)> progressed;
};

// Shared cancel flag: set from any thread, checked by the session between and during blocking calls.
class CancelToken final {
public:
    void cancel() noexcept { m_cancelled.store(true); }
    bool isCancelled() const noexcept { return m_cancelled.load(); }

private:
    std::atomic<bool> m_cancelled { false };
};
using CancelTokenPtr = std::shared_ptr<CancelToken>;

struct CommandResult {
    std::optional<int> exitStatus; // nullopt: killed by a signal or no status sent
    std::string errorText; // stderr, first 64 KiB
    std::uint64_t outputBytes = 0;
};

// Receives stdout as it arrives, so that large outputs are never held twice.
using OutputSink = std::function<void(std::string_view chunk)>;

class HostSession {
public:
    virtual ~HostSession() = default;

    // Connects, checks the host key, authenticates.
    virtual Outcome<Done> open(SessionCallbacks& callbacks) = 0;
    // Runs one command line. stdinSecret, when given, is written followed by a newline, then EOF.
    virtual Outcome<CommandResult> run(
        const std::string& commandLine, const OutputSink& sink, const Secret* stdinSecret = nullptr)
        = 0;
    virtual void close() noexcept = 0;

    // The login user and the endpoint, as resolved after open() ("root", "10.0.0.1", 22).
    virtual std::string user() const = 0;
    virtual std::string host() const = 0;
    virtual int port() const = 0;
};

} // namespace remote
