#pragma once

// Words for a flow class: ingress, protocol, address sets named by Docker entity where they coincide
// ("container web 172.18.0.2 on network mynet", "bridge br-897b3066eb8a 172.18.0.0/16", "tailnet 100.64.0.0/10"),
// port ranges. Shared by the CLI printers and the views. Pure functions.

#include "model/diff/flowdiff.h"

namespace model::diff {

struct ClassText {
    std::string ingress; // "eth0, tailscale0", "any interface", "local process"
    std::string protocol; // "tcp", "any protocol except tcp, udp"
    std::string src;
    std::string dst;
    std::string sport; // "any", "80", "1-79, 81-65535", "any except 80"; empty when the protocol has no ports
    std::string dport;
    std::vector<std::string> ingressNames;
    std::vector<std::string> srcCidrs; // the exact sets, as prefixes
    std::vector<std::string> dstCidrs;
};

ClassText describeClass(
    const FlowDiff& diff, const FlowClass& c, const engine::HostModel& before, const engine::HostModel& after);

// "ACCEPT", "REJECT (icmp-host-prohibited)", "DROP (the reply is dropped)", "DEPENDS (on ...)".
std::string describeFate(const FlowSide& side);

// "filter/DOCKER: -A DOCKER ...", "filter/FORWARD policy DROP", or the non-rule decision.
std::string describeRule(const FlowSide& side);

} // namespace model::diff
