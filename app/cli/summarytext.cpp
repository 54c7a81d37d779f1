// Text rendering of the show summary (see snapshotsummary.h). Reads only the JSON, so both formats agree.
#include "app/cli/snapshotsummary.h"

#include <iomanip>
#include <sstream>

namespace cli {

using nlohmann::json;

namespace {

std::string orUnknown(const json& value)
{
    if (value.is_null() || (value.is_string() && value.get<std::string>().empty()))
        return "unknown";
    return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string joined(const json& list, const char* separator = ", ")
{
    std::string out;
    for (const auto& item : list) {
        if (!out.empty())
            out += separator;
        out += item.is_string() ? item.get<std::string>() : item.dump();
    }
    return out;
}

void ruleset(std::ostream& out, const char* family, const json& rs)
{
    if (rs.is_null()) {
        out << family << ": not captured (unknown)\n";
        return;
    }
    out << family << ": " << rs["format"].get<std::string>() << ", backend " << rs["backend"].get<std::string>() << ", "
        << rs["rules"] << " rules\n";
    for (const auto& t : rs["tables"])
        out << "  table " << std::left << std::setw(10) << t["name"].get<std::string>() << std::right << std::setw(4)
            << t["chains"].get<int>() << " chains " << std::setw(5) << t["rules"].get<int>() << " rules\n";
    std::string provenance;
    for (const auto& [name, count] : rs["rulesByProvenance"].items())
        provenance += (provenance.empty() ? "" : ", ") + name + ' ' + count.dump();
    if (!provenance.empty())
        out << "  rules by provenance: " << provenance << '\n';
}

void docker(std::ostream& out, const json& d)
{
    if (d.is_null()) {
        out << "Docker: not captured (unknown)\n";
        return;
    }
    out << "Docker " << orUnknown(d["version"]) << ", swarm " << orUnknown(d["swarm"]) << '\n';
    if (!d["daemon"].empty()) {
        std::string options;
        for (const auto& [name, value] : d["daemon"].items())
            options += (options.empty() ? "" : " ") + name + '=' + (value.is_string() ? value.get<std::string>() : value.dump());
        out << "  daemon.json: " << options << '\n';
    }
    out << "  networks (" << d["networks"].size() << "):\n";
    for (const auto& n : d["networks"]) {
        out << "    " << std::left << std::setw(16) << n["name"].get<std::string>() << ' ' << std::setw(16)
            << (n["bridge"].get<std::string>().empty() ? n["driver"].get<std::string>() : n["bridge"].get<std::string>()) << ' '
            << std::setw(20) << joined(n["subnets"]) << std::right << ' ' << joined(n["flags"], " ") << '\n';
    }
    out << "  containers (" << d["containers"].size() << "):\n";
    for (const auto& c : d["containers"]) {
        out << "    " << std::left << std::setw(16) << c["name"].get<std::string>() << std::right << ' ' << joined(c["addresses"]);
        if (!c["ports"].empty())
            out << "  ports " << joined(c["ports"]);
        if (!c["running"].get<bool>())
            out << "  (stopped)";
        out << '\n';
    }
}

} // namespace

std::string summaryText(const json& s)
{
    std::ostringstream out;
    const auto& m = s["meta"];
    out << "Snapshot of " << orUnknown(m["hostname"]);
    if (!m["label"].get<std::string>().empty())
        out << ": " << m["label"].get<std::string>();
    out << "\n  taken " << orUnknown(m["takenAt"]) << " from " << orUnknown(m["takenFrom"]);
    if (m["predicted"].get<bool>())
        out << " [predicted, not captured]";
    out << "\n  written by Chainsight " << orUnknown(m["chainsightVersion"]) << "\n\n";
    ruleset(out, "IPv4", s["ipv4"]);
    ruleset(out, "IPv6", s["ipv6"]);
    out << '\n';
    docker(out, s["docker"]);
    out << "\nHost: interfaces " << orUnknown(s["interfaces"]) << ", routes " << orUnknown(s["routes"]) << ", ipsets "
        << orUnknown(s["ipsets"]) << ", nameservers " << (s["nameservers"].is_null() ? std::string("unknown") : joined(s["nameservers"])) << '\n';
    for (const auto& [key, value] : s["sysctls"].items())
        out << "  " << key << " = " << value.get<std::string>() << '\n';
    out << "\nUnknown (not captured): " << (s["unknown"].empty() ? std::string("nothing") : joined(s["unknown"])) << '\n';
    out << "Truncated: " << (s["truncated"].empty() ? std::string("nothing") : joined(s["truncated"])) << '\n';
    if (!s["notes"].empty()) {
        out << "Notes:\n";
        for (const auto& n : s["notes"])
            out << "  - " << n.get<std::string>() << '\n';
    }
    out << "\nSources (" << s["sources"].size() << "):\n";
    for (const auto& r : s["sources"])
        out << "  " << std::left << std::setw(18) << r["kind"].get<std::string>() << std::right << std::setw(8) << r["bytes"].get<std::size_t>()
            << " bytes  " << r["sha256"].get<std::string>().substr(0, 12) << "  " << r["origin"].get<std::string>()
            << (r["absent"].get<bool>() ? "  (absent on the host)" : "") << '\n';
    return out.str();
}

} // namespace cli
