#pragma once

// The text form of `chainsight-cli trace`: the hop list, then the fate and the rule that decided it.

#include "model/engine/engine.h"

#include <string>

namespace cli {

std::string traceText(const model::engine::TraceResult& result, const model::engine::HostModel& host);
std::string flowText(const model::engine::FlowResult& flow, const model::engine::HostModel& host);

} // namespace cli
