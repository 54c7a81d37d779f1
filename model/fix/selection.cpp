#include "model/fix/selection.h"

#include <algorithm>

namespace model::fix {

namespace {

    bool hasEffect(const FixOption& o) noexcept { return !o.rules.empty() || !o.manual.empty(); }

    FixPlan planOf(const findings::Finding& f, const FixOption& option)
    {
        return FixPlan { f.id, f.title, option, f.targets };
    }

    std::string idList(const std::vector<findings::Finding>& findings)
    {
        std::string ids;
        for (const findings::Finding& f : findings) {
            if (f.fixes.empty())
                continue;
            ids += (ids.empty() ? "" : ", ") + f.id;
        }
        return ids.empty() ? std::string("none of the findings has a fix") : "findings with fixes: " + ids;
    }

    ParseError choiceError(std::string message)
    {
        ParseError e;
        e.code = ErrorCode::Conflict;
        e.message = std::move(message);
        return e;
    }

} // namespace

const FixOption* defaultOption(const findings::Finding& finding) noexcept
{
    for (const FixOption& o : finding.fixes)
        if (o.recommended && hasEffect(o))
            return &o;
    for (const FixOption& o : finding.fixes)
        if (!o.rules.empty())
            return &o;
    for (const FixOption& o : finding.fixes)
        if (hasEffect(o))
            return &o;
    return nullptr;
}

Result<std::vector<FixPlan>> plansFor(
    const std::vector<findings::Finding>& findings, const std::vector<FixChoice>& choices) noexcept
{
    std::vector<FixPlan> plans;
    if (choices.empty()) {
        for (const findings::Finding& f : findings)
            if (const FixOption* o = defaultOption(f))
                plans.push_back(planOf(f, *o));
        return plans;
    }
    for (const FixChoice& c : choices) {
        const auto f = std::find_if(
            findings.begin(), findings.end(), [&](const findings::Finding& x) { return x.id == c.findingId; });
        if (f == findings.end())
            return choiceError("no finding \"" + c.findingId + "\" in this snapshot (" + idList(findings) + ")");
        const FixOption* option = nullptr;
        if (c.optionId.empty()) {
            option = defaultOption(*f);
        } else {
            const auto o = std::find_if(
                f->fixes.begin(), f->fixes.end(), [&](const FixOption& x) { return x.id == c.optionId; });
            option = o == f->fixes.end() ? nullptr : &*o;
        }
        if (!option) {
            std::string names;
            for (const FixOption& o : f->fixes)
                names += (names.empty() ? "" : ", ") + o.id;
            return choiceError("finding \"" + c.findingId + "\" has no fix option \"" + c.optionId + "\" (options: "
                + (names.empty() ? std::string("none") : names) + ")");
        }
        plans.push_back(planOf(*f, *option));
    }
    return plans;
}

} // namespace model::fix
