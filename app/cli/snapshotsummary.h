#pragma once

// The summary `chainsight-cli show` prints, as JSON (the --format json output) and as text rendered from it.

#include "model/snapshot.h"

#include <nlohmann/json.hpp>

#include <string>

namespace cli {

nlohmann::json snapshotSummary(const model::Snapshot& snapshot);
std::string summaryText(const nlohmann::json& summary);

} // namespace cli
