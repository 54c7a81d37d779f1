#include "remote/sshhostsession.h"

#include "remote/sshconfig.h"
#include "remote/target.h"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

namespace remote {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxErrorText = 64 * 1024;
constexpr int kPollMilliseconds = 100;
constexpr int kMaxJumpDepth = 8; // a ProxyJump that names itself would otherwise recurse for ever

std::string ownedString(char* text)
{
    std::string result = text != nullptr ? text : "";
    if (text != nullptr)
        ssh_string_free_char(text);
    return result;
}

bool contains(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

SessionError connectError(const std::string& target, const std::string& detail)
{
    if (contains(detail, "refused"))
        return sessionError(
            ErrorCode::ConnectFailed, "The connection to " + target + " was refused: is sshd running there?", detail);
    if (contains(detail, "imed out"))
        return sessionError(ErrorCode::Timeout, "Connecting to " + target + " timed out.", detail);
    if (contains(detail, "resolve") || contains(detail, "Name or service") || contains(detail, "unreachable"))
        return sessionError(ErrorCode::ConnectFailed, "Cannot reach " + target + ".", detail);
    return sessionError(ErrorCode::Protocol, "The SSH handshake with " + target + " failed.", detail);
}

// Runs on its own thread and owns the jump session from here on: libssh connectors move the bytes between the
// channel and the local socket until either side ends or stop is set.
void forwardBytes(ssh_session session, ssh_channel channel, int fd, const std::atomic<bool>* stop)
{
    ssh_event event = ssh_event_new();
    ssh_connector toLocal = ssh_connector_new(session);
    ssh_connector toRemote = ssh_connector_new(session);
    const bool ready = event != nullptr && toLocal != nullptr && toRemote != nullptr
        && ssh_connector_set_in_channel(toLocal, channel, SSH_CONNECTOR_STDINOUT) == SSH_OK
        && ssh_connector_set_out_channel(toRemote, channel, SSH_CONNECTOR_STDINOUT) == SSH_OK;
    if (ready) {
        ssh_connector_set_out_fd(toLocal, fd);
        ssh_connector_set_in_fd(toRemote, fd);
        ssh_event_add_connector(event, toLocal);
        ssh_event_add_connector(event, toRemote);
        // until the far end has closed and everything it sent has been passed on
        while (!stop->load() && ssh_channel_is_open(channel) != 0 && ssh_channel_poll(channel, 0) != SSH_EOF
            && ssh_is_connected(session) != 0)
            if (ssh_event_dopoll(event, kPollMilliseconds) == SSH_ERROR)
                break;
        ssh_event_remove_connector(event, toLocal);
        ssh_event_remove_connector(event, toRemote);
    }
    ::shutdown(fd, SHUT_RDWR); // the session on the other end sees the connection end
    ::close(fd);
    if (toLocal != nullptr)
        ssh_connector_free(toLocal);
    if (toRemote != nullptr)
        ssh_connector_free(toRemote);
    if (event != nullptr)
        ssh_event_free(event);
    ssh_channel_close(channel);
    ssh_channel_free(channel);
}

} // namespace

struct SshHostSession::Private {
    ConnectOptions options;
    CancelTokenPtr cancel;
    ssh_session session = nullptr;
    SessionCallbacks* callbacks = nullptr;
    ssh_callbacks_struct sshCallbacks {};
    std::string user;
    std::string host;
    int port = 22;
    std::vector<std::string> hops; // ProxyJump, first hop first; the last one carries this connection
    std::unique_ptr<SshHostSession> jump;
    std::thread forwarder; // only when this session is itself a jump host
    std::atomic<bool> stopForwarding { false };
    int depth = 0; // how many jump hosts lie behind this one

    bool cancelled() const { return cancel && cancel->isCancelled(); }
    std::string target() const { return user + "@" + host + ":" + std::to_string(port); }
    std::string error() const { return session != nullptr ? std::string(ssh_get_error(session)) : std::string(); }

