#include "app/cli/findingsprint.h"

#include "model/findings/findingsjson.h"

#include <algorithm>
#include <cctype>

namespace cli {

using namespace model::findings;

namespace {

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

std::string fateText(const FlowFate& f)
{
    return std::string(model::engine::fateName(f.fate)) + " (" + f.deciding + ")";
}

void rulesText(const Finding& f, std::string& out)
{
    if (f.rules.empty())
        return;
    out += "  Rules:\n";
    for (const auto& r : f.rules)
        out += "    " + std::string(r.family == model::Family::IPv6 ? "ip6 " : "") + r.table + "/" + r.chain
            + (r.index > 0 ? " #" + std::to_string(r.index) : "") + ": " + r.text + "\n      ["
            + model::provenanceName(r.provenance) + "] " + r.role + "\n";
}

void flowsText(const Finding& f, std::string& out)
{
    if (f.flows.empty())
        return;
    out += "  Flows:\n";
    for (const auto& fl : f.flows) {
        out += "    " + fl.probe.label + "\n";
        if (fl.before)
            out += "      before: " + fateText(*fl.before) + "\n";
        out += std::string("      ") + (fl.before ? "after:  " : "") + fateText(fl.after) + "\n";
    }
}

void fixesText(const Finding& f, std::string& out)
{
    for (const auto& o : f.fixes) {
        out += "  Fix " + o.id + (o.recommended ? " (recommended)" : "") + ": " + o.title + "\n";
        for (const auto& r : o.rules)
            out += "      " + ruleChangeCommand(r) + "\n";
        for (const auto& m : o.manual) {
            out += "      by hand: " + m.title + "\n";
            for (const auto& c : m.commands)
                out += "        " + c + "\n";
        }
        out += "      trade-offs: " + o.tradeoffs + "\n";
    }
}

} // namespace

std::string findingsText(const std::vector<Finding>& findings, const FindingsSubject& subject)
{
    std::string out = "Findings for " + subject.after + (subject.before.empty() ? "" : " against " + subject.before)
        + ": " + std::to_string(findings.size()) + "\n";
    for (const auto& f : findings) {
        out += "\n[" + upper(severityName(f.severity)) + "] " + f.id + ": " + f.title + "\n";
        out += "  Impact: " + f.impact + "\n";
        out += "  Why: " + f.explanation + "\n";
        rulesText(f, out);
        flowsText(f, out);
        fixesText(f, out);
    }
    if (findings.empty())
        out += "Nothing found: every connection examined behaves as expected and the layout is consistent.\n";
    return out;
}

} // namespace cli
