#pragma once

// Builds a Snapshot from its raw sources: the one place where captured text becomes parsed host state.
// Used when importing dumps, when loading a snapshot file (which stores only sources) and after an SSH
// capture. Pure function of its input; safe to call from any thread.

#include "model/result.h"
#include "model/snapshot.h"

#include <string>
#include <string_view>
#include <vector>

namespace model {

struct BuildOptions {
    // strict: a source that cannot be parsed fails the whole build, with the source's origin as "where"
    // (importing a file the user chose). Otherwise it is recorded in notes and its part stays unknown
    // (loading a saved snapshot, a capture where one command printed something odd).
    bool strict = false;
};

// Parses every source and fills the derived members of Snapshot. Missing sha256 values are computed.
// Two sources of one kind with the same variant are a Conflict (strict) or a note (first one wins).
Result<SnapshotPtr> snapshotFromSources(SnapshotMeta meta, std::vector<SourceRecord> sources, BuildOptions options = {}) noexcept;

// Lower-case hex SHA-256 of the bytes of text.
std::string sha256Hex(std::string_view text);

// A source record for captured text, with its checksum filled in.
SourceRecord makeSource(std::string kind, std::string origin, std::string text, std::optional<int> exitStatus = std::nullopt);

} // namespace model
