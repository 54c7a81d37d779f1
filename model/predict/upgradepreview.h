#pragma once

// The upgrade preview: the ruleset a given Docker release writes on a host, predicted from one snapshot.
//
// Fresh boot: the host's own rules (the snapshot without Docker's, hostrules.h) are what the host restores
// at boot; the target daemon starts, creates the default bridge, the user networks in creation order and
// the running containers' endpoints and ports. Programs that insert their hooks at position 1 when they start
// (Tailscale) then do so, and when the snapshot shows Docker's rules above such a hook, Docker is restarted
// after it, as it evidently was on the host.
// In place: the snapshot's full ruleset is the starting point; the old daemon stops its containers and the
// target daemon starts on top of what is left (REPORT.md §10).
//
// Every step is a command the daemon runs (dialect.h), applied with model::edit; the command log is kept.
// Pure functions of their input; safe to call from any thread.

#include "model/predict/dockerrelease.h"
#include "model/result.h"
#include "model/snapshot.h"

#include <string>
#include <string_view>
#include <vector>

namespace model::predict {

struct PreviewRequest {
    DockerRelease target;
    bool inPlace = false; // upgrade without reboot, on top of the snapshot's Docker rules
};

struct PreviewResult {
    Ruleset ipv4;
    std::optional<Ruleset> ipv6; // nullopt when the snapshot had no IPv6 ruleset
    std::vector<IpSet> ipsets; // 28.0.0's docker-ext-bridges sets
    std::vector<std::string> commands; // in order; "# ..." lines name the event that runs them
    std::vector<std::string> notes; // assumptions and what the prediction does not cover
};

// Errors: a snapshot without an IPv4 ruleset or Docker networks (JsonShape); an in-place upgrade from rules of
// no known Docker line (UnknownFormat).
Result<PreviewResult> predictRulesets(const Snapshot& snapshot, const PreviewRequest& request) noexcept;

// The predicted snapshot: the snapshot's sources with the rulesets (and ipsets) replaced by the prediction,
// meta.predicted set, takenFrom "predicted from <sourceName> for Docker <version>". details, when given,
// receives the prediction itself (command log, notes).
Result<SnapshotPtr> predictSnapshot(const Snapshot& snapshot, const PreviewRequest& request,
    std::string_view sourceName, PreviewResult* details = nullptr) noexcept;

} // namespace model::predict