    Outcome<Done> configure();
    Outcome<Done> connectThroughJump();
    Outcome<Done> connect();
    Outcome<Done> verifyHostKey();
    Outcome<Done> authenticate();
    Outcome<Done> authenticateInteractive();
    Outcome<Done> authenticatePassword();
    Outcome<Done> readOutput(
        ssh_channel channel, const std::string& commandLine, const OutputSink& sink, CommandResult& result);
    std::optional<int> exitStatus(ssh_channel channel);
    bool knownHostsFileExists() const
    {
        char* path = nullptr;
        if (ssh_options_get(session, SSH_OPTIONS_KNOWNHOSTS, &path) != SSH_OK)
            return true;
        std::error_code ec;
        return std::filesystem::exists(ownedString(path), ec);
    }

    static int passphraseCallback(const char* prompt, char* buf, size_t len, int echo, int verify, void* userdata);
};

int SshHostSession::Private::passphraseCallback(const char* prompt, char* buf, size_t len, int, int, void* userdata)
{
    auto* d = static_cast<Private*>(userdata);
    if (d->callbacks == nullptr || !d->callbacks->keyPassphrase || d->cancelled())
        return -1;
    Secret answer;
    if (!d->callbacks->keyPassphrase(prompt != nullptr ? prompt : "Passphrase: ", answer))
        return -1;
    if (answer.size() + 1 > len)
        return -1;
    std::memcpy(buf, answer.c_str(), answer.size() + 1);
    return 0;
}

Outcome<Done> SshHostSession::Private::configure()
{
    session = ssh_new();
    if (session == nullptr)
        return sessionError(ErrorCode::Io, "Cannot create an SSH session.");
    if (ssh_options_set(session, SSH_OPTIONS_HOST, options.host.c_str()) < 0)
        return sessionError(ErrorCode::ConnectFailed, "Invalid host name: " + options.host, error());
    std::error_code ec;
    if (!options.sshConfigFile.empty() && !std::filesystem::is_regular_file(options.sshConfigFile, ec))
        return sessionError(ErrorCode::Io, "Cannot read the ssh config file " + options.sshConfigFile + ".");
    if (ssh_options_parse_config(session, options.sshConfigFile.empty() ? nullptr : options.sshConfigFile.c_str()) < 0)
        return sessionError(ErrorCode::Io, "Cannot parse the ssh config.", error());
    // explicit options win over the config file, as on the ssh command line
    if (options.user)
        ssh_options_set(session, SSH_OPTIONS_USER, options.user->c_str());
    if (options.port) {
        const unsigned int wanted = static_cast<unsigned int>(*options.port);
        ssh_options_set(session, SSH_OPTIONS_PORT, &wanted);
    }
    if (!options.identityFile.empty())
        ssh_options_set(session, SSH_OPTIONS_IDENTITY, options.identityFile.c_str());
    if (!options.knownHostsFile.empty())
        ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, options.knownHostsFile.c_str());
    if (!options.agentSocket.empty())
        ssh_options_set(session, SSH_OPTIONS_IDENTITY_AGENT, options.agentSocket.c_str());
    const long timeout = options.connectTimeoutSeconds;
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout);

    char* text = nullptr;
    if (ssh_options_get(session, SSH_OPTIONS_HOST, &text) == SSH_OK)
        host = ownedString(text);
    text = nullptr;
    if (ssh_options_get(session, SSH_OPTIONS_USER, &text) != SSH_OK) {
        ssh_options_set(session, SSH_OPTIONS_USER, nullptr); // the local user, as ssh does
        ssh_options_get(session, SSH_OPTIONS_USER, &text);
    }
    user = ownedString(text);
    unsigned int resolvedPort = 22;
    if (ssh_options_get_port(session, &resolvedPort) == SSH_OK)
        port = static_cast<int>(resolvedPort);
    // Chainsight connects every hop itself: libssh 0.10 would start an `ssh` process for a ProxyJump and
    // 0.11 would check the jump host's key without asking; a socket given with SSH_OPTIONS_FD wins over both.
    hops = splitProxyJump(
        options.proxyJump.empty() ? configuredProxyJump(options.sshConfigFile, options.host) : options.proxyJump);
    if (options.proxyJump == "none")
        ssh_options_set(session, SSH_OPTIONS_PROXYCOMMAND, "none");

    sshCallbacks.userdata = this;
    sshCallbacks.auth_function = &Private::passphraseCallback;
    ssh_callbacks_init(&sshCallbacks);
    ssh_set_callbacks(session, &sshCallbacks);
    return Done {};
}

