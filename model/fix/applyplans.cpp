#include "model/fix/applyplans.h"

#include "model/edit/iptablescommand.h"
#include "model/fix/shellwords.h"
#include "model/parse/iptables.h"
#include "model/snapshotbuilder.h"

#include <algorithm>

namespace model::fix {

namespace {

// model::edit's tokenizer reads iptables-save quoting: double quotes, backslash escapes.
std::string editQuote(const std::string& word)
{
    const bool plain = !word.empty() && std::none_of(word.begin(), word.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '"' || c == '\\' || c == '\'';
    });
    if (plain)
        return word;
    std::string out = "\"";
    for (const char c : word) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

std::string commandLine(const std::vector<std::string>& words)
{
    std::string out;
    for (const auto& w : words) {
        if (!out.empty())
            out += ' ';
        out += editQuote(w);
    }
    return out;
}

std::string joinedSpec(const RuleChange& r, const std::string& findingId)
{
    return commandLine(taggedSpec(r, findingId));
}

// What `iptables -C` answers: an identical rule is already in the chain.
bool present(const Ruleset& rs, const RuleChange& r, const Rule& rule)
{
    const Table* table = rs.table(r.table);
    const Chain* chain = table ? table->chain(r.chain) : nullptr;
    return chain && std::any_of(chain->rules.begin(), chain->rules.end(), [&](const Rule& existing) {
        return existing.sameRule(rule) || parse::ruleText(existing, r.chain) == rule.text;
    });
}

ParseError planError(const FixPlan& plan, const RuleChange& r, const std::string& why)
{
    ParseError e;
    e.code = ErrorCode::Syntax;
    e.where = plan.findingId;
    e.message = "cannot apply " + shellJoin(addCommand(r, plan.findingId)) + ": " + why;
    return e;
}

Result<Ruleset> applyRule(Ruleset rs, const FixPlan& plan, const RuleChange& r)
{
    auto rule = edit::parseRuleSpec(joinedSpec(r, plan.findingId), r.chain, r.family);
    if (!rule)
        return planError(plan, r, rule.error().message);
    if (present(rs, r, *rule))
        return rs;
    auto changed = edit::applyIptablesCommand(std::move(rs), commandLine(addCommand(r, plan.findingId)));
    if (!changed)
        return planError(plan, r, changed.error().message);
    return std::move(changed).value();
}

void replaceSource(Snapshot& s, const char* kind, const Ruleset& rs)
{
    for (SourceRecord& record : s.sources)
        if (record.kind == kind && record.variant.empty()) {
            record.text = parse::printIptablesSave(rs);
            record.sha256 = sha256Hex(record.text);
            record.origin += " + chainsight fix";
            return;
        }
}

} // namespace

std::vector<std::string> planCommands(const std::vector<FixPlan>& plans)
{
    std::vector<std::string> out;
    for (const FixPlan& plan : plans)
        for (const RuleChange& r : plan.option.rules)
            out.push_back(commandLine(addCommand(r, plan.findingId)));
    return out;
}

Result<Snapshot> applyPlans(const Snapshot& after, const std::vector<FixPlan>& plans) noexcept
{
    try {
        Snapshot fixed = after;
        std::optional<Ruleset> v4 = after.ipv4 ? std::optional<Ruleset>(*after.ipv4) : std::nullopt;
        std::optional<Ruleset> v6 = after.ipv6 ? std::optional<Ruleset>(*after.ipv6) : std::nullopt;
        for (const FixPlan& plan : plans) {
            for (const RuleChange& r : plan.option.rules) {
                std::optional<Ruleset>& target = r.family == Family::IPv6 ? v6 : v4;
                if (!target)
                    return planError(plan, r, "the snapshot holds no ruleset of that family");
                auto next = applyRule(std::move(*target), plan, r);
                if (!next)
                    return next.error();
                target = std::move(next).value();
            }
        }
        if (v4) {
            replaceSource(fixed, SourceKind::IptablesV4, *v4);
            fixed.ipv4 = std::make_shared<const Ruleset>(std::move(*v4));
        }
        if (v6) {
            replaceSource(fixed, SourceKind::IptablesV6, *v6);
            fixed.ipv6 = std::make_shared<const Ruleset>(std::move(*v6));
        }
        fixed.meta.label = after.meta.label.empty() ? std::string("with the fix applied")
                                                    : after.meta.label + ", with the fix applied";
        fixed.meta.predicted = true;
        return fixed;
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, std::string("applying the fix failed: ") + e.what(), {} };
    }
}

} // namespace model::fix
