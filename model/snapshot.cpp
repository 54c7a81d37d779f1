#include "model/snapshot.h"

namespace model {

const SourceRecord* Snapshot::source(std::string_view kind) const noexcept
{
    for (const auto& s : sources)
        if (s.kind == kind)
            return &s;
    return nullptr;
}

std::optional<std::string> Snapshot::sysctl(const std::string& key) const
{
    auto it = sysctls.find(key);
    if (it == sysctls.end())
        return std::nullopt;
    return it->second;
}

} // namespace model
