#pragma once

// Small file helpers for the model's readers and writers. Errors come back as Io ParseErrors naming the path.

#include "model/result.h"

#include <QString>

#include <optional>
#include <string>

namespace model {

// Files larger than this are not read whole (a dump this big is not a host capture).
inline constexpr qint64 kMaxInputFileSize = 256LL * 1024 * 1024;

Result<std::string> readWholeFile(const QString& path, qint64 limit = kMaxInputFileSize) noexcept;

// Replaces path with data atomically (temporary file in the same folder, flush to disk, rename).
// mode: POSIX permission bits for the new file (0755 for a script); nullopt keeps the umask default.
Result<bool> writeFileAtomically(const QString& path, const std::string& data,
    std::optional<unsigned> mode = std::nullopt) noexcept;

} // namespace model
