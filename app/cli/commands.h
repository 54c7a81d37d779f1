#pragma once

// chainsight-cli subcommands. Each takes its own arguments (after the command name) and returns the exit code.
// Exit codes: 0 success, 1 "found something" where a command defines it (diff --exit-code), 2 usage or input error.

#include <QStringList>

namespace cli {

int importCommand(const QStringList& args);
int showCommand(const QStringList& args);
int traceCommand(const QStringList& args);
int snapshotCommand(const QStringList& args);
int diffCommand(const QStringList& args);
int findingsCommand(const QStringList& args);
int fixCommand(const QStringList& args);
int previewCommand(const QStringList& args);

} // namespace cli
