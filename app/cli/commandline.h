#pragma once

// What every chainsight-cli command does the same way: reading its command line and loading its input.

#include "model/snapshot.h"

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

#include <optional>

namespace cli {

// The parser's help text, its usage line naming the program "chainsight-cli <command>".
QString commandHelp(const QCommandLineParser& parser, const char* command);

// Parses the arguments of `chainsight-cli <command>`. On a parse error it prints "chainsight-cli <command>: <why>"
// to err and returns 2; for --help it prints the help to stdout and returns 0; otherwise nullopt: go on.
std::optional<int> parseCommandLine(
    QCommandLineParser& parser, const char* command, const QStringList& args, QTextStream& err);

// A snapshot file, a raw dump or a folder of dumps as a snapshot; on failure prints
// "chainsight-cli <command>: <what and where> [<code>]" to err and returns null.
model::SnapshotPtr loadInput(const QString& path, const char* command, QTextStream& err);

} // namespace cli