Outcome<Done> SshHostSession::Private::connectThroughJump()
{
    if (depth >= kMaxJumpDepth)
        return sessionError(ErrorCode::ConnectFailed,
            "More than " + std::to_string(kMaxJumpDepth) + " jump hosts lead to " + options.host
                + ": does a ProxyJump in the ssh config apply to the jump host itself?");
    const std::string& last = hops.back();
    const auto hopTarget = parseTarget(last);
    if (!hopTarget)
        return sessionError(ErrorCode::ConnectFailed, "The jump host \"" + last + "\" is not [user@]host[:port].");
    ConnectOptions hop;
    hop.host = hopTarget->host;
    hop.user = hopTarget->user;
    hop.port = hopTarget->port;
    hop.sshConfigFile = options.sshConfigFile;
    hop.knownHostsFile = options.knownHostsFile;
    hop.agentSocket = options.agentSocket;
    hop.connectTimeoutSeconds = options.connectTimeoutSeconds;
    hop.commandTimeoutSeconds = options.commandTimeoutSeconds;
    // the earlier hops lead to this one; the first hop follows its own ssh config, as with `ssh -J`
    for (std::size_t i = 0; i + 1 < hops.size(); ++i)
        hop.proxyJump += (i == 0 ? "" : ",") + hops[i];
    jump = std::make_unique<SshHostSession>(std::move(hop), cancel);
    jump->d->depth = depth + 1;
    auto opened = jump->open(*callbacks);
    if (!opened.ok()) {
        SessionError failed = opened.error();
        failed.message = "Jump host " + last + ": " + failed.message;
        return failed;
    }
    auto tunnel = jump->forward(host, port);
    if (!tunnel.ok())
        return tunnel.error();
    const socket_t fd = tunnel.value();
    if (ssh_options_set(session, SSH_OPTIONS_FD, &fd) < 0) {
        ::close(fd);
        return sessionError(ErrorCode::Io, "Cannot use the connection through the jump host.", error());
    }
    return Done {};
}

