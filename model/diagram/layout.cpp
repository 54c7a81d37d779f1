#include "model/diagram/layout.h"

#include "model/diagram/layoutparts.h"

namespace model::diagram {

namespace detail {

    Node* Draft::find(const std::string& id)
    {
        const auto it = nodeIndex.find(id);
        return it == nodeIndex.end() ? nullptr : &layout.nodes[it->second];
    }

    Node& Draft::add(Node node)
    {
        if (Node* existing = find(node.id))
            return *existing;
        nodeIndex.emplace(node.id, layout.nodes.size());
        layout.nodes.push_back(std::move(node));
        return layout.nodes.back();
    }

    Edge* Draft::findEdge(const std::string& from, const std::string& to)
    {
        const auto it = edgeIndex.find({ from, to });
        return it == edgeIndex.end() ? nullptr : &layout.edges[it->second];
    }

    void Draft::connect(const std::string& from, const std::string& to, Edge::Kind kind)
    {
        if (!find(from) || !find(to) || findEdge(from, to))
            return;
        edgeIndex.emplace(std::make_pair(from, to), layout.edges.size());
        Edge e;
        e.kind = kind;
        e.from = from;
        e.to = to;
        layout.edges.push_back(std::move(e));
    }

    std::string hookId(engine::Hook hook) { return std::string("hook:") + engine::hookName(hook); }

    std::string chainId(engine::Hook hook, const std::string& table, const std::string& chain)
    {
        return std::string("chain:") + engine::hookName(hook) + '/' + table + '/' + chain;
    }

    std::string builtinId(engine::Hook hook, const std::string& table)
    {
        return chainId(hook, table, engine::hookName(hook));
    }

    std::string ingressId(const std::string& iface) { return "in:" + iface; }
    std::string egressId(const std::string& iface) { return "out:" + iface; }
    std::string networkId(const std::string& bridge) { return "net:" + bridge; }
    std::string containerId(const std::string& name) { return "container:" + name; }

    std::optional<engine::Hook> hookFromName(const std::string& name) noexcept
    {
        for (engine::Hook h : { engine::Hook::Prerouting, engine::Hook::Input, engine::Hook::Forward,
                 engine::Hook::Output, engine::Hook::Postrouting }) {
            if (name == engine::hookName(h))
                return h;
        }
        return std::nullopt;
    }

} // namespace detail

const Node* Layout::node(const std::string& id) const noexcept
{
    for (const Node& n : nodes) {
        if (n.id == id)
            return &n;
    }
    return nullptr;
}

std::vector<std::string> tablesAt(engine::Hook hook)
{
    switch (hook) {
    case engine::Hook::Prerouting: return { "raw", "mangle", "nat" };
    case engine::Hook::Input: return { "mangle", "filter", "security", "nat" };
    case engine::Hook::Forward: return { "mangle", "filter", "security" };
    case engine::Hook::Output: return { "raw", "mangle", "nat", "filter", "security" };
    case engine::Hook::Postrouting: return { "mangle", "nat" };
    }
    return {};
}

namespace {

    const Ruleset* rulesetFor(const Snapshot& snapshot, const PathInput& before, const PathInput& after)
    {
        for (const PathInput* p : { &after, &before }) {
            if (p->outcome && p->outcome->finalHeader.dst.isV6() && snapshot.ipv6)
                return snapshot.ipv6.get();
            if (p->outcome)
                break;
        }
        return snapshot.ipv4 ? snapshot.ipv4.get() : snapshot.ipv6.get();
    }

} // namespace

Layout computeLayout(const Snapshot& snapshot, const PathInput& before, const PathInput& after,
    const LayoutOptions& options)
{
    detail::Draft draft;
    const Ruleset* ruleset = rulesetFor(snapshot, before, after);
    draft.layout.family = ruleset ? familyName(ruleset->family) : "ipv4";
    const detail::Touched touched = detail::touchedBy(before, after);
    detail::buildPipeline(draft, ruleset, touched, options);
    if (options.stop && options.stop())
        return std::move(draft.layout);
    detail::buildSides(draft, snapshot, ruleset, touched, options);
    detail::buildLinks(draft, ruleset, touched);
    detail::overlayPath(draft, before, PathBit::Before);
    detail::overlayPath(draft, after, PathBit::After);
    detail::resolveMissing(draft.layout);
    for (const auto& [path, bit] : { std::pair { &before, PathBit::Before }, std::pair { &after, PathBit::After } }) {
        if (path->outcome)
            draft.layout.captions.push_back(detail::captionFor(*path, bit));
    }
    detail::place(draft);
    return std::move(draft.layout);
}

} // namespace model::diagram
