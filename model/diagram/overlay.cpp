#include "model/diagram/layoutparts.h"

namespace model::diagram::detail {

using engine::Hook;
using engine::Hop;

namespace {

    const char* pathName(std::uint8_t bit) { return bit == PathBit::Before ? "before" : "after"; }

    std::string endpoint(const engine::IpAddress& address, std::uint16_t port, bool withPort)
    {
        const std::string a = address.isV6() ? '[' + address.toString() + ']' : address.toString();
        return withPort ? a + ':' + std::to_string(port) : address.toString();
    }

    std::string rewriteText(const Hop& hop)
    {
        const engine::Header& b = *hop.before;
        const engine::Header& a = *hop.after;
        const bool stored = hop.kind == Hop::Kind::StoredNat;
        const bool ports = b.hasPorts();
        std::string text;
        if (b.dst != a.dst || b.dport != a.dport) {
            const std::string name = stored || hop.target.empty() ? "DNAT" : hop.target;
            text = name + ' ' + endpoint(b.dst, b.dport, ports) + " -> " + endpoint(a.dst, a.dport, ports);
        }
        if (b.src != a.src || b.sport != a.sport) {
            const std::string name = stored || hop.target.empty() ? "SNAT" : hop.target;
            const bool showPorts = ports && b.sport != a.sport;
            text += (text.empty() ? "" : "; ") + name + ' ' + endpoint(b.src, b.sport, showPorts) + " -> "
                + endpoint(a.src, a.sport, showPorts);
        }
        if (stored && !text.empty())
            text += " (stored)";
        return text;
    }

    // "before: X" and then "after: X" on the same node read better as one "before & after: X".
    void addPathLine(Node& node, std::uint8_t bit, const std::string& text)
    {
        if (bit == PathBit::After) {
            for (std::string& line : node.lines) {
                if (line == std::string(pathName(PathBit::Before)) + ": " + text) {
                    line = "before & after: " + text;
                    return;
                }
            }
        }
        node.lines.push_back(std::string(pathName(bit)) + ": " + text);
    }

    std::string decisionText(const engine::Outcome& o)
    {
        const engine::RuleRef& r = o.deciding;
        std::string text = engine::fateName(o.fate);
        if (r.isPolicy())
            return text + " by policy";
        if (r.index > 0)
            return text + " at rule " + std::to_string(r.index);
        return text;
    }

    class Marker {
    public:
        Marker(Draft& draft, std::uint8_t bit)
            : m_draft(draft)
            , m_bit(bit)
        {
        }

        bool node(const std::string& id)
        {
            Node* n = m_draft.find(id);
            if (!n)
                return false;
            n->paths |= m_bit;
            if (Node* frame = n->parent.empty() ? nullptr : m_draft.find(n->parent))
                frame->paths |= m_bit;
            return true;
        }

        void edge(const std::string& from, const std::string& to)
        {
            if (Edge* e = m_draft.findEdge(from, to))
                e->paths |= m_bit;
        }

        void stage(const std::string& id)
        {
            if (m_stages.empty() || m_stages.back() != id)
                m_stages.push_back(id);
        }
        const std::string& lastStage() const
        {
            static const std::string none;
            return m_stages.empty() ? none : m_stages.back();
        }

        void hop(const Hop& hop)
        {
            if (hop.kind == Hop::Kind::Routing && lastStage() == hookId(Hook::Prerouting))
                stage(kRoutingId);
            if (hop.table.empty() || hop.kind == Hop::Kind::Delivery || hop.kind == Hop::Kind::Note)
                return;
            if ((hop.hook == Hook::Input || hop.hook == Hook::Forward) && lastStage() == hookId(Hook::Prerouting))
                stage(kRoutingId);
            stage(hookId(hop.hook));
            const std::string builtin = builtinId(hop.hook, hop.table);
            std::string& previous = m_lastTable[hop.hook];
            if (previous != builtin) {
                if (!previous.empty())
                    edge(previous, builtin);
                previous = builtin;
                node(builtin);
            }
            if (hop.chain.empty())
                return;
            const std::string from = chainId(hop.hook, hop.table, hop.chain);
            node(from);
            if (hop.kind == Hop::Kind::Rule && (hop.verdict == "JUMP" || hop.verdict == "GOTO")) {
                const std::string to = chainId(hop.hook, hop.table, hop.target);
                edge(from, to);
                node(to);
            }
        }

        void finish()
        {
            for (std::size_t i = 0; i < m_stages.size(); ++i) {
                node(m_stages[i]);
                if (i > 0)
                    edge(m_stages[i - 1], m_stages[i]);
            }
        }

    private:
        Draft& m_draft;
        std::uint8_t m_bit;
        std::vector<std::string> m_stages;
        std::map<Hook, std::string> m_lastTable;
    };

    std::string decidingNode(const Draft& draft, const engine::Outcome& o)
    {
        const engine::RuleRef& r = o.deciding;
        if (r.table.empty())
            return r.other.empty() ? std::string() : kRoutingId;
        for (auto it = o.hops.rbegin(); it != o.hops.rend(); ++it) {
            if (it->table == r.table && it->chain == r.chain)
                return chainId(it->hook, r.table, r.chain);
        }
        for (const Node& n : draft.layout.nodes) {
            if (n.table == r.table && n.chain == r.chain)
                return n.id;
        }
        return std::string();
    }

} // namespace

void overlayPath(Draft& draft, const PathInput& path, std::uint8_t bit)
{
    if (!path.outcome)
        return;
    const engine::Outcome& o = *path.outcome;
    Marker marker(draft, bit);
    if (path.fromLocalProcess)
        marker.stage(kLocalId);
    else if (!path.ingress.empty())
        marker.stage(ingressId(path.ingress));
    for (const Hop& hop : o.hops) {
        marker.hop(hop);
        if (hop.before && hop.after && *hop.before != *hop.after) {
            const std::string id = hop.chain.empty() ? builtinId(hop.hook, hop.table)
                                                     : chainId(hop.hook, hop.table, hop.chain);
            const std::string text = rewriteText(hop);
            draft.layout.rewrites.push_back({ bit, id, text });
            if (Node* n = draft.find(id))
                addPathLine(*n, bit, text);
        }
    }
    const engine::Delivery& d = o.delivery;
    if (d.kind == engine::Delivery::Kind::LocalSocket) {
        marker.stage(kLocalId);
    } else if (d.kind == engine::Delivery::Kind::Container) {
        marker.node(containerId(d.container.empty() ? d.address.toString() : d.container));
        marker.stage(networkId(d.interface));
    } else if (d.kind == engine::Delivery::Kind::Interface) {
        marker.stage(egressId(d.interface));
    }
    marker.finish();

    Decision decision { bit, decidingNode(draft, o), engine::fateName(o.fate), o.deciding.table, o.deciding.chain,
        o.deciding.index, o.deciding.display() };
    if (Node* n = decision.node.empty() ? nullptr : draft.find(decision.node)) {
        n->decidedHere |= bit;
        addPathLine(*n, bit, decisionText(o));
    }
    draft.layout.decisions.push_back(std::move(decision));
}

std::string captionFor(const PathInput& path, std::uint8_t bit)
{
    if (!path.outcome)
        return std::string();
    const engine::Outcome& o = *path.outcome;
    std::string text = std::string(pathName(bit)) + ": " + engine::fateName(o.fate);
    if (!o.deciding.empty())
        text += " by " + o.deciding.qualified();
    if (o.delivery.kind != engine::Delivery::Kind::None)
        text += " - " + o.delivery.describe();
    return text;
}

} // namespace model::diagram::detail
