#include "app/cli/findingsprint.h"

#include "model/findings/findingsjson.h"

namespace cli {

using namespace model::findings;

namespace {

std::string fate(const FlowFate& f)
{
    return std::string("**") + model::engine::fateName(f.fate) + "** `" + f.deciding + "`";
}

void findingMarkdown(const Finding& f, std::string& out)
{
    out += "\n## " + f.title + "\n\n`" + f.id + "` · severity **" + severityName(f.severity) + "**\n\n";
    out += "**Impact:** " + f.impact + "\n\n" + f.explanation + "\n";
    if (!f.rules.empty()) {
        out += "\n| Rule | Written by | Role |\n|---|---|---|\n";
        for (const auto& r : f.rules)
            out += "| `" + std::string(r.family == model::Family::IPv6 ? "ip6 " : "") + r.table + "/" + r.chain + ": "
                + r.text + "` | " + model::provenanceName(r.provenance) + " | " + r.role + " |\n";
    }
    if (!f.flows.empty()) {
        out += "\n| Flow | Before | After |\n|---|---|---|\n";
        for (const auto& fl : f.flows)
            out += "| " + fl.probe.label + " | " + (fl.before ? fate(*fl.before) : std::string("–")) + " | "
                + fate(fl.after) + " |\n";
    }
    for (const auto& o : f.fixes) {
        out += "\n### Fix: " + o.title + (o.recommended ? " (recommended)" : "") + "\n\n" + o.tradeoffs + "\n";
        if (!o.rules.empty()) {
            out += "\n```sh\n";
            for (const auto& r : o.rules)
                out += ruleChangeCommand(r) + "\n";
            out += "```\n";
        }
        for (const auto& m : o.manual) {
            out += "\nBy hand: " + m.title + (m.explanation.empty() ? "" : ". " + m.explanation) + "\n\n```sh\n";
            for (const auto& c : m.commands)
                out += c + "\n";
            out += "```\n";
        }
    }
}

} // namespace

std::string findingsMarkdown(const std::vector<Finding>& findings, const FindingsSubject& subject)
{
    std::string out
        = "# Findings for " + subject.after + (subject.before.empty() ? "" : " against " + subject.before) + "\n";
    if (findings.empty())
        out += "\nNothing found.\n";
    for (const auto& f : findings)
        findingMarkdown(f, out);
    return out;
}

} // namespace cli