Outcome<Done> SshHostSession::Private::connect()
{
    if (!hops.empty()) {
        if (auto through = connectThroughJump(); !through.ok())
            return through;
    }
    // non-blocking so that a cancel or our own deadline can interrupt a silent server
    ssh_set_blocking(session, 0);
    const auto deadline = Clock::now() + std::chrono::seconds(options.connectTimeoutSeconds);
    for (;;) {
        const int rc = ssh_connect(session);
        if (rc == SSH_OK)
            break;
        if (rc == SSH_ERROR)
            return connectError(target(), error());
        if (cancelled())
            return sessionError(ErrorCode::Cancelled, "Cancelled while connecting to " + target() + ".");
        if (Clock::now() > deadline)
            return sessionError(ErrorCode::Timeout,
                "No SSH answer from " + target() + " within " + std::to_string(options.connectTimeoutSeconds) + " s.");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ssh_set_blocking(session, 1);
    return Done {};
}

Outcome<Done> SshHostSession::Private::verifyHostKey()
{
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(session, &key) != SSH_OK)
        return sessionError(ErrorCode::Protocol, "The server sent no host key.", error());
    HostKeyInfo info { host, port, ssh_key_type_to_char(ssh_key_type(key)), {}, false };
    unsigned char* hash = nullptr;
    size_t hashLength = 0;
    const int hashed = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hashLength);
    ssh_key_free(key);
    if (hashed != SSH_OK)
        return sessionError(ErrorCode::Protocol, "Cannot hash the server's host key.", error());
    info.fingerprint = ownedString(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hashLength));
    ssh_clean_pubkey_hash(&hash);

    switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK: return Done {};
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        return sessionError(ErrorCode::HostKeyChanged,
            "WARNING: the host key of " + host + " port " + std::to_string(port)
                + " has CHANGED. Someone may be intercepting the connection, or the server was reinstalled. "
                  "Chainsight will not connect. The server now offers "
                + info.keyType + " " + info.fingerprint
                + "; if you have verified that this change is expected, remove the old entry (ssh-keygen -R " + host
                + ") and connect again.");
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN: info.knownHostsFileMissing = !knownHostsFileExists(); break;
    case SSH_KNOWN_HOSTS_ERROR: return sessionError(ErrorCode::Io, "Cannot read the known_hosts file.", error());
    }
    const HostKeyDecision decision
        = callbacks != nullptr && callbacks->unknownHostKey ? callbacks->unknownHostKey(info) : HostKeyDecision::Reject;
    if (decision == HostKeyDecision::Reject)
        return sessionError(ErrorCode::HostKeyUnknown,
            "The host key of " + host + " (" + info.keyType + " " + info.fingerprint
                + ") is not known and was not accepted.");
    if (decision == HostKeyDecision::AcceptAndSave && ssh_session_update_known_hosts(session) != SSH_OK)
        return sessionError(ErrorCode::Io, "Cannot save the host key to known_hosts.", error());
    return Done {};
}

Outcome<Done> SshHostSession::Private::authenticate()
{
    int rc = ssh_userauth_none(session, nullptr);
    if (rc == SSH_AUTH_SUCCESS)
        return Done {};
    if (rc == SSH_AUTH_ERROR)
        return sessionError(ErrorCode::ConnectionLost, "Authentication with " + target() + " failed.", error());
    const int methods = ssh_userauth_list(session, nullptr);
    if ((methods & SSH_AUTH_METHOD_PUBLICKEY) != 0) {
        // agent first, then the configured and default keys (passphrases through the callback)
        rc = ssh_userauth_publickey_auto(session, nullptr, nullptr);
        if (rc == SSH_AUTH_SUCCESS)
            return Done {};
        if (rc == SSH_AUTH_ERROR)
            return sessionError(ErrorCode::ConnectionLost, "Authentication with " + target() + " failed.", error());
    }
    if (cancelled())
        return sessionError(ErrorCode::Cancelled, "Cancelled while authenticating.");
    if ((methods & SSH_AUTH_METHOD_INTERACTIVE) != 0 && callbacks != nullptr && callbacks->password) {
        auto interactive = authenticateInteractive();
        if (interactive.ok() || interactive.error().code != ErrorCode::AuthFailed)
            return interactive;
    }
    if ((methods & SSH_AUTH_METHOD_PASSWORD) != 0 && callbacks != nullptr && callbacks->password)
        return authenticatePassword();
    return sessionError(ErrorCode::AuthFailed,
        "Permission denied for " + target() + ": no key from the agent or key files was accepted"
            + ((methods & (SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE)) != 0
                    ? " and no password was given."
                    : " (the server allows keys only)."));
}

Outcome<Done> SshHostSession::Private::authenticateInteractive()
{
    int rc = ssh_userauth_kbdint(session, nullptr, nullptr);
    for (int rounds = 0; rc == SSH_AUTH_INFO && rounds < 8; ++rounds) {
        const int prompts = ssh_userauth_kbdint_getnprompts(session);
        for (int i = 0; i < prompts; ++i) {
            char echo = 0;
            const char* prompt = ssh_userauth_kbdint_getprompt(session, static_cast<unsigned>(i), &echo);
            Secret answer;
            if (!callbacks->password(prompt != nullptr ? prompt : "Password: ", echo != 0, answer))
                return sessionError(ErrorCode::AuthFailed, "Authentication cancelled.");
            if (ssh_userauth_kbdint_setanswer(session, static_cast<unsigned>(i), answer.c_str()) < 0)
                return sessionError(ErrorCode::Protocol, "Keyboard-interactive authentication failed.", error());
        }
        rc = ssh_userauth_kbdint(session, nullptr, nullptr);
    }
    if (rc == SSH_AUTH_SUCCESS)
        return Done {};
    if (rc == SSH_AUTH_ERROR)
        return sessionError(ErrorCode::ConnectionLost, "Authentication with " + target() + " failed.", error());
    return sessionError(ErrorCode::AuthFailed, "Permission denied for " + target() + ".");
}

