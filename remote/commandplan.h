#pragma once

// The fixed, read-only command list a remote snapshot runs. Nothing else is ever sent to a host, and no
// user-provided text reaches a command line: only these constants, program paths the host reported
// (validated), and Docker IDs the host reported (validated as hex).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace remote {

struct CommandSpec {
    const char* kind; // a model::SourceKind
    const char* program; // resolved to an absolute path by the probe
    const char* arguments; // fixed text after the program
    bool privileged; // needs root: run through sudo when the login user is not root
    const char* variant = ""; // "legacy" / "nft" for the per-backend dumps
};

// Commands that produce one source each, in the order they run.
const std::vector<CommandSpec>& commandPlan();

// Files read with cat (absent files are recorded as absent).
struct FileSpec {
    const char* kind;
    const char* path;
};
const std::vector<FileSpec>& filePlan();

// Docker lists whose IDs feed one inspect command each.
struct DockerListSpec {
    const char* kind; // DockerNetworks or DockerContainers
    const char* listArguments; // after "docker"
    const char* inspectArguments; // after "docker"; the IDs follow
};
const std::vector<DockerListSpec>& dockerPlan();

// The first command: prints the login user's uid, then "<program> <absolute path>" for each program found
// and "file <path>" for each file present. Runs through `sh -c` so the login shell's syntax does not matter.
std::string probeCommand();

struct ProbeResult {
    int uid = -1;
    std::vector<std::pair<std::string, std::string>> programs; // name -> absolute path
    std::vector<std::string> files;
    std::optional<std::string> path(std::string_view program) const;
    bool hasFile(std::string_view file) const;
};
// nullopt when the output is not what probeCommand() prints.
std::optional<ProbeResult> parseProbe(std::string_view output);

// A Docker ID as printed by `docker ... -q --no-trunc`: 12 to 64 lowercase hex digits.
bool isDockerId(std::string_view text) noexcept;
// The IDs, one per line; invalid lines are returned in rejected and never used.
std::vector<std::string> parseDockerIds(std::string_view output, std::vector<std::string>* rejected = nullptr);

// An absolute path made only of characters that need no quoting in any shell.
bool isSafePath(std::string_view text) noexcept;

} // namespace remote
