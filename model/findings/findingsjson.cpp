#include "model/findings/findingsjson.h"

namespace model::findings {

using nlohmann::json;

namespace {

json fateToJson(const FlowFate& f)
{
    return json { { "verdict", engine::fateName(f.fate) }, { "deciding_rule", f.deciding },
        { "decided_by_reply", f.decidedByReply } };
}

json ruleToJson(const EvidenceRule& r)
{
    return json { { "family", familyName(r.family) }, { "table", r.table }, { "chain", r.chain }, { "index", r.index },
        { "text", r.text }, { "provenance", provenanceName(r.provenance) }, { "provenance_reason", r.provenanceReason },
        { "role", r.role } };
}

json flowToJson(const EvidenceFlow& f)
{
    json j { { "label", f.probe.label }, { "packet", packetToJson(f.probe.packet) }, { "after", fateToJson(f.after) } };
    j["before"] = f.before ? fateToJson(*f.before) : json(nullptr);
    if (!f.probe.network.empty())
        j["network"] = f.probe.network;
    if (!f.probe.container.empty())
        j["container"] = f.probe.container;
    return j;
}

} // namespace

json packetToJson(const engine::Packet& p)
{
    json j { { "family", familyName(p.family) }, { "protocol", engine::protocolName(p.header.protocol) },
        { "src", p.header.src.toString() }, { "dst", p.header.dst.toString() }, { "sport", p.header.sport },
        { "dport", p.header.dport } };
    j["in"] = p.fromLocalProcess ? json(nullptr) : json(p.inInterface);
    j["from_local"] = p.fromLocalProcess;
    return j;
}

std::string ruleChangeCommand(const fix::RuleChange& c)
{
    std::string out = c.family == Family::IPv6 ? "ip6tables" : "iptables";
    if (c.table != "filter")
        out += " -t " + c.table;
    out += c.where == fix::RuleChange::Where::Insert
        ? " -I " + c.chain + (c.position != 1 ? " " + std::to_string(c.position) : "")
        : " -A " + c.chain;
    for (const auto& w : c.spec)
        out += " " + w;
    return out;
}

json fixOptionToJson(const fix::FixOption& o)
{
    json rules = json::array();
    for (const auto& r : o.rules)
        rules.push_back(json { { "family", familyName(r.family) }, { "table", r.table }, { "chain", r.chain },
            { "where", r.where == fix::RuleChange::Where::Insert ? "insert" : "append" }, { "position", r.position },
            { "spec", r.spec }, { "command", ruleChangeCommand(r) }, { "why", r.why } });
    json manual = json::array();
    for (const auto& m : o.manual)
        manual.push_back(json { { "title", m.title }, { "explanation", m.explanation }, { "commands", m.commands } });
    return json { { "id", o.id }, { "title", o.title }, { "tradeoffs", o.tradeoffs }, { "recommended", o.recommended },
        { "persist_unit", o.persistUnit }, { "rules", rules }, { "manual", manual } };
}

json findingToJson(const Finding& f)
{
    json rules = json::array();
    for (const auto& r : f.rules)
        rules.push_back(ruleToJson(r));
    json flows = json::array();
    for (const auto& fl : f.flows)
        flows.push_back(flowToJson(fl));
    json fixes = json::array();
    for (const auto& o : f.fixes)
        fixes.push_back(fixOptionToJson(o));
    json targets = json::array();
    for (const auto& t : f.targets)
        targets.push_back(json {
            { "label", t.label }, { "packet", packetToJson(t.packet) }, { "wanted", engine::fateName(t.wanted) } });
    return json { { "id", f.id }, { "severity", severityName(f.severity) }, { "title", f.title },
        { "explanation", f.explanation }, { "impact", f.impact },
        { "evidence", json { { "rules", rules }, { "flows", flows } } }, { "fixes", fixes }, { "targets", targets } };
}

json findingsToJson(const std::vector<Finding>& findings, const json& subject)
{
    json list = json::array();
    for (const auto& f : findings)
        list.push_back(findingToJson(f));
    return json { { "schema", "chainsight-findings" }, { "version", kFindingsJsonVersion }, { "subject", subject },
        { "findings", list } };
}

} // namespace model::findings
