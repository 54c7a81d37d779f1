// Pasted text: cleaning, format and family detection, then whichever reader the content calls for.
#include "model/parse/iptables.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto rs = model::parse::parseRulesetText(text);
    if (rs.ok())
        (void)model::parse::printIptablesSave(*rs);
    return 0;
}
