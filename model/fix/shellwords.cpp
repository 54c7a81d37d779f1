#include "model/fix/shellwords.h"

#include <algorithm>

namespace model::fix {

namespace {

bool isShellSafe(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || std::string_view("_-./:=@%+,").find(c) != std::string_view::npos;
}

bool isTargetFlag(std::string_view word) noexcept
{
    return word == "-j" || word == "--jump" || word == "-g" || word == "--goto";
}

} // namespace

std::string shellQuote(std::string_view word)
{
    if (!word.empty() && std::all_of(word.begin(), word.end(), isShellSafe))
        return std::string(word);
    std::string out = "'";
    for (const char c : word) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

std::string shellJoin(const std::vector<std::string>& words)
{
    std::string out;
    for (const auto& w : words) {
        if (!out.empty())
            out += ' ';
        out += shellQuote(w);
    }
    return out;
}

std::string commentSafe(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return out;
}

std::string ruleTag(std::string_view findingId) { return "chainsight:" + std::string(findingId); }

std::vector<std::string> taggedSpec(const RuleChange& rule, std::string_view findingId)
{
    std::vector<std::string> out;
    out.reserve(rule.spec.size() + 4);
    const auto target
        = std::find_if(rule.spec.begin(), rule.spec.end(), [](const std::string& w) { return isTargetFlag(w); });
    out.insert(out.end(), rule.spec.begin(), target);
    out.insert(out.end(), { "-m", "comment", "--comment", ruleTag(findingId) });
    out.insert(out.end(), target, rule.spec.end());
    return out;
}

std::vector<std::string> addCommand(const RuleChange& rule, std::string_view findingId)
{
    std::vector<std::string> out { rule.family == Family::IPv6 ? "ip6tables" : "iptables", "-t", rule.table };
    if (rule.where == RuleChange::Where::Insert)
        out.insert(out.end(), { "-I", rule.chain, std::to_string(rule.position) });
    else
        out.insert(out.end(), { "-A", rule.chain });
    const auto spec = taggedSpec(rule, findingId);
    out.insert(out.end(), spec.begin(), spec.end());
    return out;
}

std::string fileNameSafe(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                || c == '-'))
            c = '-';
    if (out.empty() || out.front() == '.')
        out.insert(out.begin(), 'x');
    return out;
}

} // namespace model::fix
