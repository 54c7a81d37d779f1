#include "model/predict/dialect.h"

namespace model::predict {

std::unique_ptr<Dialect> makeDialect27(const DockerRelease& release);
std::unique_ptr<Dialect> makeDialect28(const DockerRelease& release);

std::unique_ptr<Dialect> makeDialect(const DockerRelease& release)
{
    return release.line == DockerLine::V27_5 ? makeDialect27(release) : makeDialect28(release);
}

namespace shapes {

std::string outputJump(Family family, bool userlandProxy)
{
    if (!userlandProxy)
        return kPreroutingJump;
    return std::string(family == Family::IPv4 ? "! -d 127.0.0.0/8 " : "! -d ::1/128 ") + kPreroutingJump;
}

std::string hostAddress(Family family, const std::string& address)
{
    return address + (family == Family::IPv4 ? "/32" : "/128");
}

std::string dnatTarget(Family family, const std::string& address, int port)
{
    const std::string host = family == Family::IPv4 ? address : '[' + address + ']';
    return host + ':' + std::to_string(port);
}

bool isLoopback(const std::string& address) { return address.starts_with("127.") || address == "::1"; }

bool portApplies(Family family, const PortSpec& port, const EndpointSpec& ep)
{
    const std::string& address = family == Family::IPv4 ? ep.ipv4 : ep.ipv6;
    if (address.empty())
        return false;
    if (port.hostIp.empty())
        return true;
    const bool v6Host = port.hostIp.find(':') != std::string::npos;
    return v6Host == (family == Family::IPv6);
}

std::string portHostIp(Family family, const PortSpec& port, const NetworkSpec& net)
{
    if (port.hostIp == "::")
        return {};
    if (port.hostIp.empty() && family == Family::IPv4)
        return net.hostBindingIPv4;
    return port.hostIp;
}

void removeNatJumps(RuleWriter& w, Family family)
{
    w.remove(family, "nat", "PREROUTING", kPreroutingJump);
    w.remove(family, "nat", "OUTPUT", outputJump(family, true));
    w.remove(family, "nat", "OUTPUT", outputJump(family, false));
}

void flushAndDelete(RuleWriter& w, Family family, const char* table, const char* chain)
{
    w.flushChain(family, table, chain);
    w.deleteChain(family, table, chain);
}

void enableFamilies(RuleWriter& w, const DockerSetup& setup)
{
    w.setFamilyEnabled(Family::IPv4, setup.daemon.iptables);
    w.setFamilyEnabled(Family::IPv6, setup.daemon.iptables && setup.daemon.ip6tables);
    w.setForwarding(Family::IPv4, setup.ipv4ForwardingWasOn);
    w.setForwarding(Family::IPv6, setup.ipv6ForwardingWasOn);
}

} // namespace shapes

} // namespace model::predict
