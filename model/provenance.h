#pragma once

// Who wrote a chain or rule: Docker, Tailscale, UFW, firewalld, kube-proxy, fail2ban, a cloud image, or
// unknown (the host's own rules, or anything unrecognised). Decided from chain names, interfaces, addresses,
// marks, comments and well-known rule shapes; every decision carries a short reason for the user.
// Pure functions of their input; safe to call from any thread on distinct rulesets.

#include "model/ruleset.h"

#include <string>
#include <string_view>

namespace model {

struct ProvenanceDecision {
    Provenance provenance = Provenance::Unknown;
    std::string reason;
};

// From the chain name alone ("DOCKER-FORWARD" -> Docker); Unknown for built-in and unrecognised chains.
ProvenanceDecision chainProvenance(std::string_view chain);

// Sets provenance and provenanceReason on every chain and rule of the ruleset. Every parser calls it.
void classifyProvenance(Ruleset& ruleset);

} // namespace model
