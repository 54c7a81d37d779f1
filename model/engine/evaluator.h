#pragma once

// Internal to the engine: the per-trace state and the chain stack machine (SEMANTICS §3).
// One Evaluator lives for one path of one trace, on one thread.

#include "model/engine/compiled.h"
#include "model/engine/hostmodel.h"
#include "model/engine/pathrecorder.h"
#include "model/engine/trace.h"

#include <string>
#include <vector>

namespace model::engine::detail {

// The answers given to undecidable matches along one path; replayed and varied to enumerate all paths.
struct Choices {
    std::vector<bool> sequence; // forced prefix on entry, the full sequence taken on exit
    std::size_t next = 0;
};

enum class Verdict : std::uint8_t { Accept, Drop, Reject };

struct PacketState {
    Header header;
    std::string in; // devices as the current hook's rules see them
    std::string out;
    std::string physIn;
    bool bridged = false;
    bool localOrigin = false;
    std::uint32_t mark = 0;
    std::uint32_t connmark = 0;
    CtState state = CtState::New;
    CtDirection direction = CtDirection::Original;
    bool ctAttached = false; // false in raw (before conntrack) and for untracked packets
    bool untracked = false;
    Header original; // the connection's original tuple (before any NAT)
    std::optional<NatBinding> binding; // stored translation of a non-NEW packet
    std::optional<std::uint32_t> uid;
    std::optional<std::uint32_t> gid;
    bool dnatDone = false; // this traversal rewrote the destination (virtual ctstate DNAT)
    bool snatDone = false;
};

class Evaluator final {
public:
    Evaluator(const CompiledRuleset& rules, const HostModel& host, Choices& choices, Outcome& outcome,
        std::vector<std::string>& dependsOn);

    // Runs one table's built-in chain for this hook. A missing table or chain accepts without a trace.
    Verdict runTable(PacketState& s, Hook hook, const char* table);

    // The decision that best explains an accepted packet: the last filter-table verdict, else the last rule.
    RuleRef acceptingRule() const;
    RuleRef lastTerminal() const { return materialise(m_lastTerminal); }

    // Decides an undecidable question by replaying or extending the choice sequence, and records it.
    // `question` is a match ("... matched") or, with fact = true, a statement ("assumed ...").
    bool choose(const std::string& question, const std::string& reason, bool fact = false);

    void addHop(Hop hop)
    {
        if (keepsHops())
            m_outcome.hops.push_back(std::move(hop));
    }
    // A recorded trace serves the symbolic search, which reads fates, decisions and conditions: its hops (and the
    // text they carry) are not built.
    bool keepsHops() const noexcept { return m_rec == nullptr; }

    // Symbolic evaluation: notes what each decided predicate implies about the original header fields.
    void setRecorder(PathRecorder* recorder) noexcept { m_rec = recorder; }
    PathRecorder* recorder() const noexcept { return m_rec; }

    // Whether the address is the host's own; asked as an undecidable question (once per path) when the
    // snapshot does not settle it.
    bool isLocalAddress(const IpAddress& address);
    std::uint32_t addressType(const IpAddress& address);

private:
    enum class Tri : std::uint8_t { False, True, Unknown };
    struct Frame {
        int chain;
        std::size_t next;
    };
    // An indexed run a recorded packet is passing through without a match so far: where it entered, and the values
    // of the key field the path condition allowed then.
    struct RunVisit {
        const IndexedRun* run = nullptr;
        int chain = -1;
        std::size_t depth = 0;
        std::size_t entry = 0;
        std::size_t choices = 0; // undecided choices made on the path before it
        PathRecorder::Tag tag = PathRecorder::Const;
        IntervalSet domain;
        std::optional<IntervalSet> wideDomain; // once the recorder keeps wide and kept conditions
        std::optional<IntervalSet> keptDomain;
    };
    // A group of rules with equal targets (CompiledChain::groups) the traced packet is in, from `begin` on.
    struct GroupVisit {
        const CompiledTable* table = nullptr;
        int chain = -1;
        std::size_t depth = 0;
        std::size_t begin = 0;
        std::size_t end = 0;
    };
    void leaveGroup();
    void widenGroup(const PacketState& s, std::size_t matched);
    // The packets of the recorder's wide condition that match the rule: per dimension, where it is narrower; false
    // when that is not a box the recorder can tell exactly, or no packet matches.
    bool groupMemberRegion(
        const PacketState& s, const CompiledRule& rule, std::array<std::optional<IntervalSet>, kDims>& region);

