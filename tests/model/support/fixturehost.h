#pragma once

// Snapshots of the shared Docker fixtures' host (rules, ip6 rules, interfaces, routes, Docker networks, ipsets),
// built the way the real-kernel measurements were set up.

#include "model/snapshot.h"

#include <QString>

#include <nlohmann/json.hpp>

namespace fixtures {

QByteArray read(const QString& name); // a file of CHAINSIGHT_FIXTURES_DIR; fails the process when missing
nlohmann::json readJson(const QString& name);

// "docker-28.x-b-usernet-portmap" -> the host snapshot (IPv4 and IPv6 rules). Returns null on a parse error.
model::SnapshotPtr snapshot(const QString& fixture);

} // namespace fixtures
