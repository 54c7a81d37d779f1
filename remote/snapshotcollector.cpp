#include "remote/snapshotcollector.h"

#include "model/snapshotbuilder.h"
#include "remote/commandplan.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <algorithm>

namespace remote {

namespace {

namespace sk = model::SourceKind;

// Digest computed while the output streams in, so the text is never copied.
class RecordWriter {
public:
    explicit RecordWriter(model::SourceRecord& record)
        : m_record(record)
        , m_hash(QCryptographicHash::Sha256)
    {
    }
    void operator()(std::string_view chunk)
    {
        m_record.text.append(chunk);
        m_hash.addData(QByteArrayView(chunk.data(), static_cast<qsizetype>(chunk.size())));
    }
    std::string hex() const { return m_hash.result().toHex().toStdString(); }

private:
    model::SourceRecord& m_record;
    QCryptographicHash m_hash;
};

// A rule line, with or without the "[packets:bytes] " that -c puts in front.
bool holdsRules(const std::string& dump)
{
    for (std::size_t at = 0; at < dump.size();) {
        const auto end = std::min(dump.find('\n', at), dump.size());
        std::string_view line(dump.data() + at, end - at);
        if (line.rfind("[", 0) == 0 && line.find("] ") != std::string_view::npos)
            line.remove_prefix(line.find("] ") + 2);
        if (line.rfind("-A ", 0) == 0)
            return true;
        at = end + 1;
    }
    return false;
}

std::string firstLine(const std::string& text)
{
    const auto end = text.find('\n');
    return text.substr(
        0, end == std::string::npos ? std::min<std::size_t>(text.size(), 300) : std::min<std::size_t>(end, 300));
}

// sudo's own complaint, as opposed to the failure of the command it ran. Warnings such as
// "sudo: unable to resolve host" come with commands that ran fine, so only refusals count. sudo runs under
// `env LC_ALL=C` (see prefix()), so its messages are the untranslated ones whatever the server's locale.
bool sudoRefused(const CommandResult& result)
{
    if (result.exitStatus != 1 || result.outputBytes != 0)
        return false;
    for (const char* refusal :
        { "password is required", "incorrect password", "Sorry, try again", "no password was provided",
            "is not allowed to", "not in the sudoers", "a terminal is required", "may not run sudo" })
        if (result.errorText.find(refusal) != std::string::npos)
            return true;
    return false;
}

} // namespace

struct SnapshotCollector::Private {
    HostSession& session;
    SessionCallbacks& callbacks;
    CancelTokenPtr cancel;
    RemoteCapture capture;
    ProbeResult probe;
    Secret sudoPassword; // held for this snapshot only: sudo asks again for every command without a tty
    bool sudoWithPassword = false;
    int step = 0;
    int total = 0;

