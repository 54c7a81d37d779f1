#pragma once

// The flow the Diagram view shows before the user picks one: a client on the Internet reaching the first
// container's first published port through the host's first interface that is not Docker's. Pure function of
// the snapshot; safe on any thread.

#include "model/engine/packet.h"
#include "model/snapshot.h"

#include <optional>

namespace model::diagram {

// nullopt when the snapshot has no published port or no such interface with an IPv4 address.
std::optional<engine::Packet> defaultFlow(const Snapshot& snapshot);

} // namespace model::diagram
