#pragma once

// The parsed form of one address family's iptables ruleset. Plain immutable values:
// parse once, share as std::shared_ptr<const Ruleset> across threads.

#include "model/sharedstring.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace model {

enum class Family : std::uint8_t { IPv4, IPv6 };
enum class Backend : std::uint8_t { Unknown, NfTables, Legacy };
enum class SourceFormat : std::uint8_t { IptablesSave, IptablesS, IptablesL };

// Who wrote a rule or chain. Unknown covers the host's own rules and anything unrecognised.
enum class Provenance : std::uint8_t { Unknown, Docker, Tailscale, Ufw, Firewalld, KubeProxy, Fail2ban, CloudImage };

const char* familyName(Family f) noexcept; // "ipv4" / "ipv6"
const char* backendName(Backend b) noexcept; // "unknown" / "nf_tables" / "legacy"
const char* provenanceName(Provenance p) noexcept; // "unknown", "docker", "tailscale", "ufw", ...
std::optional<Provenance> provenanceFromName(std::string_view name) noexcept;

struct Counters {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    bool operator==(const Counters&) const = default;
};

// One option of a match or target, as written: "--dport 80" is {"--dport", {"80"}},
// "! --ctstate NEW" is {"--ctstate", {"NEW"}, true}, "--match-set s dst" is {"--match-set", {"s", "dst"}}.
// Arguments are unquoted and unescaped.
// quotedArgs only remembers how the source wrote the arguments, so printing reproduces it; it is not compared.
struct Option {
    std::string name;
    std::vector<std::string> args;
    bool negated = false;
    std::uint32_t quotedArgs = 0; // bit i: args[i] was written in double quotes
    bool operator==(const Option& o) const noexcept
    {
        return name == o.name && args == o.args && negated == o.negated;
    }
};

// "-m module options...". A module the engine does not know is kept as it was read, never dropped.
struct Match {
    std::string module;
    std::vector<Option> options;
    bool operator==(const Match&) const = default;

    const Option* option(std::string_view name) const noexcept;
};

struct Target {
    enum class Kind : std::uint8_t { None, Jump, Goto };
    Kind kind = Kind::None; // None: a rule without -j/-g (only counts)
    std::string name; // ACCEPT, DROP, a user chain, DNAT, ...
    std::vector<Option> options; // --to-destination 172.18.0.2:80, --reject-with ...
    bool operator==(const Target&) const = default;

    const Option* option(std::string_view name) const noexcept;
};

// A base criterion (-s, -d, -i, -o, -p): the value as written and whether "!" precedes it.
struct CoreMatch {
    std::string value;
    bool negated = false;
    bool operator==(const CoreMatch&) const = default;
};

// What a source format could not state for a rule (iptables -L without -v has no interfaces).
enum UnknownField : std::uint32_t {
    UnknownNone = 0,
    UnknownInInterface = 1u << 0,
    UnknownOutInterface = 1u << 1,
    UnknownCounters = 1u << 2,
    UnknownTable = 1u << 3,
    UnknownMatches = 1u << 4, // the option column could not be fully decoded
};

// The module name of a Match that holds option text a source could not decode (iptables -L prints some
// modules in a form that does not map back to their options). Such a Match has one Option with an empty name
// whose single argument is the verbatim text, and its rule has UnknownMatches set. No iptables module has this
// name; printers show the text rather than "-m".
inline constexpr std::string_view kUndecodedMatch = "?";

struct Rule {
    std::optional<CoreMatch> source; // -s
    std::optional<CoreMatch> destination; // -d
    std::optional<CoreMatch> inInterface; // -i
    std::optional<CoreMatch> outInterface; // -o
    std::optional<CoreMatch> protocol; // -p
    std::vector<Match> matches; // -m ..., in order
    Target target;
    std::optional<Counters> counters; // nullopt when the source had none
    // The small fields sit together so the struct has little padding: a large ruleset holds a Rule per line.
    std::uint32_t unknown = UnknownNone; // UnknownField bits
    int line = 0; // 1-based line in its source text
    std::optional<bool> fragment; // true: -f, false: ! -f
    Provenance provenance = Provenance::Unknown;

    std::string text; // the exact source line
    // Why, in a few words ("chain named DOCKER, DOCKER-* or DOCKER_*: Docker's naming"); one copy shared by the
    // rules with the same reason.
    SharedString provenanceReason;

    // Structural equality: everything iptables distinguishes, ignoring counters, source position and provenance.
    bool sameRule(const Rule& other) const noexcept;
    const Match* match(std::string_view module) const noexcept;
};

struct Chain {
    std::string name;
    bool builtin = false;
    std::string policy; // ACCEPT/DROP for built-in chains, empty for user chains
    std::optional<Counters> counters; // policy counters
    std::vector<Rule> rules;
    int line = 0; // line of the chain declaration
    Provenance provenance = Provenance::Unknown;
    SharedString provenanceReason;
};

struct Table {
    std::string name; // raw, mangle, nat, filter, security; empty when the source did not say
    std::vector<Chain> chains; // in declaration order
    int line = 0;

    const Chain* chain(std::string_view name) const noexcept;
    int chainIndex(std::string_view name) const noexcept; // -1 when absent
};

struct Ruleset {
    Family family = Family::IPv4;
    Backend backend = Backend::Unknown;
    SourceFormat format = SourceFormat::IptablesSave;
    std::vector<Table> tables; // in source order
    std::string generator; // e.g. "iptables-save v1.8.9 (nf_tables)", when a header says so
    std::optional<int> truncatedAtLine; // the input stopped mid-rule or mid-table at this line
    std::vector<std::string> notes; // what was recognised and stripped, warnings

    const Table* table(std::string_view name) const noexcept;
    std::size_t ruleCount() const noexcept;
};

using RulesetPtr = std::shared_ptr<const Ruleset>;

bool isBuiltinChain(std::string_view table, std::string_view chain) noexcept;
bool isKnownTable(std::string_view table) noexcept;

} // namespace model
