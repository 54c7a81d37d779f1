#include "model/diagram/defaultflow.h"

#include <string>
#include <utility>

namespace model::diagram {

namespace {

    // The interface and its first IPv4 address.
    std::optional<std::pair<std::string, engine::IpAddress>> firstOutsideInterface(const Snapshot& snapshot)
    {
        if (!snapshot.interfaces)
            return std::nullopt;
        for (const Interface& i : *snapshot.interfaces) {
            const bool docker = i.name == "docker0" || i.name.rfind("br-", 0) == 0 || i.name.rfind("veth", 0) == 0
                || (snapshot.docker && snapshot.docker->networkByBridge(i.name));
            if (i.name == "lo" || docker || !i.master.empty())
                continue;
            for (const InterfaceAddress& a : i.addresses) {
                const auto address = engine::IpAddress::parse(a.address);
                if (!a.ipv6 && a.scope != "host" && address)
                    return std::make_pair(i.name, *address);
            }
        }
        return std::nullopt;
    }

} // namespace

std::optional<engine::Packet> defaultFlow(const Snapshot& snapshot)
{
    if (!snapshot.docker || !snapshot.docker->containers)
        return std::nullopt;
    const auto outside = firstOutsideInterface(snapshot);
    if (!outside)
        return std::nullopt;
    for (const DockerContainer& c : *snapshot.docker->containers) {
        for (const PublishedPort& port : c.ports) {
            const auto protocol = engine::protocolFromName(port.protocol);
            if (!protocol || port.hostPort <= 0 || port.hostPort > 65535)
                continue;
            engine::Packet p;
            p.inInterface = outside->first;
            p.header.dst = outside->second;
            p.header.src = engine::IpAddress::fromV4(0xCB007107); // 203.0.113.7, a documentation address (RFC 5737)
            p.header.protocol = *protocol;
            p.header.sport = 40000;
            p.header.dport = static_cast<std::uint16_t>(port.hostPort);
            return p;
        }
    }
    return std::nullopt;
}

} // namespace model::diagram
