// ip -j addr and ip -j route.
#include "model/parse/iproute.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)model::parse::parseIpAddr(text);
    (void)model::parse::parseIpRoute(text, size % 2 == 0);
    return 0;
}
