#include "model/parse/cleaninput.h"

#include "model/parse/textscan.h"

#include <algorithm>
#include <array>
#include <map>

namespace model::parse {

namespace {

std::string_view trimLeft(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    return s;
}

// What may follow a command word on a "# " prompt line: nothing, an option, a path, a redirection or one of
// the subcommands admins run. Anything else is prose in a comment ("# iptables-save header names its ...").
bool looksLikeArguments(std::string_view rest) noexcept
{
    static constexpr std::array<std::string_view, 14> kSubcommands { "save", "list", "network", "inspect", "version",
        "info", "addr", "address", "route", "rule", "link", "ruleset", "status", "netcheck" };
    rest = trim(rest);
    if (rest.empty() || rest[0] == '-' || rest[0] == '/' || rest[0] == '~' || rest[0] == '.' || rest[0] == '>' || rest[0] == '|')
        return true;
    const std::string_view word = rest.substr(0, rest.find(' '));
    for (const auto sub : kSubcommands)
        if (word == sub)
            return true;
    return false;
}

bool isKnownCommand(std::string_view cmd) noexcept
{
    static constexpr std::array<std::string_view, 12> kCommands { "sudo", "doas", "iptables", "ip6tables", "nft",
        "docker", "ip", "ipset", "cat", "sh", "bash", "tailscale" };
    const auto space = cmd.find(' ');
    std::string_view word = cmd.substr(0, space);
    const std::string_view rest = space == std::string_view::npos ? std::string_view() : cmd.substr(space + 1);
    if (const auto slash = word.rfind('/'); slash != std::string_view::npos) {
        if (word[0] != '/')
            return false; // "tailscale/tailscale v1.84.0": a source path in prose, not a command
        word = word.substr(slash + 1); // /usr/sbin/iptables-save
    }
    if (word == "sudo" || word == "doas")
        return isKnownCommand(trim(rest));
    for (const auto c : kCommands)
        if (word == c || (startsWith(word, c) && word.size() > c.size() && word[c.size()] == '-'))
            return looksLikeArguments(rest);
    return false;
}

bool isFence(std::string_view line) noexcept
{
    const std::string_view t = trimLeft(line);
    return startsWith(t, "```") || startsWith(t, "~~~");
}

using Lines = std::vector<std::string_view>;

bool stripQuoteMarkers(Lines& lines)
{
    bool stripped = false;
    for (int depth = 0; depth < 8; ++depth) {
        bool all = true, any = false;
        for (const auto l : lines) {
            if (trimLeft(l).empty())
                continue;
            any = true;
            all = all && trimLeft(l).front() == '>';
        }
        if (!any || !all)
            break;
        for (auto& l : lines) {
            l = trimLeft(l);
            if (l.empty())
                continue;
            l.remove_prefix(1);
            if (!l.empty() && l.front() == ' ')
                l.remove_prefix(1);
        }
        stripped = true;
    }
    return stripped;
}

// Keeps only what is inside code fences, when there are any. Returns {had fences, dropped prose}.
std::pair<bool, bool> keepFencedBlocks(Lines& lines)
{
    if (std::none_of(lines.begin(), lines.end(), isFence))
        return { false, false };
    bool inside = false, dropped = false;
    for (auto& l : lines) {
        if (isFence(l)) {
            inside = !inside;
            l = {};
        } else if (!inside && !trimLeft(l).empty()) {
            l = {};
            dropped = true;
        }
    }
    return { true, dropped };
}

bool stripCommonIndent(Lines& lines, const std::map<std::size_t, std::string>& replaced)
{
    std::size_t indent = std::string_view::npos;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (replaced.count(i) || trimLeft(lines[i]).empty())
            continue;
        indent = std::min(indent, lines[i].size() - trimLeft(lines[i]).size());
    }
    if (indent == 0 || indent == std::string_view::npos)
        return false;
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (!replaced.count(i))
            lines[i] = lines[i].size() >= indent ? lines[i].substr(indent) : std::string_view();
    return true;
}

} // namespace

std::string_view promptCommand(std::string_view line) noexcept
{
    const std::string_view t = trimLeft(line);
    if (startsWith(t, "$ "))
        return trim(t.substr(2));
    if (startsWith(t, "# ")) {
        const std::string_view cmd = trim(t.substr(2));
        return isKnownCommand(cmd) ? cmd : std::string_view();
    }
    // "[root@host ~]# cmd"
    if (startsWith(t, "[")) {
        const auto close = t.find(']');
        if (close != std::string_view::npos && close + 2 < t.size() && (t[close + 1] == '#' || t[close + 1] == '$')
            && t[close + 2] == ' ' && t.substr(0, close).find('@') != std::string_view::npos)
            return trim(t.substr(close + 3));
        return {};
    }
    // "root@host:~# cmd", "user@host:/etc$ cmd"
    const auto sp = t.find(' ');
    if (sp == std::string_view::npos || sp < 3)
        return {};
    const std::string_view prompt = t.substr(0, sp);
    const char last = prompt.back();
    if ((last != '#' && last != '$') || prompt.find('@') == std::string_view::npos
        || prompt.find(':') == std::string_view::npos)
        return {};
    return trim(t.substr(sp + 1));
}

CleanedInput cleanPastedInput(std::string_view text)
{
    CleanedInput out;
    Lines lines;
    lines.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
    bool crlf = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (!l.empty() && l.back() == '\r') {
            l.remove_suffix(1);
            crlf = true;
        }
        lines.push_back(l);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    if (crlf)
        out.notes.emplace_back("Windows line endings (CR LF) were converted");
    if (stripQuoteMarkers(lines))
        out.notes.emplace_back("quote markers (\"> \") were stripped");
    const auto [fences, prose] = keepFencedBlocks(lines);
    if (fences)
        out.notes.emplace_back(prose ? "Markdown code fences were stripped, and the text outside them ignored"
                                     : "Markdown code fences were stripped");
    std::map<std::size_t, std::string> replaced;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view cmd = promptCommand(lines[i]);
        if (cmd.empty())
            continue;
        out.notes.push_back("line " + std::to_string(i + 1) + ": shell prompt stripped before \"" + std::string(cmd) + '"');
        out.commandLines.push_back(static_cast<int>(i + 1));
        replaced.emplace(i, "# " + std::string(cmd));
    }
    if (stripCommonIndent(lines, replaced))
        out.notes.emplace_back("common indentation was stripped");
    bool trailing = false;
    out.text.reserve(text.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto r = replaced.find(i);
        const std::string_view l = r != replaced.end() ? std::string_view(r->second) : lines[i];
        const std::string_view t = trimRight(l);
        trailing = trailing || t.size() != l.size();
        out.text += t;
        if (i + 1 < lines.size() || (!text.empty() && text.back() == '\n'))
            out.text += '\n';
    }
    if (trailing)
        out.notes.emplace_back("trailing whitespace was stripped");
    return out;
}

} // namespace model::parse
