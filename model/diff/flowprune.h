#pragma once

// Where two snapshots of one host can give a connection attempt different fates. An attempt whose traversal, in
// both snapshots, never matches a changed rule (nor reaches an undecidable match of one) and never falls off the
// end of a built-in chain whose policy changed, meets the same rules in the same order with the same packet state:
// its fate, deciding rule and dependencies are the same. changeRegion() over-approximates the attempts that can
// meet such an element, in the first packet's traversal or the reply's, as a union of boxes over the original
// first packet; the diff's search then only explores those boxes.
//
// Everything here errs on the side of a larger region: a match that is not a box widens to everything, headers
// rewritten by NAT are mapped back through every NAT rule whose translation can land in the set. Internal to the
// diff.

#include "model/diff/rulediff.h"
#include "model/engine/engine.h"

#include <optional>

namespace model::diff::detail {

using BoxList = std::vector<engine::Box>;

// The attempts (over the ids of `ingress`: interface names, "" for a local process) that can meet a changed rule
// or policy in either snapshot; nullopt when that cannot be told safely (the hosts differ, the rule alignment does
// not cover the compiled chains, ...): then everything must be searched. Also nullopt as soon as stop() says yes
// (asked before each changed rule's region): the caller asks it too and abandons the search.
std::optional<BoxList> changeRegion(const engine::Engine& before, const engine::Engine& after, Family family,
    const RuleDiff& rules, const std::vector<std::string>& ingress, const StopRequested& stop = {});

// The start boxes cut to the region: pairwise disjoint pieces, none traced twice.
BoxList restrictToRegion(const BoxList& starts, const BoxList& region);

// Box helpers shared by the region's parts.
engine::Box fullBox(Family family, std::size_t ingressCount);
bool intersectInto(engine::Box& a, const engine::Box& b); // a &= b; false when the result is empty
bool boxContains(const engine::Box& outer, const engine::Box& inner);
BoxList boxMinus(const engine::Box& a, const engine::Box& b); // disjoint pieces of a outside b
// Drops boxes inside others and merges boxes that differ in one dimension; the union stays the same.
void compact(BoxList& boxes);

} // namespace model::diff::detail
