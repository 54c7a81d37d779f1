#include "model/ruleset.h"

#include <algorithm>
#include <array>

namespace model {

const char* familyName(Family f) noexcept
{
    return f == Family::IPv4 ? "ipv4" : "ipv6";
}

const char* backendName(Backend b) noexcept
{
    switch (b) {
    case Backend::NfTables: return "nf_tables";
    case Backend::Legacy: return "legacy";
    case Backend::Unknown: break;
    }
    return "unknown";
}

namespace {
constexpr std::array<std::pair<Provenance, const char*>, 8> kProvenanceNames { {
    { Provenance::Unknown, "unknown" },
    { Provenance::Docker, "docker" },
    { Provenance::Tailscale, "tailscale" },
    { Provenance::Ufw, "ufw" },
    { Provenance::Firewalld, "firewalld" },
    { Provenance::KubeProxy, "kube-proxy" },
    { Provenance::Fail2ban, "fail2ban" },
    { Provenance::CloudImage, "cloud-image" },
} };
}

const char* provenanceName(Provenance p) noexcept
{
    for (const auto& [value, name] : kProvenanceNames)
        if (value == p)
            return name;
    return "unknown";
}

std::optional<Provenance> provenanceFromName(std::string_view name) noexcept
{
    for (const auto& [value, n] : kProvenanceNames)
        if (name == n)
            return value;
    return std::nullopt;
}

const Option* Match::option(std::string_view n) const noexcept
{
    auto it = std::find_if(options.begin(), options.end(), [&](const Option& o) { return o.name == n; });
    return it == options.end() ? nullptr : &*it;
}

const Option* Target::option(std::string_view n) const noexcept
{
    auto it = std::find_if(options.begin(), options.end(), [&](const Option& o) { return o.name == n; });
    return it == options.end() ? nullptr : &*it;
}

bool Rule::sameRule(const Rule& o) const noexcept
{
    return source == o.source && destination == o.destination && inInterface == o.inInterface
        && outInterface == o.outInterface && protocol == o.protocol && fragment == o.fragment && matches == o.matches
        && target == o.target;
}

const Match* Rule::match(std::string_view module) const noexcept
{
    auto it = std::find_if(matches.begin(), matches.end(), [&](const Match& m) { return m.module == module; });
    return it == matches.end() ? nullptr : &*it;
}

const Chain* Table::chain(std::string_view n) const noexcept
{
    const int i = chainIndex(n);
    return i < 0 ? nullptr : &chains[static_cast<std::size_t>(i)];
}

int Table::chainIndex(std::string_view n) const noexcept
{
    for (std::size_t i = 0; i < chains.size(); ++i)
        if (chains[i].name == n)
            return static_cast<int>(i);
    return -1;
}

const Table* Ruleset::table(std::string_view n) const noexcept
{
    auto it = std::find_if(tables.begin(), tables.end(), [&](const Table& t) { return t.name == n; });
    return it == tables.end() ? nullptr : &*it;
}

std::size_t Ruleset::ruleCount() const noexcept
{
    std::size_t n = 0;
    for (const auto& t : tables)
        for (const auto& c : t.chains)
            n += c.rules.size();
    return n;
}

bool isKnownTable(std::string_view t) noexcept
{
    return t == "raw" || t == "mangle" || t == "nat" || t == "filter" || t == "security";
}

bool isBuiltinChain(std::string_view table, std::string_view chain) noexcept
{
    const bool pre = chain == "PREROUTING", in = chain == "INPUT", fwd = chain == "FORWARD", out = chain == "OUTPUT",
               post = chain == "POSTROUTING";
    if (table == "raw")
        return pre || out;
    if (table == "mangle")
        return pre || in || fwd || out || post;
    if (table == "nat")
        return pre || in || out || post;
    if (table == "filter" || table == "security")
        return in || fwd || out;
    return false;
}

} // namespace model
