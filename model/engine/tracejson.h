#pragma once

// JSON form of a trace, shared by the CLI (--format json) and anything that exports traces.
// Top level: "verdict" (ACCEPT/DROP/REJECT/DEPENDS), "deciding_rule" (the rule's iptables-save text, or
// "<table>/<chain> policy <P>"; null when DEPENDS), "hops" (the path; for DEPENDS the first outcome's),
// plus "packet", "outcomes", "depends_on" and "assumptions".

#include "model/engine/hostmodel.h"
#include "model/engine/trace.h"

#include <nlohmann/json.hpp>

namespace model::engine {

nlohmann::json headerToJson(const Header& header, const HostModel& host);
nlohmann::json hopToJson(const Hop& hop, const HostModel& host);
nlohmann::json traceToJson(const TraceResult& result, const HostModel& host);
nlohmann::json flowToJson(const FlowResult& flow, const HostModel& host);

} // namespace model::engine
