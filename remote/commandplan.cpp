#include "remote/commandplan.h"

#include "model/snapshot.h"

#include <charconv>

namespace remote {

namespace sk = model::SourceKind;

const std::vector<CommandSpec>& commandPlan()
{
    static const std::vector<CommandSpec> plan {
        { sk::Hostname, "hostname", "", false },
        { sk::KernelRelease, "uname", " -r", false },
        { sk::IptablesVersion, "iptables", " --version", false },
        { sk::IptablesV4, "iptables-save", " -c", true },
        { sk::IptablesV6, "ip6tables-save", " -c", true },
        { sk::IptablesV4, "iptables-legacy-save", " -c", true, "legacy" },
        { sk::IptablesV4, "iptables-nft-save", " -c", true, "nft" },
        { sk::IptablesV6, "ip6tables-legacy-save", " -c", true, "legacy" },
        { sk::IptablesV6, "ip6tables-nft-save", " -c", true, "nft" },
        { sk::IpsetSave, "ipset", " save", true },
        { sk::NftRuleset, "nft", " list ruleset", true },
        { sk::IpAddr, "ip", " -j addr", false },
        { sk::IpRoute, "ip", " -j route", false },
        { sk::IpRoute6, "ip", " -j -6 route", false },
        { sk::Sysctl, "sysctl",
            " -e net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv6.conf.all.forwarding"
            " net.ipv4.conf.all.rp_filter net.ipv4.conf.default.rp_filter net.ipv4.conf.all.route_localnet"
            " net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables"
            " net.ipv6.conf.all.disable_ipv6 net.netfilter.nf_conntrack_max",
            false },
        { sk::DockerVersion, "docker", " version --format '{{json .}}'", true },
        { sk::DockerInfo, "docker", " info --format '{{json .}}'", true },
    };
    return plan;
}

const std::vector<FileSpec>& filePlan()
{
    static const std::vector<FileSpec> plan {
        { sk::DaemonJson, "/etc/docker/daemon.json" },
        { sk::ResolvConf, "/etc/resolv.conf" },
    };
    return plan;
}

const std::vector<DockerListSpec>& dockerPlan()
{
    static const std::vector<DockerListSpec> plan {
        { sk::DockerNetworks, " network ls -q --no-trunc", " network inspect" },
        { sk::DockerContainers, " ps -aq --no-trunc", " inspect" },
    };
    return plan;
}

std::string probeCommand()
{
    std::string programs;
    auto add = [&](const char* name) {
        if (programs.find(std::string(" ") + name + " ") == std::string::npos)
            programs += std::string(name) + " ";
    };
    add("cat");
    add("sudo");
    add("env");
    for (const auto& spec : commandPlan())
        add(spec.program);
    std::string files;
    for (const auto& spec : filePlan())
        files += std::string(spec.path) + " ";
    // sbin directories are missing from a normal user's PATH; sudo's secure_path has them
    return "sh -c 'id -u; PATH=\"$PATH:/usr/local/sbin:/usr/sbin:/sbin\"; for c in " + programs
        + "; do p=$(command -v \"$c\" 2>/dev/null) && echo \"$c $p\"; done; for f in " + files
        + "; do test -e \"$f\" && echo \"file $f\"; done; exit 0'";
}

std::optional<std::string> ProbeResult::path(std::string_view program) const
{
    for (const auto& [name, where] : programs)
        if (name == program)
            return where;
    return std::nullopt;
}

bool ProbeResult::hasFile(std::string_view file) const
{
    for (const auto& f : files)
        if (f == file)
            return true;
    return false;
}

std::optional<ProbeResult> parseProbe(std::string_view output)
{
    ProbeResult probe;
    bool first = true;
    while (!output.empty()) {
        const auto end = output.find('\n');
        const std::string_view line = output.substr(0, end);
        output = end == std::string_view::npos ? std::string_view() : output.substr(end + 1);
        if (first) {
            const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), probe.uid);
            if (ec != std::errc() || ptr != line.data() + line.size())
                return std::nullopt;
            first = false;
            continue;
        }
        const auto space = line.find(' ');
        if (space == std::string_view::npos)
            continue;
        const std::string name(line.substr(0, space));
        const std::string value(line.substr(space + 1));
        if (!isSafePath(value))
            continue; // a path we could not pass on safely: treat the program as absent
        if (name == "file")
            probe.files.push_back(value);
        else
            probe.programs.emplace_back(name, value);
    }
    if (first)
        return std::nullopt;
    return probe;
}

bool isDockerId(std::string_view text) noexcept
{
    if (text.size() < 12 || text.size() > 64)
        return false;
    for (const char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::vector<std::string> parseDockerIds(std::string_view output, std::vector<std::string>* rejected)
{
    std::vector<std::string> ids;
    while (!output.empty()) {
        const auto end = output.find('\n');
        std::string_view line = output.substr(0, end);
        output = end == std::string_view::npos ? std::string_view() : output.substr(end + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.remove_suffix(1);
        if (line.empty())
            continue;
        if (isDockerId(line))
            ids.emplace_back(line);
        else if (rejected != nullptr)
            rejected->emplace_back(line);
    }
    return ids;
}

bool isSafePath(std::string_view text) noexcept
{
    if (text.empty() || text.front() != '/' || text.find("..") != std::string_view::npos)
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/'
            || c == '.' || c == '_' || c == '-' || c == '+';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace remote
