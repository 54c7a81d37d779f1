#include "model/engine/hostmodel.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace model::engine {

namespace {

constexpr std::array<std::pair<std::string_view, std::uint32_t>, 12> kAddrTypes { {
    { "UNSPEC", AddrType::Unspec }, { "UNICAST", AddrType::Unicast }, { "LOCAL", AddrType::Local },
    { "BROADCAST", AddrType::Broadcast }, { "ANYCAST", AddrType::Anycast }, { "MULTICAST", AddrType::Multicast },
    { "BLACKHOLE", AddrType::Blackhole }, { "UNREACHABLE", AddrType::Unreachable },
    { "PROHIBIT", AddrType::Prohibit }, { "THROW", AddrType::Throw }, { "NAT", AddrType::Nat },
    { "XRESOLVE", AddrType::XResolve },
} };

const IpPrefix& loopbackPrefix(Family family)
{
    static const IpPrefix v4 = *IpPrefix::parse("127.0.0.0/8");
    static const IpPrefix v6 = *IpPrefix::parse("::1/128");
    return family == Family::IPv4 ? v4 : v6;
}

} // namespace

std::optional<std::uint32_t> addrTypeFromName(std::string_view name) noexcept
{
    for (const auto& [n, bit] : kAddrTypes)
        if (n == name)
            return bit;
    return std::nullopt;
}

void HostModel::addLocalRoutes(const HostInterface& iface)
{
    for (const auto& a : iface.addresses) {
        m_localAddresses.push_back(IpPrefix::host(a.network));
        if (a.network.family == Family::IPv4 && a.length >= 0 && a.length < 31)
            m_broadcasts.push_back(a.withLength(a.length).broadcast());
        if (!m_routesCaptured && a.length >= 0 && a.length < (a.network.isV6() ? 128 : 32)) {
            if (m_assumptions.empty() || m_assumptions.front().rfind("routes not captured", 0) != 0)
                m_assumptions.insert(m_assumptions.begin(), "routes not captured: connected routes derived from interface addresses");
            HostRoute r;
            r.destination = a.withLength(a.length);
            r.device = iface.name;
            r.preferredSource = a.network;
            r.origin = "connected route of " + iface.name + "'s address, routes not captured";
            addRoute(std::move(r));
        }
    }
}

void HostModel::addInterface(HostInterface iface)
{
    addLocalRoutes(iface);
    auto it = std::find_if(m_interfaces.begin(), m_interfaces.end(), [&](const HostInterface& i) {
        return i.name == iface.name;
    });
    if (it == m_interfaces.end()) {
        m_interfaces.push_back(std::move(iface));
        return;
    }
    it->bridge = it->bridge || iface.bridge;
    for (auto& a : iface.addresses)
        it->addresses.push_back(a);
}

void HostModel::addRoute(HostRoute route)
{
    m_routeTexts.push_back(route.destination.toString()
        + (route.gateway ? " via " + route.gateway->toString() : std::string()) + " dev " + route.device + " ("
        + route.origin + ')');
    if (route.type == "local")
        m_localAddresses.push_back(route.destination);
    m_routes.push_back(std::move(route));
}

void HostModel::addEndpoint(HostEndpoint endpoint)
{
    m_endpoints.push_back(std::move(endpoint));
}

void HostModel::addIpSet(IpSet set)
{
    m_ipsetsCaptured = true;
    m_ipsets.push_back(std::move(set));
}

void HostModel::setSysctl(const std::string& key, const std::string& value)
{
    m_sysctls[key] = value;
}

std::optional<std::string> HostModel::sysctl(const std::string& key) const
{
    auto it = m_sysctls.find(key);
    if (it == m_sysctls.end())
        return std::nullopt;
    return it->second;
}

bool HostModel::isLocal(const IpAddress& address) const noexcept
{
    if (loopbackPrefix(address.family).contains(address))
        return true;
    return std::any_of(m_localAddresses.begin(), m_localAddresses.end(),
        [&](const IpPrefix& p) { return p.contains(address); });
}

std::optional<bool> HostModel::localKnown(const IpAddress& address) const noexcept
{
    if (isLocal(address))
        return true;
    if (m_interfacesCaptured || isBroadcast(address))
        return false;
    if ((address.family == Family::IPv4 && (address.v4() >> 28) == 0xe) || (address.isV6() && (address.hi >> 56) == 0xff))
        return false;
    for (const auto& i : m_interfaces)
        for (const auto& a : i.addresses)
            if (a.network.family == address.family && a.length >= 0 && a.withLength(a.length).contains(address))
                return false; // on an inferred subnet, and not the host's address there
    return std::nullopt;
}

std::uint32_t HostModel::addressType(const IpAddress& a) const noexcept
{
    if (isLocal(a))
        return AddrType::Local;
    if (isBroadcast(a))
        return AddrType::Broadcast;
    if ((a.family == Family::IPv4 && (a.v4() >> 28) == 0xe) || (a.isV6() && (a.hi >> 56) == 0xff))
        return AddrType::Multicast;
    const RouteDecision r = route(a);
    if (r.type == "blackhole")
        return AddrType::Blackhole;
    if (r.type == "unreachable" || !r.found)
        return AddrType::Unreachable;
    if (r.type == "prohibit")
        return AddrType::Prohibit;
    return AddrType::Unicast;
}

