#pragma once

// Turns the fixes a user picked into one bash script that applies them safely: guarded to the host and
// Docker major version it was made for, backed up first, rolled back unless confirmed, idempotent (every
// rule tagged "chainsight:<finding id>" and checked with -C first), undoable with --undo, with manual
// steps printed rather than performed. Pure functions of their input; thread-safe.

#include "model/fix/fixplan.h"
#include "model/result.h"
#include "model/snapshot.h"

#include <QString>

#include <string>

namespace model::fix {

std::string generateScript(const ScriptRequest& request);

// A request for the host a snapshot shows: its hostname and Docker version become the script's guards,
// "<snapshotName>, taken <time>" its label.
ScriptRequest scriptRequestFor(
    const Snapshot& after, std::string snapshotName, std::vector<FixPlan> plans, std::string chainsightVersion);

// Writes the script atomically with mode 0755. Io error naming the path on failure.
Result<bool> writeScript(const QString& path, const std::string& script) noexcept;

} // namespace model::fix