Outcome<Done> SshHostSession::Private::authenticatePassword()
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        Secret answer;
        if (!callbacks->password(user + "@" + host + "'s password: ", false, answer))
            break;
        const int rc = ssh_userauth_password(session, nullptr, answer.c_str());
        if (rc == SSH_AUTH_SUCCESS)
            return Done {};
        if (rc == SSH_AUTH_ERROR)
            return sessionError(ErrorCode::ConnectionLost, "Authentication with " + target() + " failed.", error());
    }
    return sessionError(ErrorCode::AuthFailed, "Permission denied for " + target() + ".");
}

std::optional<int> SshHostSession::Private::exitStatus(ssh_channel channel)
{
#if LIBSSH_VERSION_INT >= SSH_VERSION_INT(0, 11, 0)
    uint32_t code = 0;
    char* signal = nullptr;
    int core = 0;
    const int rc = ssh_channel_get_exit_state(channel, &code, &signal, &core);
    const bool bySignal = signal != nullptr;
    ownedString(signal);
    if (rc != SSH_OK || bySignal)
        return std::nullopt;
    return static_cast<int>(code);
#else
    const int code = ssh_channel_get_exit_status(channel);
    if (code < 0)
        return std::nullopt;
    return code;
#endif
}

Outcome<Done> SshHostSession::Private::readOutput(
    ssh_channel channel, const std::string& commandLine, const OutputSink& sink, CommandResult& result)
{
    std::vector<char> buffer(64 * 1024);
    std::vector<char> errors(16 * 1024); // never the stdout buffer: stderr may arrive between a read and its sink
    const auto deadline = Clock::now() + std::chrono::seconds(options.commandTimeoutSeconds);
    auto drainErrors = [&]() {
        int n = 0;
        while ((n = ssh_channel_read_nonblocking(channel, errors.data(), static_cast<uint32_t>(errors.size()), 1)) > 0)
            result.errorText.append(errors.data(),
                std::min<std::size_t>(
                    static_cast<std::size_t>(n), kMaxErrorText - std::min(kMaxErrorText, result.errorText.size())));
        return n != SSH_ERROR;
    };
    const auto lost = [&]() {
        return sessionError(ErrorCode::ConnectionLost,
            "The connection to " + target() + " dropped while running `" + commandLine + "`.", error());
    };
    for (;;) {
        if (cancelled())
            return sessionError(ErrorCode::Cancelled, "Cancelled while running `" + commandLine + "`.");
        if (Clock::now() > deadline)
            return sessionError(ErrorCode::Timeout,
                "`" + commandLine + "` did not finish within " + std::to_string(options.commandTimeoutSeconds) + " s.");
        const int n = ssh_channel_read_timeout(
            channel, buffer.data(), static_cast<uint32_t>(buffer.size()), 0, kPollMilliseconds);
        if (n == SSH_ERROR || !drainErrors())
            return lost();
        if (n > 0) {
            sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
            result.outputBytes += static_cast<std::uint64_t>(n);
            continue;
        }
        if (ssh_channel_is_eof(channel) != 0)
            return Done {};
        if (ssh_is_connected(session) == 0 || ssh_channel_is_closed(channel) != 0)
            return lost();
    }
}

SshHostSession::SshHostSession(ConnectOptions options, CancelTokenPtr cancel)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->cancel = cancel ? std::move(cancel) : std::make_shared<CancelToken>();
}

SshHostSession::~SshHostSession() { close(); }

