#pragma once

// Small helpers the checks share: building fix rules, targets and evidence lists.

#include "model/findings/context.h"

#include <set>
#include <string>
#include <vector>

namespace model::findings {

fix::RuleChange insertRule(
    std::string table, std::string chain, std::vector<std::string> spec, std::string why, Family family = Family::IPv4);
fix::TargetFlow targetOf(const TracedFlow& flow, engine::Fate wanted = engine::Fate::Accept);

// Adds the flows as evidence (up to the option's limit) and the deciding rules of their after side, once each.
void addFlowEvidence(
    const AnalysisContext& ctx, Finding& f, const std::vector<const TracedFlow*>& flows, const std::string& role);

// "a, b and c".
std::string joinWords(const std::vector<std::string>& words);
// Sorted distinct values of one field of the flows.
std::vector<std::string> distinct(const std::vector<const TracedFlow*>& flows, std::string FlowProbe::*field);

// Where a chain jumps (or goes) to `target` in the table's chain; -1 when it does not.
int jumpIndex(const Chain& chain, std::string_view target);

} // namespace model::findings
