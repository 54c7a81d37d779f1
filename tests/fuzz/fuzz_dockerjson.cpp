// The Docker JSON readers (network inspect, inspect, version, info, daemon.json) on the same input.
#include "model/parse/docker.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)model::parse::parseDockerNetworks(text);
    (void)model::parse::parseDockerContainers(text);
    (void)model::parse::parseDockerVersion(text);
    (void)model::parse::parseDockerInfo(text);
    (void)model::parse::parseDaemonJson(text);
    return 0;
}
