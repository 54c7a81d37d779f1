#include "model/engine/tracejson.h"

namespace model::engine {

namespace {

const char* hopKindName(Hop::Kind k)
{
    switch (k) {
    case Hop::Kind::Rule: return "rule";
    case Hop::Kind::Policy: return "policy";
    case Hop::Kind::Return: return "return";
    case Hop::Kind::Routing: return "routing";
    case Hop::Kind::StoredNat: return "stored-nat";
    case Hop::Kind::Skipped: return "skipped";
    case Hop::Kind::Delivery: return "delivery";
    case Hop::Kind::Note: return "note";
    }
    return "note";
}

const char* deliveryKindName(Delivery::Kind k)
{
    switch (k) {
    case Delivery::Kind::None: return "none";
    case Delivery::Kind::LocalSocket: return "local-socket";
    case Delivery::Kind::Container: return "container";
    case Delivery::Kind::Interface: return "interface";
    }
    return "none";
}

nlohmann::json ruleRefToJson(const RuleRef& r)
{
    if (r.empty())
        return nullptr;
    nlohmann::json j { { "display", r.display() }, { "qualified", r.qualified() } };
    if (!r.other.empty()) {
        j["decision"] = r.other;
        return j;
    }
    j["table"] = r.table;
    j["chain"] = r.chain;
    j["rule_number"] = r.index;
    j["rule"] = r.isPolicy() ? nlohmann::json(nullptr) : nlohmann::json(r.text);
    j["policy"] = r.isPolicy() ? nlohmann::json(r.policy) : nlohmann::json(nullptr);
    return j;
}

nlohmann::json deliveryToJson(const Delivery& d)
{
    nlohmann::json j { { "kind", deliveryKindName(d.kind) }, { "description", d.describe() } };
    if (d.kind == Delivery::Kind::None)
        return j;
    j["interface"] = d.interface;
    j["address"] = d.address.toString();
    if (d.port)
        j["port"] = d.port;
    if (!d.nextHop.empty())
        j["next_hop"] = d.nextHop;
    if (!d.container.empty())
        j["container"] = d.container;
    if (!d.network.empty())
        j["network"] = d.network;
    return j;
}

nlohmann::json outcomeToJson(const Outcome& o, const HostModel& host)
{
    nlohmann::json hops = nlohmann::json::array();
    for (const auto& h : o.hops)
        hops.push_back(hopToJson(h, host));
    nlohmann::json j { { "verdict", fateName(o.fate) }, { "deciding_rule", o.deciding.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.deciding.display()) },
        { "deciding", ruleRefToJson(o.deciding) }, { "conditions", o.conditions }, { "hops", hops },
        { "delivery", deliveryToJson(o.delivery) }, { "final_header", headerToJson(o.finalHeader, host) },
        { "final_mark", o.finalMark } };
    if (o.fate == Fate::Reject)
        j["reject_with"] = o.rejectWith;
    return j;
}

} // namespace

nlohmann::json headerToJson(const Header& h, const HostModel& host)
{
    nlohmann::json j { { "protocol", protocolName(h.protocol) }, { "src", h.src.toString() }, { "dst", h.dst.toString() },
        { "src_name", host.describe(h.src) }, { "dst_name", host.describe(h.dst) } };
    if (h.hasPorts()) {
        j["sport"] = h.sport;
        j["dport"] = h.dport;
    }
    if (h.protocol == Proto::Tcp)
        j["tcp_flags"] = tcpFlagsText(h.tcpFlags);
    if (h.icmpType >= 0) {
        j["icmp_type"] = h.icmpType;
        j["icmp_code"] = h.icmpCode;
    }
    return j;
}

nlohmann::json hopToJson(const Hop& h, const HostModel& host)
{
    nlohmann::json j { { "kind", hopKindName(h.kind) }, { "hook", hookName(h.hook) } };
    auto optional = [&](const char* key, const std::string& value) {
        if (!value.empty())
            j[key] = value;
    };
    optional("table", h.table);
    optional("chain", h.chain);
    if (h.ruleNumber > 0)
        j["rule_number"] = h.ruleNumber;
    optional("rule", h.ruleText);
    optional("target", h.target);
    optional("verdict", h.verdict);
    optional("in", h.inInterface);
    optional("out", h.outInterface);
    optional("note", h.note);
    if (h.before)
        j["before"] = headerToJson(*h.before, host);
    if (h.after)
        j["after"] = headerToJson(*h.after, host);
    if (h.mark)
        j["mark"] = *h.mark;
    if (h.connmark)
        j["connmark"] = *h.connmark;
    return j;
}

nlohmann::json traceToJson(const TraceResult& r, const HostModel& host)
{
    const Packet& p = r.packet;
    nlohmann::json packet { { "family", familyName(p.family) }, { "header", headerToJson(p.header, host) },
        { "state", ctStateName(p.state) }, { "direction", p.direction == CtDirection::Reply ? "reply" : "original" },
        { "mark", p.mark }, { "connmark", p.connmark } };
    packet["in"] = p.fromLocalProcess ? nlohmann::json(nullptr) : nlohmann::json(p.inInterface);
    packet["from_local_process"] = p.fromLocalProcess;
    nlohmann::json outcomes = nlohmann::json::array();
    for (const auto& o : r.outcomes)
        outcomes.push_back(outcomeToJson(o, host));
    nlohmann::json j { { "verdict", fateName(r.fate) }, { "packet", packet } };
    j["deciding_rule"] = r.deciding.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.deciding.display());
    j["deciding"] = ruleRefToJson(r.deciding);
    j["hops"] = outcomes.front().at("hops");
    j["delivery"] = outcomes.front().at("delivery");
    if (r.fate == Fate::Reject)
        j["reject_with"] = r.primary().rejectWith;
    j["outcomes"] = outcomes;
    j["depends_on"] = r.dependsOn;
    j["assumptions"] = r.assumptions;
    j["truncated"] = r.truncated;
    return j;
}

nlohmann::json flowToJson(const FlowResult& flow, const HostModel& host)
{
    nlohmann::json j = traceToJson(flow.original, host);
    j["verdict"] = fateName(flow.fate);
    j["deciding_rule"] = flow.deciding.empty() ? nlohmann::json(nullptr) : nlohmann::json(flow.deciding.display());
    j["deciding"] = ruleRefToJson(flow.deciding);
    j["decided_by_reply"] = flow.decidedByReply;
    j["first_packet_verdict"] = fateName(flow.original.fate);
    if (flow.reply)
        j["reply"] = traceToJson(*flow.reply, host);
    return j;
}

} // namespace model::engine
