#pragma once

// One Docker line's way of writing iptables rules, step by step as the daemon runs them (REPORT.md §3-§9):
// start-up (removing its old chains and creating new ones), the DOCKER-USER chain, one bridge network, one
// container endpoint. Network and endpoint removal are the same steps run with the writer in removing mode.
// Written from the behaviour each line's source code shows, not from any particular ruleset.
// Stateless; safe to share between threads.

#include "model/predict/dockerrelease.h"
#include "model/predict/dockersetup.h"
#include "model/predict/rulewriter.h"

#include <memory>

namespace model::predict {

class Dialect {
public:
    explicit Dialect(DockerRelease release)
        : m_release(release)
    {
    }
    virtual ~Dialect() = default;
    Dialect(const Dialect&) = delete;
    Dialect& operator=(const Dialect&) = delete;

    const DockerRelease& release() const { return m_release; }

    // The bridge driver's configure(): remove the chains a previous daemon left, create this line's chains.
    virtual void configure(RuleWriter& w, const DockerSetup& setup) const = 0;
    virtual void setupUserChain(RuleWriter& w) const = 0;
    virtual void createNetwork(RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net) const = 0;
    virtual void endpoint(
        RuleWriter& w, const DockerSetup& setup, const NetworkSpec& net, const EndpointSpec& ep) const = 0;
    // 27.5 re-inserts the DOCKER-USER jump whenever a network is created through the controller.
    virtual bool userChainPerNetwork() const = 0;

private:
    DockerRelease m_release;
};

std::unique_ptr<Dialect> makeDialect(const DockerRelease& release);

// Shared rule shapes.
namespace shapes {
inline constexpr const char* kIso1 = "DOCKER-ISOLATION-STAGE-1";
inline constexpr const char* kIso2 = "DOCKER-ISOLATION-STAGE-2";
inline constexpr const char* kPreroutingJump = "-m addrtype --dst-type LOCAL -j DOCKER";
inline const Family kFamilies[] = { Family::IPv4, Family::IPv6 };

std::string outputJump(Family family, bool userlandProxy);
std::string hostAddress(Family family, const std::string& address); // "172.18.0.2/32"
std::string dnatTarget(Family family, const std::string& address, int port); // "[fd00::2]:80"
bool isLoopback(const std::string& address);
// The families a port binding applies to on an endpoint.
bool portApplies(Family family, const PortSpec& port, const EndpointSpec& ep);
std::string portHostIp(Family family, const PortSpec& port, const NetworkSpec& net);
void removeNatJumps(RuleWriter& w, Family family);
void flushAndDelete(RuleWriter& w, Family family, const char* table, const char* chain);
void enableFamilies(RuleWriter& w, const DockerSetup& setup);
} // namespace shapes

} // namespace model::predict
