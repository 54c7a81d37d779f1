#pragma once

// What a remediation is made of, shared by the findings (which propose fixes) and the script generator
// (which turns chosen fixes into a bash script) and the verifier (which applies them to a snapshot).
// Plain values; safe to copy across threads.

#include "model/engine/packet.h"
#include "model/engine/trace.h"
#include "model/ruleset.h"

#include <string>
#include <vector>

namespace model::fix {

// One rule the fix adds to the live ruleset. The generator tags it with
// `-m comment --comment "chainsight:<finding id>"`, checks it with -C before adding, and removes it on --undo.
struct RuleChange {
    Family family = Family::IPv4;
    std::string table = "filter";
    std::string chain;
    enum class Where : std::uint8_t { Insert, Append };
    Where where = Where::Insert;
    int position = 1; // for Insert: 1-based position
    // The rule specification after the chain, without the comment tag, as argv words:
    // {"-i", "tailscale0", "-d", "172.18.0.0/16", "-j", "ACCEPT"}.
    std::vector<std::string> spec;
    std::string why; // one line: what this rule lets through and why it has to sit there
};

// A step the script prints instead of performing: a daemon.json option, a network re-created with an
// option, a restart. Never executed by the generated script.
struct ManualStep {
    std::string title; // "Set allow-direct-routing in /etc/docker/daemon.json"
    std::string explanation; // what it does, what it costs (downtime, re-created networks)
    std::vector<std::string> commands; // shown verbatim, commented out in the script
};

// One way to fix a finding, with its trade-offs.
struct FixOption {
    std::string id; // stable within its finding: "raw-exemption", "trusted-host-interfaces", ...
    std::string title;
    std::string tradeoffs;
    std::vector<RuleChange> rules; // what the script applies
    std::vector<ManualStep> manual; // what the user must do by hand
    bool persistUnit = false; // offer a systemd unit (ordered after docker.service) that re-applies the rules
    bool recommended = false;
};

// A flow the fix must make pass (or keep blocked): the concrete first packet of a connection and the fate
// the user wants for it. The verifier traces it with the engine before and after applying the fix.
struct TargetFlow {
    std::string label; // "tailnet 100.64.10.20 -> web 172.18.0.2:80/tcp"
    engine::Packet packet;
    engine::Fate wanted = engine::Fate::Accept;
};

// A finding's chosen option, with the flows it is meant to restore.
struct FixPlan {
    std::string findingId; // "direct-routing-raw-drop", ...
    std::string findingTitle;
    FixOption option;
    std::vector<TargetFlow> targets;
};

// Everything the script header and guards need.
struct ScriptRequest {
    std::string hostname; // the script refuses another host unless --force
    std::string dockerVersion; // "28.5.2"; the script refuses a different major version unless --force
    std::string snapshotLabel; // "after.chainsight.json, taken 2025-11-10T10:00:00Z"
    std::string chainsightVersion;
    int rollbackSeconds = 60; // unconfirmed changes are rolled back after this long
    bool dryRunDefault = false; // the script does nothing unless --apply is given
    std::vector<FixPlan> plans;
};

} // namespace model::fix
