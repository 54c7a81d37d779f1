#pragma once

// Takes one snapshot through a HostSession: connects, probes which tools exist, runs the fixed command
// list (remote/commandplan.h) with sudo when needed, and returns the sources verbatim with their commands,
// exit statuses and digests. Runs on the session's thread; cancel through the token from anywhere.

#include "model/snapshot.h"
#include "remote/hostsession.h"

#include <string>
#include <vector>

namespace remote {

struct RemoteCapture {
    model::SnapshotMeta meta;
    std::vector<model::SourceRecord> sources;
    std::vector<std::string> notes; // commands that failed, IDs that were rejected, dropped backend dumps
};

class SnapshotCollector final {
public:
    SnapshotCollector(HostSession& session, SessionCallbacks& callbacks, CancelTokenPtr cancel);
    ~SnapshotCollector();
    SnapshotCollector(const SnapshotCollector&) = delete;
    SnapshotCollector& operator=(const SnapshotCollector&) = delete;

    // One connection, opened and closed here.
    Outcome<RemoteCapture> collect();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace remote
