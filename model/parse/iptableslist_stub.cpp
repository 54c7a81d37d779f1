// Placeholder until the iptables -L reader lands in iptableslist.cpp (which replaces this file).
#include "model/parse/iptables.h"

namespace model::parse {

Result<Ruleset> parseIptablesList(std::string_view, Family) noexcept
{
    return ParseError { ErrorCode::UnknownFormat, 0, 0, "reading iptables -L output is not available yet", {} };
}

} // namespace model::parse
