// The line-oriented host sources: ipset save, resolv.conf, sysctl output.
#include "model/parse/hosttext.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)model::parse::parseIpsetSave(text);
    (void)model::parse::parseResolvConf(text);
    (void)model::parse::parseSysctl(text);
    return 0;
}
