#pragma once

// The printed forms of `chainsight-cli diff`: text, Markdown and JSON (schema "chainsight-diff" version 1,
// documented in the README). Flow classes first, then the rule-level summary.

#include "model/diff/flowdiff.h"

#include <nlohmann/json.hpp>

#include <string>

namespace cli {

struct DiffReport {
    const model::diff::FlowDiff& diff;
    const model::engine::Engine& before;
    const model::engine::Engine& after;
    std::string beforeName; // the files as given
    std::string afterName;
};

// A changed rule-level row (or chain policy), with the classes whose witness paths involve it.
struct RowSummary {
    model::diff::RowLink link;
    std::string kind; // added, removed, changed, moved, policy
    std::string table;
    std::string chain;
    std::string before; // rule text (or policy) on the before side; empty when none
    std::string after;
    std::vector<int> classes;
};
std::vector<RowSummary> changedRows(const model::diff::FlowDiff& diff, model::Family family);
std::string rowId(const model::diff::RowLink& link); // "ipv4:12:3", "ipv4:12:policy"

std::string diffText(const DiffReport& report);
std::string diffMarkdown(const DiffReport& report);
nlohmann::json diffJson(const DiffReport& report);

} // namespace cli
