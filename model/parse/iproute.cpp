#include "model/parse/iproute.h"

#include "model/parse/jsonreader.h"

namespace model::parse {

using detail::JsonView;

namespace {

Interface readInterface(const JsonView& i)
{
    i.requireObject("an object (one interface)");
    Interface iface;
    iface.name = i["ifname"].string();
    iface.index = static_cast<int>(i["ifindex"].integer(0));
    iface.flags = i["flags"].strings();
    iface.linkType = i["link_type"].string();
    iface.master = i["master"].string();
    for (const auto& a : i["addr_info"].elements()) {
        a.requireObject("an object (one address)");
        InterfaceAddress address;
        address.address = a["local"].string();
        address.prefixLength = static_cast<int>(a["prefixlen"].integer(0));
        address.ipv6 = a["family"].string() == "inet6" || address.address.find(':') != std::string::npos;
        address.scope = a["scope"].string();
        if (!address.address.empty())
            iface.addresses.push_back(std::move(address));
    }
    return iface;
}

Route readRoute(const JsonView& r, bool ipv6)
{
    r.requireObject("an object (one route)");
    Route route;
    route.destination = r["dst"].string();
    route.gateway = r["gateway"].string();
    route.device = r["dev"].string();
    route.preferredSource = r["prefsrc"].string();
    route.type = r["type"].string("unicast");
    route.table = r["table"].string("main");
    route.protocol = r["protocol"].string();
    route.metric = static_cast<int>(r["metric"].integer(0));
    route.ipv6 = ipv6 || route.destination.find(':') != std::string::npos || route.gateway.find(':') != std::string::npos;
    return route;
}

} // namespace

Result<std::vector<Interface>> parseIpAddr(std::string_view text) noexcept
{
    return detail::guardShape<std::vector<Interface>>(text, [](const JsonView& root) {
        root.requireArray("an array of interfaces (ip -j addr)");
        std::vector<Interface> out;
        for (const auto& i : root.elements())
            out.push_back(readInterface(i));
        return out;
    });
}

Result<std::vector<Route>> parseIpRoute(std::string_view text, bool ipv6) noexcept
{
    return detail::guardShape<std::vector<Route>>(text, [ipv6](const JsonView& root) {
        root.requireArray("an array of routes (ip -j route)");
        std::vector<Route> out;
        for (const auto& r : root.elements())
            out.push_back(readRoute(r, ipv6));
        return out;
    });
}

} // namespace model::parse