    void progress(const std::string& label)
    {
        if (callbacks.progressed)
            callbacks.progressed(++step, total, label);
    }
    bool root() const { return probe.uid == 0; }
    std::string prefix(bool privileged) const;
    Outcome<Done> runProbe();
    Outcome<model::SourceRecord> run(
        const char* kind, const std::string& program, const std::string& arguments, bool privileged);
    Outcome<model::SourceRecord> runOnce(const char* kind, const std::string& line, bool privileged);
    Outcome<Done> askSudoPassword();
    SessionError sudoPasswordRequired() const;
    Outcome<Done> runCommands();
    Outcome<Done> runFiles();
    Outcome<Done> runDocker();
    void keepBackendDumpsOnlyWhenBothHoldRules();
    model::SourceRecord absent(const char* kind, const std::string& origin) const;
};

std::string SnapshotCollector::Private::prefix(bool privileged) const
{
    if (!privileged || root())
        return {};
    // LC_ALL=C also overrides LANGUAGE, so a German or French sudo still says "a password is required"
    const auto env = probe.path("env");
    const std::string sudo = (env ? *env + " LC_ALL=C " : std::string()) + probe.path("sudo").value_or("sudo");
    return sudoWithPassword ? sudo + " -S -p '' " : sudo + " -n ";
}

model::SourceRecord SnapshotCollector::Private::absent(const char* kind, const std::string& origin) const
{
    model::SourceRecord record;
    record.kind = kind;
    record.origin = origin;
    record.absent = true;
    record.sha256 = model::sha256Hex({});
    return record;
}

Outcome<Done> SnapshotCollector::Private::runProbe()
{
    progress("checking which tools exist");
    std::string output;
    auto result = session.run(probeCommand(), [&](std::string_view chunk) { output.append(chunk); });
    if (!result.ok())
        return result.error();
    auto parsed = parseProbe(output);
    if (!parsed)
        return sessionError(ErrorCode::CommandFailed, "The host did not answer the tool check as expected.",
            firstLine(result.value().errorText));
    probe = std::move(*parsed);
    if (!root() && !probe.path("sudo"))
        return sessionError(ErrorCode::SudoRefused,
            "Logged in as " + session.user() + ", who is not root, and sudo is not installed on " + session.host()
                + ": the firewall can only be read as root.");
    return Done {};
}

SessionError SnapshotCollector::Private::sudoPasswordRequired() const
{
    std::string allowed;
    for (const auto& spec : commandPlan())
        if (spec.privileged && probe.path(spec.program))
            allowed += (allowed.empty() ? "" : ", ") + *probe.path(spec.program) + spec.arguments;
    return sessionError(ErrorCode::SudoPasswordRequired,
        "sudo on " + session.host() + " wants a password for " + session.user()
            + ". Give the sudo password when asked (it is sent on stdin and never stored), log in as root, or allow "
              "the read-only commands without a password, e.g. with `visudo -f /etc/sudoers.d/chainsight` and the "
              "line: "
            + session.user() + " ALL=(root) NOPASSWD: " + allowed);
}

Outcome<Done> SnapshotCollector::Private::askSudoPassword()
{
    if (!callbacks.sudoPassword
        || !callbacks.sudoPassword("[sudo] password for " + session.user() + "@" + session.host() + ": ", sudoPassword)
        || sudoPassword.empty())
        return sudoPasswordRequired();
    sudoWithPassword = true;
    return Done {};
}

Outcome<model::SourceRecord> SnapshotCollector::Private::runOnce(
    const char* kind, const std::string& line, bool privileged)
{
    model::SourceRecord record;
    record.kind = kind;
    record.origin = line;
    RecordWriter writer(record);
    const bool withPassword = privileged && !root() && sudoWithPassword;
    auto result = session.run(line, std::ref(writer), withPassword ? &sudoPassword : nullptr);
    if (!result.ok())
        return result.error();
    const CommandResult& status = result.value();
    record.exitStatus = status.exitStatus;
    record.sha256 = writer.hex();
    if (status.exitStatus == 127)
        return absent(kind, line);
    if (privileged && !root() && sudoRefused(status)) {
        if (!sudoWithPassword && status.errorText.find("password") != std::string::npos)
            return sudoPasswordRequired(); // the caller asks for the password and runs the command again
        return sessionError(ErrorCode::SudoRefused, "sudo on " + session.host() + " refused `" + line + "`.",
            firstLine(status.errorText));
    }
    if (status.exitStatus != 0)
        capture.notes.push_back("`" + line + "` exited with "
            + (status.exitStatus ? std::to_string(*status.exitStatus) : std::string("a signal")) + ": "
            + firstLine(status.errorText));
    return record;
}

Outcome<model::SourceRecord> SnapshotCollector::Private::run(
    const char* kind, const std::string& program, const std::string& arguments, bool privileged)
{
    if (cancel && cancel->isCancelled())
        return sessionError(ErrorCode::Cancelled, "Cancelled.");
    const auto path = probe.path(program);
    progress(path ? prefix(privileged) + *path + arguments : program + arguments);
    if (!path)
        return absent(kind, program + arguments);
    const std::string line = prefix(privileged) + *path + arguments;
    auto record = runOnce(kind, line, privileged);
    if (record.ok() || record.error().code != ErrorCode::SudoPasswordRequired)
        return record;
    if (auto asked = askSudoPassword(); !asked.ok())
        return asked.error();
    return runOnce(kind, prefix(privileged) + *path + arguments, privileged);
}

Outcome<Done> SnapshotCollector::Private::runCommands()
{
    for (const auto& spec : commandPlan()) {
        const bool variant = spec.variant[0] != '\0';
        if (variant && !probe.path(spec.program)) {
            progress(std::string(spec.program) + " (not installed)");
            continue;
        }
        auto record = run(spec.kind, spec.program, spec.arguments, spec.privileged);
        if (!record.ok())
            return record.error();
        record.value().variant = spec.variant;
        capture.sources.push_back(std::move(record.value()));
    }
    return Done {};
}

Outcome<Done> SnapshotCollector::Private::runFiles()
{
    for (const auto& spec : filePlan()) {
        if (!probe.hasFile(spec.path)) {
            progress(std::string("cat ") + spec.path);
            capture.sources.push_back(absent(spec.kind, std::string("cat ") + spec.path));
            continue;
        }
        auto record = run(spec.kind, "cat", std::string(" ") + spec.path, false);
        if (!record.ok())
            return record.error();
        capture.sources.push_back(std::move(record.value()));
    }
    return Done {};
}

Outcome<Done> SnapshotCollector::Private::runDocker()
{
    for (const auto& spec : dockerPlan()) {
        auto list = run(spec.kind, "docker", spec.listArguments, true);
        if (!list.ok())
            return list.error();
        model::SourceRecord& listed = list.value();
        if (listed.absent || listed.exitStatus != 0) {
            // no Docker, or a daemon that does not answer: the listing itself is the record
            progress("docker" + std::string(spec.inspectArguments));
            capture.sources.push_back(std::move(listed));
            continue;
        }
        std::vector<std::string> rejected;
        const auto ids = parseDockerIds(listed.text, &rejected);
        for (const auto& bad : rejected)
            capture.notes.push_back("ignored a Docker ID that is not hex: " + firstLine(bad));
        if (ids.empty()) {
            progress("docker" + std::string(spec.inspectArguments));
            listed.text = "[]";
            listed.sha256 = model::sha256Hex(listed.text);
            capture.sources.push_back(std::move(listed));
            continue;
        }
        std::string arguments = spec.inspectArguments;
        for (const auto& id : ids)
            arguments += " " + id;
        auto inspected = run(spec.kind, "docker", arguments, true);
        if (!inspected.ok())
            return inspected.error();
        capture.sources.push_back(std::move(inspected.value()));
    }
    return Done {};
}

void SnapshotCollector::Private::keepBackendDumpsOnlyWhenBothHoldRules()
{
    for (const char* kind : { sk::IptablesV4, sk::IptablesV6 }) {
        auto isVariant
            = [&](const model::SourceRecord& r, const char* variant) { return r.kind == kind && r.variant == variant; };
        const auto& sources = capture.sources;
        const auto legacy
            = std::find_if(sources.begin(), sources.end(), [&](const auto& r) { return isVariant(r, "legacy"); });
        const auto nft
            = std::find_if(sources.begin(), sources.end(), [&](const auto& r) { return isVariant(r, "nft"); });
        const bool both
            = legacy != sources.end() && nft != sources.end() && holdsRules(legacy->text) && holdsRules(nft->text);
        if (both) {
            capture.notes.push_back(
                std::string(kind) + ": both the legacy and the nft backend hold rules; both dumps are kept");
            continue;
        }
        std::erase_if(capture.sources, [&](const auto& r) { return isVariant(r, "legacy") || isVariant(r, "nft"); });
    }
}

SnapshotCollector::SnapshotCollector(HostSession& session, SessionCallbacks& callbacks, CancelTokenPtr cancel)
    : d(new Private { session, callbacks, std::move(cancel), {}, {}, {}, false, 0, 0 })
{
}

SnapshotCollector::~SnapshotCollector() = default;

Outcome<RemoteCapture> SnapshotCollector::collect()
{
    d->step = 0;
    d->total = static_cast<int>(2 + commandPlan().size() + filePlan().size() + 2 * dockerPlan().size());
    d->progress("connecting");
    if (auto opened = d->session.open(d->callbacks); !opened.ok())
        return opened.error();
    for (auto part : { &Private::runProbe, &Private::runCommands, &Private::runFiles, &Private::runDocker }) {
        if (auto done = (d.get()->*part)(); !done.ok()) {
            d->session.close();
            d->sudoPassword.clear();
            return done.error();
        }
    }
    d->session.close();
    d->sudoPassword.clear();
    d->keepBackendDumpsOnlyWhenBothHoldRules();

    RemoteCapture capture = std::move(d->capture);
    d->capture = {};
    capture.meta.takenAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    capture.meta.takenFrom
        = "ssh " + d->session.user() + "@" + d->session.host() + ":" + std::to_string(d->session.port());
    capture.meta.chainsightVersion = CHAINSIGHT_VERSION;
    for (const auto& source : capture.sources)
        if (source.kind == sk::Hostname && !source.absent)
            capture.meta.hostname = firstLine(source.text);
    return capture;
}

} // namespace remote
