#pragma once

// Small file helpers for the model's readers and writers. Errors come back as Io ParseErrors naming the path.

#include "model/result.h"

#include <QString>

#include <string>

namespace model {

// Files larger than this are not read whole (a dump this big is not a host capture).
inline constexpr qint64 kMaxInputFileSize = 256LL * 1024 * 1024;

Result<std::string> readWholeFile(const QString& path, qint64 limit = kMaxInputFileSize) noexcept;

// Replaces path with data atomically (temporary file in the same folder, flush to disk, rename).
Result<bool> writeFileAtomically(const QString& path, const std::string& data) noexcept;

} // namespace model
