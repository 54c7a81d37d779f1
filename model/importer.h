#pragma once

// Turns what a user has on disk into a snapshot: a saved *.chainsight.json, a single raw dump, or a
// folder of raw dumps. Every file's kind is detected from its content, whatever its name.
// Blocking file I/O; call off the GUI thread for large inputs.

#include "model/result.h"
#include "model/snapshot.h"

#include <QString>

namespace model {

// A file: a snapshot file is loaded; a raw dump becomes a one-source snapshot (UnknownFormat when its
// content matches no known dump). A folder: each regular, non-hidden file becomes a source; files of no
// known kind are listed in the notes; two files of the same kind are a Conflict naming both.
// Sources are parsed strictly: a dump that does not parse is an error naming the file and line.
Result<SnapshotPtr> importPath(const QString& path) noexcept;

} // namespace model
