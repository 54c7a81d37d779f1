#pragma once

// Turning fix plans into words a shell and iptables read back exactly as meant: quoting for bash,
// the comment tag every added rule carries, and text safe to put in a shell comment.
// Pure functions; thread-safe.

#include "model/fix/fixplan.h"

#include <string>
#include <string_view>
#include <vector>

namespace model::fix {

// One shell word: returned as is when it holds only characters no shell treats specially, else wrapped in
// single quotes with every ' written as '\''. Anything at all (newlines, $(...), quotes) stays one literal word.
std::string shellQuote(std::string_view word);

// Each word quoted, joined with single spaces.
std::string shellJoin(const std::vector<std::string>& words);

// Text for a "# ..." line: control characters (newlines above all) become '?', so it cannot end the comment.
std::string commentSafe(std::string_view text);

// "chainsight:<finding id>", the iptables comment that marks every rule a fix adds.
std::string ruleTag(std::string_view findingId);

// The rule's specification with "-m comment --comment chainsight:<id>" placed before its target, as the
// script passes it to -C, -I, -A and -D (and iptables-save prints it back).
std::vector<std::string> taggedSpec(const RuleChange& rule, std::string_view findingId);

// The whole command as argv: {"iptables", "-t", "raw", "-I", "PREROUTING", "1", ...tagged spec}.
std::vector<std::string> addCommand(const RuleChange& rule, std::string_view findingId);

// A name usable in a file or systemd unit name: letters, digits, '_', '.' and '-' kept, anything else '-'.
std::string fileNameSafe(std::string_view text);

} // namespace model::fix
