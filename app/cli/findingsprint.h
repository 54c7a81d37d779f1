#pragma once

// The text and Markdown forms of `chainsight-cli findings`.

#include "model/findings/finding.h"

#include <string>
#include <vector>

namespace cli {

struct FindingsSubject {
    std::string after; // file name and label of the analysed snapshot
    std::string before; // empty without --against
};

std::string findingsText(const std::vector<model::findings::Finding>& findings, const FindingsSubject& subject);
std::string findingsMarkdown(const std::vector<model::findings::Finding>& findings, const FindingsSubject& subject);

} // namespace cli
