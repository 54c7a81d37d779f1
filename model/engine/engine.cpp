#include "model/engine/engine.h"

#include "model/engine/paths.h"

#include <algorithm>

namespace model::engine {

namespace {

bool sameDecision(const Outcome& a, const Outcome& b)
{
    return a.fate == b.fate && a.deciding == b.deciding;
}

// The next choice sequence in depth-first order, or false when every path has been followed.
bool nextSequence(std::vector<bool>& sequence)
{
    while (!sequence.empty() && !sequence.back())
        sequence.pop_back();
    if (sequence.empty())
        return false;
    sequence.back() = false;
    return true;
}

Packet replyTo(const Packet& first, const Outcome& accepted)
{
    Packet reply;
    reply.family = first.family;
    const Header& t = accepted.finalHeader;
    reply.header = t;
    reply.header.src = t.dst;
    reply.header.dst = t.src;
    reply.header.sport = t.dport;
    reply.header.dport = t.sport;
    if (t.protocol == Proto::Tcp)
        reply.header.tcpFlags = TcpFlag::Syn | TcpFlag::Ack;
    if (t.icmpType == 8 || t.icmpType == 128)
        reply.header.icmpType = t.icmpType == 8 ? 0 : 129;
    reply.state = CtState::Established;
    reply.direction = CtDirection::Reply;
    reply.binding = accepted.binding;
    if (accepted.delivery.kind == Delivery::Kind::LocalSocket)
        reply.fromLocalProcess = true;
    else
        reply.inInterface = accepted.delivery.interface;
    reply.connmark = first.connmark;
    return reply;
}

} // namespace

Engine::Engine(RulesetPtr ipv4, RulesetPtr ipv6, HostModel host, EngineOptions options)
    : m_v4(compile(std::move(ipv4), CompileOptions { options.chainIndex, options.minIndexedRun }))
    , m_v6(compile(std::move(ipv6), CompileOptions { options.chainIndex, options.minIndexedRun }))
    , m_host(std::move(host))
    , m_options(options)
{
}

std::shared_ptr<const Engine> Engine::fromSnapshot(const Snapshot& snapshot, EngineOptions options)
{
    return std::make_shared<const Engine>(snapshot.ipv4, snapshot.ipv6, HostModel::fromSnapshot(snapshot), options);
}

const CompiledRuleset* Engine::compiled(Family family) const noexcept
{
    return family == Family::IPv4 ? m_v4.get() : m_v6.get();
}

RulesetPtr Engine::ruleset(Family family) const noexcept
{
    const CompiledRuleset* c = compiled(family);
    return c ? c->source : nullptr;
}

TraceResult Engine::traceWith(const Packet& input, PathRecorder* recorder) const
{
    TraceResult result;
    result.packet = input;
    result.packet.family = input.header.dst.family;
    const CompiledRuleset& rules = *compiled(result.packet.family);
    if (!rules.source)
        result.assumptions.push_back(std::string("no ") + familyName(result.packet.family)
            + " ruleset captured: every chain is treated as empty with policy ACCEPT");
    // Only a tracked connection has a translation: INVALID and UNTRACKED packets are never NATed.
    const bool tracked = input.state == CtState::Established || input.state == CtState::Related;
    if (tracked && input.direction == CtDirection::Original && !input.binding) {
        Packet first = input;
        first.state = CtState::New;
        const TraceResult firstTrace = traceWith(first, recorder);
        if (firstTrace.primary().fate == Fate::Accept && firstTrace.primary().binding) {
            result.packet.binding = firstTrace.primary().binding;
            result.assumptions.push_back("the connection's translation is taken from its first packet's trace");
        }
    }
    detail::Choices choices;
    detail::PathContext ctx { rules, m_host, choices, result.dependsOn, result.assumptions, recorder };
    do {
        choices.next = 0;
        result.outcomes.push_back(detail::walkPath(ctx, result.packet));
        choices.sequence.resize(choices.next);
        if (static_cast<int>(result.outcomes.size()) >= m_options.maxOutcomes) {
            result.truncated = nextSequence(choices.sequence);
            break;
        }
    } while (nextSequence(choices.sequence));

    const Outcome& first = result.outcomes.front();
    const bool agree = !result.truncated
        && std::all_of(result.outcomes.begin(), result.outcomes.end(), [&](const Outcome& o) {
               return sameDecision(o, first);
           });
    result.fate = agree ? first.fate : Fate::Depends;
    if (agree)
        result.deciding = first.deciding;
    if (agree && result.outcomes.size() > 1)
        result.dependsOn.clear(); // every answer leads to the same decision: nothing to depend on
    for (const auto& a : m_host.assumptions())
        if (std::find(result.assumptions.begin(), result.assumptions.end(), a) == result.assumptions.end())
            result.assumptions.push_back(a);
    return result;
}

FlowResult Engine::traceFlow(const Packet& first, PathRecorder* recorder) const
{
    FlowResult flow;
    Packet packet = first;
    packet.state = CtState::New;
    packet.direction = CtDirection::Original;
    packet.binding.reset();
    if (recorder)
        recorder->beginTrace(false);
    flow.original = traceWith(packet, recorder);
    flow.fate = flow.original.fate;
    flow.deciding = flow.original.deciding;
    if (flow.original.fate != Fate::Accept)
        return flow;
    if (recorder)
        recorder->beginTrace(true);
    flow.reply = traceWith(replyTo(packet, flow.original.primary()), recorder);
    if (flow.reply->fate == Fate::Depends) {
        flow.fate = Fate::Depends;
        flow.deciding = RuleRef {};
    } else if (flow.reply->fate != Fate::Accept) {
        // A reply that never reaches the client looks like a drop to it, whatever stopped the reply.
        flow.fate = Fate::Drop;
        flow.deciding = flow.reply->deciding;
        flow.decidedByReply = true;
    }
    return flow;
}

} // namespace model::engine
