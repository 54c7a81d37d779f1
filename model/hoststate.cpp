#include "model/hoststate.h"

namespace model {

const DockerNetwork* DockerState::networkByBridge(const std::string& bridge) const
{
    if (!networks)
        return nullptr;
    for (const auto& n : *networks)
        if (n.bridgeName == bridge)
            return &n;
    return nullptr;
}

const DockerNetwork* DockerState::networkByName(const std::string& name) const
{
    if (!networks)
        return nullptr;
    for (const auto& n : *networks)
        if (n.name == name)
            return &n;
    return nullptr;
}

} // namespace model
