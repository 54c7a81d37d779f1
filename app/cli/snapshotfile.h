#pragma once

#include "remote/snapshotcollector.h"

#include <QString>

namespace cli {

// Writes a captured snapshot atomically (a temporary file renamed into place); returns an error message or "".
QString saveSnapshotFile(const remote::RemoteCapture& capture, const QString& path);

} // namespace cli