    // Passes over the rules of an indexed run that cannot match: the first candidate at or after `next`, or the
    // run's end. With a recorder, notes the condition the skipped rules stand for.
    std::size_t skipIndexed(const PacketState& s, const IndexedRun& run, std::size_t next);
    void recordGroupMiss(const PacketState& s, const std::vector<Predicate>& predicates);
    // The packet was dropped by rule `index` of the visited run: tells the recorder which other keys are dropped
    // at the same point (rungroup.cpp).
    void beginVisit(RunVisit& visit, const IndexedRun& run, int chain, std::size_t depth, std::size_t entry);
    void groupRunDrop(const PacketState& s, const CompiledChain& chain, const RunVisit& visit);
    // The packet passed over the visited run: tells the recorder which other keys pass it the same way.
    void groupRunPass(const PacketState& s, const CompiledChain& chain, const RunVisit& visit);
    enum class RunEnd : std::uint8_t { Drop, Pass, Other };
    IntervalSet keysEnding(const PacketState& s, const CompiledChain& chain, const RunVisit& visit, RunEnd want);
    RunEnd probeRun(PacketState& probe, const CompiledChain& chain, const RunVisit& visit, U128 key,
        const std::vector<std::uint32_t>& candidates);
    bool sameKeyTag(const RunVisit& visit) const;
    std::optional<bool> probeRule(const PacketState& probe, const CompiledRule& rule, PathRecorder::Tag t, U128 key);
    bool ruleMatches(const PacketState& s, const CompiledRule& rule);
    bool ruleMatchesRecorded(const PacketState& s, const CompiledRule& rule);
    Tri evaluate(const PacketState& s, const Predicate& p);
    Tri evaluateFlow(const PacketState& s, const Predicate& p) const;
    Tri evaluateHost(const PacketState& s, const Predicate& p);
    std::string unknownReason(const PacketState& s, const Predicate& p) const;
    std::uint32_t ctStateBits(const PacketState& s) const noexcept;

    // Applies a rule's target. Returns true when the table's traversal ended (verdict in `v`).
    bool applyTarget(PacketState& s, Hook hook, const CompiledTable& table, int chain, std::size_t index,
        std::vector<Frame>& stack, int& current, std::size_t& next, Verdict& v);
    void applyNat(PacketState& s, Hook hook, const CompiledTarget& t, Hop& hop);
    void applyMark(PacketState& s, const CompiledTarget& t, Hop& hop) const;
    Hop ruleHop(const PacketState& s, Hook hook, const CompiledTable& table, int chain, std::size_t index) const;
    Verdict policyVerdict(const PacketState& s, Hook hook, const CompiledTable& table, int chain);
    void recordTerminal(const CompiledTable& table, int chain, std::size_t index, const std::string& policy);

    const CompiledRuleset& m_rules;
    const HostModel& m_host;
    Choices& m_choices;
    Outcome& m_outcome;
    std::vector<std::string>& m_dependsOn;
    std::vector<std::pair<IpAddress, bool>> m_localAnswers;
    PathRecorder* m_rec = nullptr;
    std::optional<GroupVisit> m_group;
    // A decision by position; turned into a RuleRef (with its strings) only when the trace reports it.
    struct Decision {
        const CompiledTable* table = nullptr;
        int chain = -1;
        std::size_t index = 0;
        bool policy = false;
        const char* other = nullptr;
        bool empty() const noexcept { return table == nullptr && other == nullptr; }
    };
    RuleRef materialise(const Decision& d) const;

    Decision m_lastTerminal; // last ACCEPT/DROP/REJECT/policy decision of any table
    Decision m_lastFilter; // last decision of the filter table
    Decision m_lastExplicit; // last decision by a rule (not a policy) outside nat
};

} // namespace model::engine::detail
