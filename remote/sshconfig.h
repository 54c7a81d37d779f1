#pragma once

// What Chainsight reads from an ssh config itself rather than through libssh: the ProxyJump of a host, so that
// every hop is connected (and its host key checked) by Chainsight the same way on every libssh version.

#include <string>
#include <vector>

namespace remote {

// The ProxyJump value for host (the name as typed, before HostName applies), as `ssh` picks it: the first value
// given at the top of the file or in a `Host` block whose patterns (`*`, `?`, `!negation`) match. `Match` blocks
// and `Include` are not followed. configFile empty: ~/.ssh/config, then /etc/ssh/ssh_config. Empty when none.
std::string configuredProxyJump(const std::string& configFile, const std::string& host);

// `ssh`'s pattern match: `*` any run of characters, `?` one character, case-insensitive.
bool sshPatternMatches(const std::string& pattern, const std::string& text) noexcept;

// The hops of a ProxyJump value ("[user@]host[:port],..."), first hop first. Empty for "" and "none".
std::vector<std::string> splitProxyJump(const std::string& value);

} // namespace remote
