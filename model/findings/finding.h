#pragma once

// The findings catalogue: diagnoses of a host's firewall in Docker's terms, each with its evidence (the rules
// that decide, with who wrote them, and concrete connection attempts traced by the engine), what it breaks for
// the user, and the ways to fix it (model::fix values the script generator turns into a script).
//
// analyse() is a pure function of its inputs; it builds its own engines and may run on any thread.

#include "model/engine/packet.h"
#include "model/engine/trace.h"
#include "model/fix/fixplan.h"
#include "model/snapshot.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace model::findings {

enum class Severity : std::uint8_t { Critical, High, Medium, Low, Info };
const char* severityName(Severity s) noexcept; // "critical", "high", ...

// One rule (or chain policy) that the finding rests on.
struct EvidenceRule {
    Family family = Family::IPv4;
    std::string table;
    std::string chain;
    int index = 0; // 1-based position in its chain; 0 for a policy or a whole chain
    std::string text; // as iptables-save prints it; "policy DROP" for a policy
    Provenance provenance = Provenance::Unknown;
    std::string provenanceReason;
    std::string role; // what it does here: "drops the flow after the upgrade", "shadows rule 3"
};

// What happened to a flow in one snapshot.
struct FlowFate {
    engine::Fate fate = engine::Fate::Drop;
    std::string deciding; // "filter/DOCKER: -A DOCKER ...", prefixed "reply " when the reply was stopped
    bool decidedByReply = false;
};

// What a flow is, so checks can pick theirs.
enum class FlowKind : std::uint8_t {
    DirectToContainer, // a peer behind a host interface to a container address (routed, not published)
    PublishedPort, // a peer to one of the host's addresses on a published port
    ContainerEgress, // a container to the Internet
    ContainerToPeer, // a container to a peer behind a host interface (tailnet, LAN)
    Dns, // a network's name resolution, by the path Docker uses for it
    Other, // given by the caller (explainFlow, flow classes of a semantic diff)
};

// One concrete connection attempt, named in Docker's terms.
struct FlowProbe {
    std::string label; // "tailnet 100.64.0.50 on tailscale0 -> web 172.18.0.2:80/tcp on mynet"
    engine::Packet packet;
    FlowKind kind = FlowKind::Other;
    std::string peerInterface; // the host interface the peer sits behind (tailscale0, eth0)
    std::string peerSubnet; // the peers' prefix on it (100.64.0.0/10)
    std::string peerName; // "tailnet", "LAN", "Internet"
    std::string network; // the Docker network involved
    std::string bridge; // its bridge
    std::string bridgeSubnet;
    std::string container;
    bool publishedPort = false; // DirectToContainer: the container port is published
    std::string nameserver; // Dns: the resolver queried
};

struct EvidenceFlow {
    FlowProbe probe;
    std::optional<FlowFate> before; // when a before snapshot was given
    FlowFate after;
};

struct Finding {
    std::string id; // stable kebab-case: "direct-routing-raw-drop"
    Severity severity = Severity::Info;
    std::string title;
    std::string explanation; // the mechanism, briefly
    std::string impact; // in the user's words
    std::vector<EvidenceRule> rules;
    std::vector<EvidenceFlow> flows;
    std::vector<fix::FixOption> fixes; // one of them recommended, when there are any
    std::vector<fix::TargetFlow> targets; // what a fix must make pass
};

struct AnalyseOptions {
    // Further connection attempts to examine besides the ones derived from the snapshot; the flow classes of a
    // semantic diff come in here, each represented by one packet.
    std::vector<FlowProbe> extraFlows;
    // At most this many flows are listed as evidence per finding (all are still examined).
    std::size_t maxFlowsPerFinding = 16;
    // Asked between flows and between checks; once it says yes, analyse() stops and returns no findings.
    std::function<bool()> stop;
};

// Every finding for `after`, most severe first. With `before`, flows are traced in both and findings about a
// change say what it was.
std::vector<Finding> analyse(const Snapshot& after, const Snapshot* before, const AnalyseOptions& options = {});

// For a connection someone reports broken: when the firewall accepts it, a finding that says so plainly (id
// "firewall-accepts-flow"); otherwise one naming the rule that stops it ("firewall-blocks-flow").
Finding explainFlow(const Snapshot& snapshot, const engine::Packet& packet);

} // namespace model::findings
