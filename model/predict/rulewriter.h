#pragma once

// Writes Docker's iptables commands into a pair of rulesets the way the kernel would take them, and keeps the
// command log. It mirrors the helpers the Docker daemon uses: rules are added only when an existence check
// (-C) fails, jumps are "ensured" by delete-then-insert at position 1, chains are deleted only when nothing
// references them. Each command is applied with model::edit, so the log is exactly what changed the state.
// In removing mode, add operations delete their rule instead (Docker deletes a network or an endpoint by
// running its set-up with the delete action). Not thread-safe; one writer per prediction.

#include "model/hoststate.h"
#include "model/ruleset.h"

#include <string>
#include <string_view>
#include <vector>

namespace model::predict {

enum class Place : std::uint8_t { Append, Insert };

class RuleWriter final {
public:
    RuleWriter(Ruleset ipv4, Ruleset ipv6);

    void setFamilyEnabled(Family family, bool enabled) { m_enabled[index(family)] = enabled; }
    bool enabled(Family family) const { return m_enabled[index(family)]; }
    void setRemoving(bool removing) { m_removing = removing; }
    bool removing() const { return m_removing; }

    // -C, then -A/-I when missing (or -D when present, in removing mode).
    void rule(Family family, std::string_view table, std::string_view chain, Place place, std::string_view spec);
    // -D when present, in either mode.
    void remove(Family family, std::string_view table, std::string_view chain, std::string_view spec);
    // Delete if present, then insert at position 1. Nothing in removing mode.
    void ensureJump(Family family, std::string_view table, std::string_view chain, std::string_view spec);
    void newChain(Family family, std::string_view table, std::string_view chain);
    void flushChain(Family family, std::string_view table, std::string_view chain);
    // -X when the chain exists, is empty and no rule jumps to it (iptables refuses otherwise).
    void deleteChain(Family family, std::string_view table, std::string_view chain);
    void policy(Family family, std::string_view chain, std::string_view policy); // nothing in removing mode
    // A line of the log that is not a command: "# dockerd 28.5.2: createNetwork mynet".
    void event(std::string text);
    // ipset create (replacing and flushing an existing set), add (del in removing mode).
    void ipsetCreate(const std::string& name, const std::string& family);
    void ipsetMember(const std::string& name, const std::string& member);
    const std::vector<IpSet>& ipsets() const { return m_ipsets; }

    // Whether IP forwarding is on for a family: Docker sets the FORWARD policy only when it switches it on.
    bool forwarding(Family family) const { return m_forwarding[index(family)]; }
    void setForwarding(Family family, bool on) { m_forwarding[index(family)] = on; }

    bool hasRule(Family family, std::string_view table, std::string_view chain, std::string_view spec) const;
    bool hasChain(Family family, std::string_view table, std::string_view chain) const;

    const Ruleset& ruleset(Family family) const { return m_rulesets[index(family)]; }
    const std::vector<std::string>& commands() const { return m_commands; }
    // Commands that failed for a reason Docker would not ignore (a bug in a generator, reported as a note).
    const std::vector<std::string>& failures() const { return m_failures; }

private:
    static std::size_t index(Family family) { return family == Family::IPv4 ? 0 : 1; }
    void run(Family family, std::string command);
    std::string prefix(Family family, std::string_view table) const;

    Ruleset m_rulesets[2];
    bool m_enabled[2] = { true, true };
    bool m_removing = false;
    bool m_forwarding[2] = { false, false };
    std::vector<std::string> m_commands;
    std::vector<std::string> m_failures;
    std::vector<IpSet> m_ipsets;
};

} // namespace model::predict
