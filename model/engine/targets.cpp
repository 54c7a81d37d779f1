// What a matched rule's target does to the packet and to the traversal.
#include "model/engine/evaluator.h"

namespace model::engine::detail {

void Evaluator::applyMark(PacketState& s, const CompiledTarget& t, Hop& hop) const
{
    switch (t.action) {
    case Action::Mark:
        s.mark = (s.mark & ~t.mask) ^ t.value;
        hop.mark = s.mark;
        break;
    case Action::ConnMarkSet:
        s.connmark = (s.connmark & ~t.mask) ^ t.value;
        hop.connmark = s.connmark;
        break;
    case Action::ConnMarkSave:
        s.connmark = (s.connmark & ~t.ctmask) ^ (s.mark & t.nfmask);
        hop.connmark = s.connmark;
        break;
    case Action::ConnMarkRestore:
        s.mark = (s.mark & ~t.nfmask) ^ (s.connmark & t.ctmask);
        hop.mark = s.mark;
        break;
    default: break;
    }
}

void Evaluator::applyNat(PacketState& s, Hook hook, const CompiledTarget& t, Hop& hop)
{
    Header& h = s.header;
    hop.before = h;
    const bool destination = hook == Hook::Prerouting || hook == Hook::Output;
    PathRecorder* rec = m_rec;
    auto constant = [rec](PathRecorder::Slot slot) {
        if (rec)
            rec->setTag(slot, PathRecorder::Const);
    };
    switch (t.action) {
    case Action::Dnat:
        if (t.natAddress) {
            h.dst = *t.natAddress;
            constant(PathRecorder::SlotDst);
        }
        if (t.natPorts && h.hasPorts()) {
            h.dport = t.natPorts->first;
            constant(PathRecorder::SlotDport);
        }
        s.dnatDone = true;
        break;
    case Action::Redirect: {
        if (rec && !s.localOrigin)
            rec->pin(rec->inTag());
        auto local = s.localOrigin ? m_host.primaryAddress("lo", h.dst.family) : m_host.primaryAddress(s.in, h.dst.family);
        if (local) {
            h.dst = *local;
            constant(PathRecorder::SlotDst);
        } else {
            hop.note = "address of " + s.in + " not known: destination kept";
        }
        if (t.natPorts && h.hasPorts()) {
            h.dport = t.natPorts->first;
            constant(PathRecorder::SlotDport);
        }
        s.dnatDone = true;
        break;
    }
    case Action::Snat:
        if (t.natAddress) {
            h.src = *t.natAddress;
            constant(PathRecorder::SlotSrc);
        }
        if (t.natPorts && h.hasPorts()) {
            h.sport = t.natPorts->first;
            constant(PathRecorder::SlotSport);
        }
        s.snatDone = true;
        break;
    case Action::Masquerade: {
        if (rec)
            rec->hostFact(rec->tag(PathRecorder::SlotDst), h.dst);
        const RouteDecision r = m_host.route(h.dst);
        if (rec && !r.source)
            rec->pin(rec->outTag());
        auto address = r.source ? r.source : m_host.primaryAddress(s.out, h.src.family);
        if (address) {
            h.src = *address;
            constant(PathRecorder::SlotSrc);
        } else {
            hop.note = "address of " + s.out + " not known: source kept";
        }
        if (t.natPorts && h.hasPorts()) {
            h.sport = t.natPorts->first;
            constant(PathRecorder::SlotSport);
        }
        s.snatDone = true;
        break;
    }
    case Action::Netmap: {
        IpAddress& a = destination ? h.dst : h.src;
        const IpPrefix& p = *t.netmap;
        if (rec) { // the result keeps the host bits: the original value itself decides what follows
            const auto slot = destination ? PathRecorder::SlotDst : PathRecorder::SlotSrc;
            rec->pin(rec->tag(slot));
            rec->setTag(slot, PathRecorder::Const);
        }
        a.hi = (a.hi & ~p.mask.hi) | (p.network.hi & p.mask.hi);
        a.lo = (a.lo & ~p.mask.lo) | (p.network.lo & p.mask.lo);
        (destination ? s.dnatDone : s.snatDone) = true;
        break;
    }
    default: break;
    }
    hop.after = h;
}

bool Evaluator::applyTarget(PacketState& s, Hook hook, const CompiledTable& table, int chain, std::size_t index,
    std::vector<Frame>& stack, int& current, std::size_t& next, Verdict& v)
{
    const CompiledTarget& t = table.chains[static_cast<std::size_t>(chain)].rules[index].target;
    Hop hop = keepsHops() ? ruleHop(s, hook, table, chain, index) : Hop {};
    bool ends = false;
    switch (t.action) {
    case Action::None: hop.verdict = "CONTINUE"; break;
    case Action::Accept: hop.verdict = "ACCEPT"; v = Verdict::Accept; ends = true; break;
    case Action::Drop: hop.verdict = "DROP"; v = Verdict::Drop; ends = true; break;
    case Action::Reject:
        hop.verdict = "REJECT";
        hop.note = "reject with " + t.rejectWith;
        m_outcome.rejectWith = t.rejectWith;
        v = Verdict::Reject;
        ends = true;
        break;
    case Action::Queue: {
        const bool accepted = choose(table.chains[static_cast<std::size_t>(chain)].rules[index].text,
            std::string("the user-space program behind ") + t.name
                + (t.queueBypass ? " (accepts when none listens)" : " (drops when none listens)"));
        hop.verdict = accepted ? "ACCEPT" : "DROP";
        v = accepted ? Verdict::Accept : Verdict::Drop;
        ends = true;
        break;
    }
    case Action::Return:
        hop.verdict = "RETURN";
        if (stack.empty()) {
            addHop(std::move(hop));
            v = policyVerdict(s, hook, table, table.chainIndex(hookName(hook)));
            return true;
        }
        current = stack.back().chain;
        next = stack.back().next;
        stack.pop_back();
        break;
    case Action::Jump:
        hop.verdict = "JUMP";
        stack.push_back(Frame { current, next });
        current = t.chain;
        next = 0;
        break;
    case Action::Goto:
        hop.verdict = "GOTO";
        current = t.chain;
        next = 0;
        break;
    case Action::Mark: case Action::ConnMarkSet: case Action::ConnMarkSave: case Action::ConnMarkRestore:
        hop.verdict = "CONTINUE";
        applyMark(s, t, hop);
        break;
    case Action::NoTrack:
        hop.verdict = "CONTINUE";
        s.untracked = true;
        s.ctAttached = false;
        hop.note = "the packet becomes UNTRACKED: later tables see ctstate UNTRACKED and nat is skipped";
        break;
    case Action::Dnat: case Action::Snat: case Action::Masquerade: case Action::Redirect: case Action::Netmap:
        hop.verdict = "ACCEPT";
        applyNat(s, hook, t, hop);
        v = Verdict::Accept;
        ends = true;
        break;
    case Action::Continue:
        hop.verdict = "CONTINUE";
        if (t.name != "LOG" && t.name != "NFLOG" && t.name != "TRACE" && t.name != "ULOG")
            hop.note = t.name + " does not decide the packet's fate; evaluation continues";
        break;
    }
    addHop(std::move(hop));
    if (ends)
        recordTerminal(table, chain, index, {});
    return ends;
}

} // namespace model::engine::detail
