#include "model/snapshotbuilder.h"

#include "model/parse/docker.h"
#include "model/parse/hosttext.h"
#include "model/parse/iproute.h"
#include "model/parse/iptables.h"

#include <QCryptographicHash>

#include <map>

namespace model {

namespace {

std::string trimmed(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

std::string label(const SourceRecord& r)
{
    return r.origin.empty() ? r.kind : r.kind + " (" + r.origin + ')';
}

class Builder {
public:
    Builder(Snapshot& snapshot, BuildOptions options)
        : m_s(snapshot)
        , m_options(options)
    {
    }

    std::optional<ParseError> add(const SourceRecord& r)
    {
        const auto [earlier, inserted] = m_seen.emplace(r.kind + '\x1f' + r.variant, r.origin);
        if (!inserted) {
            ParseError error { ErrorCode::Conflict, 0, 0,
                "two sources claim " + r.kind + ": " + earlier->second + " and " + r.origin, r.origin };
            if (m_options.strict)
                return error;
            note(error.message + "; the second is ignored");
            return std::nullopt;
        }
        if (r.absent)
            return addAbsent(r);
        if (r.exitStatus.value_or(0) != 0 && trimmed(r.text).empty()) {
            note(label(r) + ": the command failed (exit status " + std::to_string(*r.exitStatus) + ") and printed nothing; unknown");
            return std::nullopt;
        }
        return parse(r);
    }

private:
    void note(std::string text) { m_s.notes.push_back(std::move(text)); }

    std::optional<ParseError> failed(const SourceRecord& r, ParseError error)
    {
        error.where = r.origin.empty() ? r.kind : r.origin;
        if (m_options.strict)
            return error;
        note(label(r) + " could not be read and is treated as unknown: " + error.toString());
        return std::nullopt;
    }

    DockerState& docker()
    {
        if (!m_s.docker)
            m_s.docker.emplace();
        return *m_s.docker;
    }

    std::optional<ParseError> addAbsent(const SourceRecord& r)
    {
        // The host has no such command or file: that is knowledge (nothing there), not a gap.
        if (r.kind == SourceKind::IptablesV4 || r.kind == SourceKind::IptablesV6) {
            auto rs = std::make_shared<Ruleset>();
            rs->family = r.kind == SourceKind::IptablesV4 ? Family::IPv4 : Family::IPv6;
            (r.kind == SourceKind::IptablesV4 ? m_s.ipv4 : m_s.ipv6) = rs;
        } else if (r.kind == SourceKind::IpsetSave) {
            m_s.ipsets.emplace();
        } else if (r.kind == SourceKind::DockerNetworks) {
            docker().networks.emplace();
        } else if (r.kind == SourceKind::DockerContainers) {
            docker().containers.emplace();
        } else if (r.kind == SourceKind::ResolvConf) {
            m_s.resolv.emplace();
        }
        note(label(r) + ": not present on the host");
        return std::nullopt;
    }

    std::optional<ParseError> parse(const SourceRecord& r)
    {
        if (r.kind == SourceKind::IptablesV4 || r.kind == SourceKind::IptablesV6)
            return addRuleset(r);
        if (r.kind == SourceKind::IpsetSave)
            return assign(r, parse::parseIpsetSave(r.text), m_s.ipsets);
        if (r.kind == SourceKind::IpAddr)
            return assign(r, parse::parseIpAddr(r.text), m_s.interfaces);
        if (r.kind == SourceKind::IpRoute || r.kind == SourceKind::IpRoute6)
            return addRoutes(r);
        if (r.kind == SourceKind::ResolvConf)
            return assign(r, parse::parseResolvConf(r.text), m_s.resolv);
        if (r.kind == SourceKind::Sysctl)
            return addSysctl(r);
        if (r.kind.rfind("docker", 0) == 0 || r.kind == SourceKind::DaemonJson)
            return addDocker(r);
        if (r.kind == SourceKind::KernelRelease)
            m_s.kernelRelease = trimmed(r.text);
        else if (r.kind == SourceKind::IptablesVersion)
            m_s.iptablesVersion = trimmed(r.text);
        else if (r.kind == SourceKind::Hostname && m_s.meta.hostname.empty())
            m_s.meta.hostname = trimmed(r.text);
        else if (r.kind != SourceKind::NftRuleset && r.kind != SourceKind::Hostname)
            note(label(r) + ": a kind of source this version does not read; kept verbatim");
        return std::nullopt;
    }

    template <typename T, typename U>
    std::optional<ParseError> assign(const SourceRecord& r, Result<T> parsed, std::optional<U>& into)
    {
        if (!parsed)
            return failed(r, parsed.error());
        into = std::move(parsed).value();
        return std::nullopt;
    }

    std::optional<ParseError> addRuleset(const SourceRecord& r)
    {
        const bool v4 = r.kind == SourceKind::IptablesV4;
        RulesetPtr& slot = v4 ? m_s.ipv4 : m_s.ipv6;
        auto parsed = parse::parseRulesetText(r.text, v4 ? Family::IPv4 : Family::IPv6);
        if (!parsed)
            return failed(r, parsed.error());
        auto rs = std::make_shared<Ruleset>(std::move(parsed).value());
        if (rs->backend == Backend::Unknown && (r.variant == "legacy" || r.variant == "nft"))
            rs->backend = r.variant == "legacy" ? Backend::Legacy : Backend::NfTables;
        if (rs->truncatedAtLine)
            note(label(r) + ": truncated at line " + std::to_string(*rs->truncatedAtLine) + "; read up to the cut");
        for (const auto& n : rs->notes)
            note(label(r) + ": " + n);
        if (slot) {
            // Both backends hold rules: the analysis follows the first, the other is reported.
            note(label(r) + " also holds " + std::to_string(rs->ruleCount()) + " rules; the analysis uses the "
                + std::string(backendName(slot->backend)) + " ruleset");
            return std::nullopt;
        }
        slot = std::move(rs);
        return std::nullopt;
    }

    std::optional<ParseError> addRoutes(const SourceRecord& r)
    {
        auto parsed = parse::parseIpRoute(r.text, r.kind == SourceKind::IpRoute6);
        if (!parsed)
            return failed(r, parsed.error());
        if (!m_s.routes)
            m_s.routes.emplace();
        for (auto& route : parsed.value())
            m_s.routes->push_back(std::move(route));
        return std::nullopt;
    }

    std::optional<ParseError> addSysctl(const SourceRecord& r)
    {
        auto parsed = parse::parseSysctl(r.text);
        if (!parsed)
            return failed(r, parsed.error());
        for (auto& [key, value] : parsed.value().values)
            m_s.sysctls[key] = value;
        for (const auto& key : parsed.value().absent)
            note("sysctl " + key + " does not exist on the host (for net.bridge.*: br_netfilter is not loaded)");
        return std::nullopt;
    }

    std::optional<ParseError> addDocker(const SourceRecord& r);

    Snapshot& m_s;
    BuildOptions m_options;
    std::map<std::string, std::string> m_seen; // kind + variant -> origin
};

std::optional<ParseError> Builder::addDocker(const SourceRecord& r)
{
    if (r.kind == SourceKind::DockerNetworks)
        return assign(r, parse::parseDockerNetworks(r.text), docker().networks);
    if (r.kind == SourceKind::DockerContainers)
        return assign(r, parse::parseDockerContainers(r.text), docker().containers);
    if (r.kind == SourceKind::DaemonJson) {
        auto parsed = parse::parseDaemonJson(r.text);
        if (!parsed)
            return failed(r, parsed.error());
        docker().daemon = std::move(parsed).value();
        return std::nullopt;
    }
    if (r.kind == SourceKind::DockerVersion) {
        auto parsed = parse::parseDockerVersion(r.text);
        if (!parsed)
            return failed(r, parsed.error());
        auto& d = docker();
        d.version = parsed->serverVersion ? parsed->serverVersion : d.version;
        d.apiVersion = parsed->apiVersion;
        d.kernelVersion = parsed->kernelVersion ? parsed->kernelVersion : d.kernelVersion;
        return std::nullopt;
    }
    if (r.kind == SourceKind::DockerInfo) {
        auto parsed = parse::parseDockerInfo(r.text);
        if (!parsed)
            return failed(r, parsed.error());
        auto& d = docker();
        if (!d.version)
            d.version = parsed->serverVersion;
        d.swarmNodeState = parsed->swarmNodeState;
        if (parsed->swarmNodeState)
            d.swarmActive = *parsed->swarmNodeState == "active";
        d.securityOptions = parsed->securityOptions;
        d.firewallDriver = parsed->firewallDriver;
        if (!d.kernelVersion)
            d.kernelVersion = parsed->kernelVersion;
        if (m_s.meta.hostname.empty() && parsed->name)
            m_s.meta.hostname = *parsed->name;
        return std::nullopt;
    }
    note(label(r) + ": a kind of source this version does not read; kept verbatim");
    return std::nullopt;
}

} // namespace

std::string sha256Hex(std::string_view text)
{
    const QByteArray digest = QCryptographicHash::hash(QByteArrayView(text.data(), static_cast<qsizetype>(text.size())),
        QCryptographicHash::Sha256);
    return digest.toHex().toStdString();
}

SourceRecord makeSource(std::string kind, std::string origin, std::string text, std::optional<int> exitStatus)
{
    SourceRecord r;
    r.kind = std::move(kind);
    r.origin = std::move(origin);
    r.text = std::move(text);
    r.sha256 = sha256Hex(r.text);
    r.exitStatus = exitStatus;
    return r;
}

Result<SnapshotPtr> snapshotFromSources(SnapshotMeta meta, std::vector<SourceRecord> sources, BuildOptions options) noexcept
{
    try {
        auto snapshot = std::make_shared<Snapshot>();
        snapshot->meta = std::move(meta);
        snapshot->sources = std::move(sources);
        Builder builder(*snapshot, options);
        for (auto& r : snapshot->sources) {
            if (r.sha256.empty())
                r.sha256 = sha256Hex(r.text);
            if (auto error = builder.add(r))
                return std::move(*error);
        }
        // The daemon reports the host's kernel; use it when uname -r was not captured.
        if (!snapshot->kernelRelease && snapshot->docker && snapshot->docker->kernelVersion)
            snapshot->kernelRelease = snapshot->docker->kernelVersion;
        return SnapshotPtr(std::move(snapshot));
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, std::string("could not build the snapshot: ") + e.what(), {} };
    }
}

} // namespace model