Outcome<Done> SshHostSession::open(SessionCallbacks& callbacks)
{
    close();
    d->callbacks = &callbacks;
    for (auto step : { &Private::configure, &Private::connect, &Private::verifyHostKey, &Private::authenticate }) {
        auto outcome = (d.get()->*step)();
        if (!outcome.ok()) {
            close();
            return outcome;
        }
        if (d->cancelled()) {
            close();
            return sessionError(ErrorCode::Cancelled, "Cancelled while connecting.");
        }
    }
    return Done {};
}

Outcome<CommandResult> SshHostSession::run(
    const std::string& commandLine, const OutputSink& sink, const Secret* stdinSecret)
{
    if (d->session == nullptr || ssh_is_connected(d->session) == 0)
        return sessionError(ErrorCode::ConnectionLost, "Not connected.");
    ssh_channel channel = ssh_channel_new(d->session);
    if (channel == nullptr)
        return sessionError(ErrorCode::ConnectionLost, "Cannot open a channel.", d->error());
    struct ChannelGuard {
        ssh_channel channel;
        ~ChannelGuard()
        {
            ssh_channel_close(channel);
            ssh_channel_free(channel);
        }
    } guard { channel };
    if (ssh_channel_open_session(channel) != SSH_OK || ssh_channel_request_exec(channel, commandLine.c_str()) != SSH_OK)
        return sessionError(ErrorCode::ConnectionLost, "Cannot start `" + commandLine + "`.", d->error());
    if (stdinSecret != nullptr) {
        const bool written
            = ssh_channel_write(channel, stdinSecret->c_str(), static_cast<uint32_t>(stdinSecret->size())) >= 0
            && ssh_channel_write(channel, "\n", 1) >= 0;
        if (!written)
            return sessionError(ErrorCode::ConnectionLost, "Cannot write to `" + commandLine + "`.", d->error());
    }
    ssh_channel_send_eof(channel);
    CommandResult result;
    auto read = d->readOutput(channel, commandLine, sink, result);
    if (!read.ok())
        return read.error();
    result.exitStatus = d->exitStatus(channel);
    return result;
}

Outcome<int> SshHostSession::forward(const std::string& host, int port)
{
    if (d->session == nullptr || ssh_is_connected(d->session) == 0 || d->forwarder.joinable())
        return sessionError(ErrorCode::ConnectionLost, "Not connected to the jump host " + d->host + ".");
    ssh_channel channel = ssh_channel_new(d->session);
    if (channel == nullptr)
        return sessionError(ErrorCode::ConnectionLost, "Cannot open a channel on " + d->host + ".", d->error());
    if (ssh_channel_open_forward(channel, host.c_str(), port, "127.0.0.1", 0) != SSH_OK) {
        const std::string detail = d->error();
        ssh_channel_free(channel);
        return sessionError(ErrorCode::ConnectFailed,
            "The jump host " + d->host + " could not connect to " + host + " port " + std::to_string(port) + ".",
            detail);
    }
    int pair[2] = { -1, -1 };
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        ssh_channel_free(channel);
        return sessionError(ErrorCode::Io, "Cannot create a socket pair.", std::strerror(errno));
    }
    d->stopForwarding.store(false);
    d->forwarder = std::thread(&forwardBytes, d->session, channel, pair[1], &d->stopForwarding);
    return pair[0];
}

void SshHostSession::close() noexcept
{
    if (d->forwarder.joinable()) {
        d->stopForwarding.store(true);
        d->forwarder.join();
    }
    if (d->session != nullptr) {
        if (ssh_is_connected(d->session) != 0)
            ssh_disconnect(d->session);
        ssh_free(d->session); // also closes the socket from the jump host
        d->session = nullptr;
    }
    if (d->jump) {
        d->jump->close();
        d->jump.reset();
    }
}

std::string SshHostSession::user() const { return d->user; }
std::string SshHostSession::host() const { return d->host; }
int SshHostSession::port() const { return d->port; }

} // namespace remote
