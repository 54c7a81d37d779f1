// iptables-save reader: never crashes, and whatever it accepts prints back to text it reads the same way.
#include "model/parse/iptables.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto rs = model::parse::parseIptablesSave(text, model::Family::IPv4);
    if (!rs.ok())
        return 0;
    const std::string printed = model::parse::printIptablesSave(*rs);
    const auto again = model::parse::parseIptablesSave(printed, model::Family::IPv4);
    if (!again.ok() || model::parse::printIptablesSave(*again) != printed)
        std::abort();
    return 0;
}
