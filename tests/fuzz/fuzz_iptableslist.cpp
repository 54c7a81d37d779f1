// iptables -L reader: never crashes on any input, and names a line for everything it refuses.
#include "model/parse/iptables.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto rs = model::parse::parseIptablesList(text, size % 2 ? model::Family::IPv6 : model::Family::IPv4);
    if (rs.ok())
        (void)model::parse::printIptablesSave(*rs);
    else if (rs.error().code != model::ErrorCode::Empty && rs.error().line <= 0)
        std::abort();
    return 0;
}
