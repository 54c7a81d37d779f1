#pragma once

#include "support/prober.h"
#include "support/topology.h"

#include "model/engine/engine.h"

#include <QString>

#include <memory>

// The engine's side of the agreement test: a snapshot of the host namespace as it really is (the
// ruleset the kernel holds, `ip -j addr`/`ip -j route` of the host, the fixture's Docker networks and
// ipsets), the probe as an engine Packet, and both sides' answers in one comparable form.
namespace ktest {

// Builds the engine for the topology's host as loaded. networksJson: `docker network inspect` output.
std::shared_ptr<const model::engine::Engine> engineForHost(const Topology& topology, const QByteArray& fixtureText,
    const QByteArray& networksJson, QString* error);

model::engine::Packet toPacket(const ProbeSpec& probe);

// "filter/DOCKER #1", "filter/FORWARD policy DROP", or "none: <why>".
QString ruleKey(const model::engine::RuleRef& rule);
QString ruleKey(const std::optional<TraceStep>& step);
QString engineFateName(model::engine::Fate fate);
// The engine's hop list, one line per hop, for disagreement reports.
QString enginePath(const model::engine::TraceResult& result);

} // namespace ktest
