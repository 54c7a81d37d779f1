#include "app/cli/tracetext.h"

#include <sstream>

namespace cli {

using namespace model::engine;

namespace {

std::string endpoint(const IpAddress& a, std::uint16_t port, bool ports, const HostModel& host)
{
    std::string s = host.describe(a);
    if (ports)
        s += " port " + std::to_string(port);
    return s;
}

std::string headerText(const Header& h, const HostModel& host)
{
    return protocolName(h.protocol) + ' ' + endpoint(h.src, h.sport, h.hasPorts(), host) + " -> "
        + endpoint(h.dst, h.dport, h.hasPorts(), host);
}

void writeHop(std::ostringstream& out, const Hop& h, const HostModel& host)
{
    const std::string where = std::string(hookName(h.hook)) + ' ' + (h.table.empty() ? std::string() : h.table + '/')
        + h.chain;
    switch (h.kind) {
    case Hop::Kind::Rule:
        out << "  " << where << " rule " << h.ruleNumber << ": " << h.ruleText << "\n      => " << h.verdict;
        if (h.mark)
            out << " (mark now 0x" << std::hex << *h.mark << std::dec << ')';
        if (h.connmark)
            out << " (connmark now 0x" << std::hex << *h.connmark << std::dec << ')';
        break;
    case Hop::Kind::Policy: out << "  " << where << " policy " << h.verdict; break;
    case Hop::Kind::Return: out << "  " << where << ": " << h.note; break;
    case Hop::Kind::Routing: out << "  routing: " << h.note; break;
    case Hop::Kind::StoredNat: out << "  " << hookName(h.hook) << " conntrack: " << h.note; break;
    case Hop::Kind::Skipped: out << "  " << where << " skipped: " << h.note; break;
    case Hop::Kind::Delivery: out << "  delivered to " << h.note; break;
    case Hop::Kind::Note: out << "  " << hookName(h.hook) << ": " << h.note; break;
    }
    if (h.kind == Hop::Kind::Rule && !h.note.empty())
        out << " (" << h.note << ')';
    out << '\n';
    if (h.after)
        out << "      header now " << headerText(*h.after, host) << " (changed by the previous rule)\n";
}

void writeOutcome(std::ostringstream& out, const Outcome& o, const HostModel& host)
{
    for (const auto& c : o.conditions)
        out << "  if " << c << '\n';
    for (const auto& h : o.hops)
        writeHop(out, h, host);
    out << "  fate: " << fateName(o.fate);
    if (o.fate == Fate::Reject)
        out << " with " << o.rejectWith;
    if (o.fate == Fate::Accept)
        out << ", delivered to " << o.delivery.describe();
    out << "\n  decided by: " << o.deciding.qualified() << '\n';
}

} // namespace

std::string traceText(const TraceResult& r, const HostModel& host)
{
    std::ostringstream out;
    const Packet& p = r.packet;
    out << "Packet: " << headerText(p.header, host)
        << (p.fromLocalProcess ? std::string(" from a local process") : " in on " + p.inInterface) << ", "
        << ctStateName(p.state) << (p.direction == CtDirection::Reply ? " (reply)" : "") << '\n';
    if (r.outcomes.size() == 1) {
        writeOutcome(out, r.primary(), host);
    } else {
        for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
            out << "Possible path " << (i + 1) << " of " << r.outcomes.size() << ":\n";
            writeOutcome(out, r.outcomes[i], host);
        }
    }
    out << "Verdict: " << fateName(r.fate);
    if (r.fate == Fate::Depends) {
        out << " (depends on:";
        for (const auto& d : r.dependsOn)
            out << ' ' << d << ';';
        out << ')';
    } else {
        out << "\nDeciding rule: " << r.deciding.qualified();
    }
    out << '\n';
    for (const auto& a : r.assumptions)
        out << "Assumed: " << a << '\n';
    if (r.truncated)
        out << "More paths exist than were followed.\n";
    return out.str();
}

std::string flowText(const FlowResult& flow, const HostModel& host)
{
    std::string text = traceText(flow.original, host);
    if (flow.reply) {
        text += "\nThe reply:\n" + traceText(*flow.reply, host);
        text += std::string("\nFor the client: ") + fateName(flow.fate);
        if (!flow.deciding.empty())
            text += ", decided by " + flow.qualifiedDeciding();
        text += '\n';
    }
    return text;
}

} // namespace cli
