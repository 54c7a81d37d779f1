#pragma once

// Internal to the engine: walks one path of one packet through the hooks (SEMANTICS §2).

#include "model/engine/evaluator.h"

namespace model::engine::detail {

struct PathContext {
    const CompiledRuleset& rules;
    const HostModel& host;
    Choices& choices;
    std::vector<std::string>& dependsOn;
    std::vector<std::string>& assumptions;
    PathRecorder* recorder; // null for concrete traces
};

// One complete path for `packet`, answering undecidable matches from ctx.choices.
Outcome walkPath(const PathContext& ctx, const Packet& packet);

} // namespace model::engine::detail
