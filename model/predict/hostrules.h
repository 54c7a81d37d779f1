#pragma once

// The host's own rules: a snapshot's ruleset without what Docker wrote (provenance Docker, model/provenance.h).
// Foreign rules (Tailscale, a cloud image's REJECT, UFW, the user's rules in DOCKER-USER) stay where they are.
// Jumps that a program inserts at position 1 whenever it starts (Tailscale's ts-* hooks) are taken out as
// "late hooks": the preview re-inserts them after Docker has started, as that program does. Pure functions;
// thread-safe.

#include "model/ruleset.h"

#include <string>
#include <vector>

namespace model::predict {

struct LateHook {
    Family family = Family::IPv4;
    std::string table;
    std::string chain;
    std::string spec; // "-j ts-forward"
    // The snapshot shows a Docker rule above the hook: Docker (re)started after the program inserted it.
    bool belowDocker = false;
};

struct HostRules {
    Ruleset ruleset;
    std::vector<LateHook> lateHooks; // in their order within each chain
};

// policyOwnedByDocker: the FORWARD policy DROP was written by Docker, so the host's own policy is ACCEPT.
HostRules hostRules(const Ruleset& snapshotRules, bool policyOwnedByDocker);

// A built-in chain whose policy is ACCEPT and that holds no rules, in a table with no user chains.
bool isEmptyTable(const Table& table);

// Built-in chains first (in the kernel's order), then user chains by name; tables in iptables-nft-save order.
// This is how iptables-save prints a ruleset, so a predicted ruleset compares and reads like a captured one.
void sortLikeIptablesSave(Ruleset& ruleset);

// A prediction has no packet counters: every chain gets [0:0] and no rule keeps the snapshot's counts.
void resetCounters(Ruleset& ruleset);

} // namespace model::predict
