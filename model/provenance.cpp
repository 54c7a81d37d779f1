#include "model/provenance.h"

#include "model/parse/iptables.h"
#include "model/parse/nameindex.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace model {

namespace {

bool startsWith(std::string_view s, std::string_view p) noexcept
{
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

bool endsWith(std::string_view s, std::string_view p) noexcept
{
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

bool isFirewalldChain(std::string_view c) noexcept
{
    static constexpr std::array<std::string_view, 8> kPrefixes { "IN_", "FWD_", "FWDI_", "FWDO_", "PRE_", "POST_",
        "OUT_", "FORWARD_" };
    static constexpr std::array<std::string_view, 3> kSuffixes { "_direct", "_ZONES", "_ZONES_SOURCE" };
    for (const auto p : kPrefixes)
        if (startsWith(c, p) && c.size() > p.size())
            return true;
    for (const auto s : kSuffixes)
        if (endsWith(c, s) && c.size() > s.size())
            return true;
    return false;
}

ProvenanceDecision decide(Provenance p, std::string reason) { return ProvenanceDecision { p, std::move(reason) }; }

bool isDockerBridge(std::string_view iface) noexcept
{
    if (iface == "docker0" || iface == "docker_gwbridge")
        return true;
    if (!startsWith(iface, "br-") || iface.size() != 15)
        return false;
    return std::all_of(iface.begin() + 3, iface.end(),
        [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string_view optionArg(const Option* o) noexcept
{
    return o && !o->args.empty() ? std::string_view(o->args.front()) : std::string_view();
}

std::string_view commentOf(const Rule& r) noexcept
{
    const Match* m = r.match("comment");
    return m ? optionArg(m->option("--comment")) : std::string_view();
}

// A chain's owner follows from its name alone, and the reason names the convention rather than the chain, so
// one shared copy serves every chain of an owner (kube-proxy dumps hold tens of thousands of chains).
struct ChainOwner {
    Provenance provenance = Provenance::Unknown;
    const char* reason = "";
};

ChainOwner chainOwner(std::string_view c) noexcept
{
    if (c == "DOCKER" || startsWith(c, "DOCKER-") || startsWith(c, "DOCKER_"))
        return { Provenance::Docker, "chain named DOCKER, DOCKER-* or DOCKER_*: Docker's naming" };
    if (startsWith(c, "ts-"))
        return { Provenance::Tailscale, "chain named ts-*: Tailscale's naming" };
    if (startsWith(c, "ufw-") || startsWith(c, "ufw6-"))
        return { Provenance::Ufw, "chain named ufw-* or ufw6-*: ufw's naming" };
    if (startsWith(c, "KUBE-"))
        return { Provenance::KubeProxy, "chain named KUBE-*: kube-proxy's naming" };
    if (startsWith(c, "f2b-") || startsWith(c, "fail2ban-"))
        return { Provenance::Fail2ban, "chain named f2b-* or fail2ban-*: fail2ban's naming" };
    if (c == "InstanceServices")
        return { Provenance::CloudImage, "chain InstanceServices ships with Oracle Cloud images" };
    if (isFirewalldChain(c))
        return { Provenance::Firewalld, "chain name in firewalld's naming" };
    return {};
}

struct Context {
    bool oracleImage = false; // an InstanceServices chain: the stock OCI ruleset is present
    parse::NameIndex chains; // provenance of each chain of the table being classified
    // One copy of each distinct reason: thousands of rules give the same one.
    std::unordered_map<std::string, SharedString> reasons;
    std::array<SharedString, 8> ownerReasons; // by Provenance: the reason of every chain that owner names

    SharedString intern(std::string reason)
    {
        if (reason.empty())
            return {};
        const auto it = reasons.find(reason);
        if (it != reasons.end())
            return it->second;
        SharedString shared(reason);
        reasons.emplace(std::move(reason), shared);
        return shared;
    }
};

// The stock INPUT/FORWARD rules of Oracle Cloud images, as iptables-save prints them.
bool isOracleImageRule(std::string_view chain, const std::string& text) noexcept
{
    static constexpr std::array<std::string_view, 6> kInput {
        "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p icmp -j ACCEPT",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -p udp -m udp --sport 123 -j ACCEPT",
        "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT",
        "-A INPUT -j REJECT --reject-with icmp-host-prohibited",
    };
    if (chain == "FORWARD")
        return text == "-A FORWARD -j REJECT --reject-with icmp-host-prohibited";
    return chain == "INPUT" && std::find(kInput.begin(), kInput.end(), text) != kInput.end();
}

bool hasTailscaleMark(const Rule& r) noexcept
{
    const auto isTsMark = [](std::string_view v) { return startsWith(v, "0x40000/0xff0000"); };
    if (const Match* m = r.match("mark"); m && isTsMark(optionArg(m->option("--mark"))))
        return true;
    if (r.target.name == "MARK" && isTsMark(optionArg(r.target.option("--set-xmark"))))
        return true;
    if (r.target.name == "CONNMARK" && optionArg(r.target.option("--nfmask")) == "0xff0000")
        return true;
    return false;
}

std::optional<ProvenanceDecision> byInterfaces(const Rule& r)
{
    for (const auto* m : { &r.inInterface, &r.outInterface }) {
        if (!*m)
            continue;
        if (isDockerBridge((*m)->value))
            return decide(Provenance::Docker, "matches Docker bridge " + (*m)->value);
        if ((*m)->value == "tailscale0")
            return decide(Provenance::Tailscale, "matches interface tailscale0");
    }
    return std::nullopt;
}

std::optional<ProvenanceDecision> byAddressesAndMarks(const Rule& r, const std::string& table, std::string_view chain)
{
    for (const auto* m : { &r.source, &r.destination }) {
        if (!*m)
            continue;
        const std::string& v = (*m)->value;
        if (v == "100.64.0.0/10" || startsWith(v, "fd7a:115c:a1e0:"))
            return decide(Provenance::Tailscale, "Tailscale's CGNAT range " + v);
        if (startsWith(v, "168.63.129.16"))
            return decide(Provenance::CloudImage, "Azure WALinuxAgent rule for the wire server 168.63.129.16");
        if (startsWith(v, "169.254.170.2") && (r.target.name == "DNAT" || r.target.name == "REDIRECT"))
            return decide(Provenance::CloudImage, "AWS ECS agent redirect of 169.254.170.2");
    }
    if (hasTailscaleMark(r))
        return decide(Provenance::Tailscale, "Tailscale's packet mark 0x40000/0xff0000");
    if (const Match* set = r.match("set"); set && startsWith(optionArg(set->option("--match-set")), "docker-"))
        return decide(Provenance::Docker, "matches Docker's ipset " + std::string(optionArg(set->option("--match-set"))));
    // Docker 27's hairpin rule: a container masquerading traffic to itself on a published port.
    if (table == "nat" && chain == "POSTROUTING" && r.target.name == "MASQUERADE" && r.source && r.destination
        && r.source->value == r.destination->value && (endsWith(r.source->value, "/32") || endsWith(r.source->value, "/128"))
        && r.protocol)
        return decide(Provenance::Docker, "Docker's hairpin MASQUERADE for a published port");
    return std::nullopt;
}

std::optional<ProvenanceDecision> byComment(const Rule& r)
{
    const std::string_view c = commentOf(r);
    if (c.empty())
        return std::nullopt;
    if (c.find("kubernetes") != std::string_view::npos || startsWith(c, "kube"))
        return decide(Provenance::KubeProxy, "kube-proxy comment");
    if (startsWith(c, "'dapp_") || c.find("ufw") != std::string_view::npos)
        return decide(Provenance::Ufw, "ufw comment");
    if (c.find("Oracle") != std::string_view::npos)
        return decide(Provenance::CloudImage, "Oracle Cloud image comment");
    return std::nullopt;
}

ProvenanceDecision classifyRule(const Rule& r, const Chain& chain, const Table& table, const Context& ctx)
{
    // The rules of an owned chain outnumber all others in large dumps; their reason is already shared.
    if (chain.provenance != Provenance::Unknown && chain.name != "DOCKER-USER")
        return decide(chain.provenance, {});
    if (chain.name == "DOCKER-USER") {
        if (r.target.name == "RETURN" && r.matches.empty() && !r.source && !r.destination && !r.inInterface
            && !r.outInterface && !r.protocol)
            return decide(Provenance::Docker, "Docker's default RETURN in DOCKER-USER");
        return decide(Provenance::Unknown, "DOCKER-USER holds the host's own rules");
    }
    if (r.target.kind != Target::Kind::None) {
        const std::size_t found = ctx.chains.find(r.target.name);
        const auto owner = found == parse::NameIndex::npos ? Provenance::Unknown : static_cast<Provenance>(found);
        if (owner != Provenance::Unknown)
            return decide(owner, "jumps to " + std::string(provenanceName(owner)) + " chain " + r.target.name);
    }
    if (ctx.oracleImage && table.name == "filter" && isOracleImageRule(chain.name, parse::ruleText(r, chain.name)))
        return decide(Provenance::CloudImage, "stock rule of Oracle Cloud images");
    if (auto d = byInterfaces(r))
        return std::move(*d);
    if (auto d = byAddressesAndMarks(r, table.name, chain.name))
        return std::move(*d);
    if (auto d = byComment(r))
        return std::move(*d);
    return decide(Provenance::Unknown, {});
}

} // namespace

ProvenanceDecision chainProvenance(std::string_view chain)
{
    const ChainOwner owner = chainOwner(chain);
    return decide(owner.provenance, owner.reason);
}

void classifyProvenance(Ruleset& ruleset)
{
    Context ctx;
    for (const Table& t : ruleset.tables)
        ctx.oracleImage = ctx.oracleImage || t.chain("InstanceServices") != nullptr;
    for (Table& t : ruleset.tables) {
        ctx.chains.clear();
        ctx.chains.reserve(t.chains.size());
        for (Chain& c : t.chains) {
            if (c.builtin) {
                c.provenance = Provenance::Unknown;
                c.provenanceReason = ctx.intern("built-in chain");
            } else {
                const ChainOwner owner = chainOwner(c.name);
                c.provenance = owner.provenance;
                SharedString& reason = ctx.ownerReasons[static_cast<std::size_t>(owner.provenance)];
                if (reason.empty() && owner.provenance != Provenance::Unknown)
                    reason = SharedString(owner.reason);
                c.provenanceReason = reason;
            }
            ctx.chains.insert(c.name, static_cast<std::size_t>(c.provenance));
        }
        for (Chain& c : t.chains) {
            // The rules of an owned chain give the chain's own reason: sharing that copy costs no allocation per
            // chain, and kube-proxy dumps hold tens of thousands of owned chains.
            const bool inherits = c.provenance != Provenance::Unknown && c.name != "DOCKER-USER";
            for (Rule& r : c.rules) {
                auto d = classifyRule(r, c, t, ctx);
                r.provenance = d.provenance;
                r.provenanceReason = inherits ? c.provenanceReason : ctx.intern(std::move(d.reason));
            }
        }
    }
}

} // namespace model