std::vector<IpPrefix> HostModel::addressBoundaries(Family family) const
{
    std::vector<IpPrefix> out { loopbackPrefix(family),
        *IpPrefix::parse(family == Family::IPv4 ? "224.0.0.0/4" : "ff00::/8") };
    if (family == Family::IPv4)
        out.push_back(IpPrefix::host(IpAddress::fromV4(0xffffffffu)));
    auto add = [&](const IpPrefix& p) {
        if (p.network.family == family && p.length >= 0)
            out.push_back(p);
    };
    for (const auto& p : m_localAddresses)
        add(p);
    for (const auto& b : m_broadcasts)
        add(IpPrefix::host(b));
    for (const auto& r : m_routes)
        add(r.destination);
    for (const auto& i : m_interfaces)
        for (const auto& a : i.addresses)
            if (a.length >= 0)
                add(a.withLength(a.length));
    return out;
}

bool HostModel::isBroadcast(const IpAddress& a) const noexcept
{
    if (a.family != Family::IPv4)
        return false;
    return a.v4() == 0xffffffffu || std::find(m_broadcasts.begin(), m_broadcasts.end(), a) != m_broadcasts.end();
}

RouteDecision HostModel::route(const IpAddress& dst) const
{
    RouteDecision d;
    if (isLocal(dst) || isBroadcast(dst)) {
        d.found = true;
        d.local = true;
        d.device = "lo";
        d.type = "local";
        d.description = "local address " + dst.toString();
        return d;
    }
    const HostRoute* best = nullptr;
    for (const auto& r : m_routes) {
        if (r.type == "local" || r.type == "broadcast" || !r.destination.contains(dst))
            continue;
        if (!best || r.destination.length > best->destination.length
            || (r.destination.length == best->destination.length && r.metric < best->metric))
            best = &r;
    }
    if (!best) {
        d.description = "no route to " + dst.toString();
        return d;
    }
    d.found = best->type != "blackhole" && best->type != "unreachable" && best->type != "prohibit";
    d.device = best->device;
    d.gateway = best->gateway;
    d.source = best->preferredSource ? best->preferredSource : primaryAddress(best->device, dst.family);
    d.type = best->type;
    d.assumed = best->origin != "captured";
    d.description = m_routeTexts[static_cast<std::size_t>(best - m_routes.data())];
    return d;
}

std::optional<IpAddress> HostModel::primaryAddress(const std::string& iface, Family family) const
{
    if (iface == "lo")
        return family == Family::IPv4 ? IpAddress::fromV4(0x7f000001) : *IpAddress::parse("::1");
    if (const HostInterface* i = interface(iface)) {
        for (const auto& a : i->addresses)
            if (a.network.family == family)
                return a.network;
    }
    return std::nullopt;
}

const HostInterface* HostModel::interface(const std::string& name) const noexcept
{
    auto it = std::find_if(m_interfaces.begin(), m_interfaces.end(), [&](const HostInterface& i) {
        return i.name == name;
    });
    return it == m_interfaces.end() ? nullptr : &*it;
}

bool HostModel::isBridge(const std::string& name) const noexcept
{
    const HostInterface* i = interface(name);
    return i != nullptr && i->bridge;
}

const HostEndpoint* HostModel::endpoint(const IpAddress& address) const noexcept
{
    auto it = std::find_if(m_endpoints.begin(), m_endpoints.end(), [&](const HostEndpoint& e) {
        return e.address == address;
    });
    return it == m_endpoints.end() ? nullptr : &*it;
}

std::string HostModel::describe(const IpAddress& address) const
{
    const std::string text = address.toString();
    if (const HostEndpoint* e = endpoint(address)) {
        if (!e->container.empty())
            return text + " (" + e->container + (e->network.empty() ? "" : " on " + e->network) + ')';
        if (!e->network.empty())
            return text + " (network " + e->network + ')';
    }
    for (const auto& i : m_interfaces)
        for (const auto& a : i.addresses)
            if (a.network == address)
                return text + " (" + i.name + ')';
    return text;
}

std::optional<bool> HostModel::ipsetContains(const std::string& name, const IpAddress& address) const
{
    if (!m_ipsetsCaptured)
        return std::nullopt;
    auto it = std::find_if(m_ipsets.begin(), m_ipsets.end(), [&](const IpSet& s) { return s.name == name; });
    if (it == m_ipsets.end() || (it->type != "hash:ip" && it->type != "hash:net"))
        return std::nullopt;
    for (const auto& member : it->members) {
        const std::string first = member.substr(0, member.find(' '));
        if (auto p = IpPrefix::parse(first); p && p->contains(address))
            return true;
        if (auto r = IpRange::parse(first); r && first.find('-') != std::string::npos && r->contains(address))
            return true;
    }
    return false;
}

} // namespace model::engine
