#pragma once

// The exact semantic diff as the flow comparison of fix verification: every flow class whose fate differs
// between two snapshots becomes one FlowChange, represented by its witness. Pure; thread-safe.

#include "model/fix/probeset.h"

namespace model::fix {

FlowDiffFunction semanticFlowDiff();

} // namespace model::fix
