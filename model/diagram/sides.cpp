#include "model/diagram/layoutparts.h"

#include <algorithm>

namespace model::diagram::detail {

using engine::Hook;

namespace {

    struct Member {
        std::string name;
        std::vector<std::string> lines;
    };

    struct Bridge {
        std::string bridge;
        std::string name;
        std::vector<std::string> lines;
        std::vector<Member> containers;
    };

    bool looksLikeDockerBridge(const std::string& name)
    {
        return name == "docker0" || (name.rfind("br-", 0) == 0 && name.back() != '+');
    }

    std::vector<std::string> portLines(const Snapshot& snapshot, const std::string& container)
    {
        std::vector<std::string> out;
        if (!snapshot.docker || !snapshot.docker->containers)
            return out;
        for (const DockerContainer& c : *snapshot.docker->containers) {
            if (c.name != container && c.name != '/' + container)
                continue;
            for (const PublishedPort& p : c.ports) {
                // One line per port, not per address family it is bound on.
                const std::string line
                    = std::to_string(p.hostPort) + " -> " + std::to_string(p.containerPort) + '/' + p.protocol;
                if (out.size() < 2 && std::find(out.begin(), out.end(), line) == out.end())
                    out.push_back(line);
            }
        }
        return out;
    }

    std::vector<Bridge> capturedBridges(const Snapshot& snapshot)
    {
        std::vector<Bridge> out;
        for (const DockerNetwork& net : *snapshot.docker->networks) {
            if (net.driver != "bridge" || net.bridgeName.empty())
                continue;
            Bridge b { net.bridgeName, net.name, {}, {} };
            std::string line = net.bridgeName;
            for (const DockerSubnet& s : net.subnets)
                line += " · " + s.subnet;
            b.lines.push_back(line);
            for (const DockerEndpoint& e : net.endpoints) {
                Member m { e.containerName, { e.ipv4 } };
                for (std::string& port : portLines(snapshot, e.containerName))
                    m.lines.push_back(std::move(port));
                b.containers.push_back(std::move(m));
            }
            out.push_back(std::move(b));
        }
        return out;
    }

    // Without Docker state, the bridges the rules name stand in for the networks.
    template <typename Fn> void forEachRuleInterface(const Ruleset* ruleset, Fn fn)
    {
        if (!ruleset)
            return;
        for (const Table& table : ruleset->tables) {
            for (const Chain& chain : table.chains) {
                for (const Rule& rule : chain.rules) {
                    if (rule.inInterface)
                        fn(rule.inInterface->value);
                    if (rule.outInterface)
                        fn(rule.outInterface->value);
                }
            }
        }
    }

    std::vector<Bridge> dockerBridges(const Snapshot& snapshot, const Ruleset* ruleset)
    {
        if (snapshot.docker && snapshot.docker->networks)
            return capturedBridges(snapshot);
        std::set<std::string> names;
        forEachRuleInterface(ruleset, [&names](const std::string& name) {
            if (looksLikeDockerBridge(name))
                names.insert(name);
        });
        std::vector<Bridge> out;
        for (const std::string& name : names)
            out.push_back({ name, name, { "Docker bridge" }, {} });
        return out;
    }

    std::vector<Member> hostInterfaces(const Snapshot& snapshot, const Ruleset* ruleset, const std::set<std::string>& bridges)
    {
        std::vector<Member> out;
        const auto skip = [&bridges](const std::string& name) {
            return name == "lo" || bridges.contains(name) || looksLikeDockerBridge(name) || name.rfind("veth", 0) == 0
                || name.empty() || name.back() == '+';
        };
        if (snapshot.interfaces) {
            for (const Interface& i : *snapshot.interfaces) {
                if (skip(i.name) || !i.master.empty())
                    continue;
                Member m { i.name, {} };
                for (const InterfaceAddress& a : i.addresses) {
                    if (a.scope != "link" && m.lines.size() < 2)
                        m.lines.push_back(a.address + '/' + std::to_string(a.prefixLength));
                }
                out.push_back(std::move(m));
            }
            return out;
        }
        std::set<std::string> names;
        forEachRuleInterface(ruleset, [&](const std::string& name) {
            if (!skip(name))
                names.insert(name);
        });
        for (const std::string& name : names)
            out.push_back({ name, { "named by the rules" } });
        return out;
    }

    // Keeps what a path touches plus the first others up to `max`; returns how many were left out.
    template <typename T, typename Touches> std::size_t keepReadable(std::vector<T>& items, Touches touches, int max)
    {
        std::vector<T> kept;
        std::size_t others = 0;
        std::size_t dropped = 0;
        for (T& item : items) {
            if (touches(item) || others < static_cast<std::size_t>(max)) {
                others += touches(item) ? 0 : 1;
                kept.push_back(std::move(item));
            } else {
                ++dropped;
            }
        }
        items = std::move(kept);
        return dropped;
    }

    void addMore(Draft& draft, const std::string& id, const std::string& parent, std::size_t count, const char* what)
    {
        if (count == 0)
            return;
        Node n;
        n.kind = Node::Kind::More;
        n.id = id;
        n.parent = parent;
        n.title = '+' + std::to_string(count) + ' ' + what;
        draft.add(std::move(n));
    }

    void addInterfaces(Draft& draft, std::vector<Member> list, const Touched& touched, const LayoutOptions& options,
        bool ingress)
    {
        const std::size_t dropped = keepReadable(
            list, [&](const Member& m) { return touched.interfaces.contains(m.name); }, options.maxInterfaces);
        for (Member& m : list) {
            Node n;
            n.kind = ingress ? Node::Kind::Ingress : Node::Kind::Egress;
            n.id = ingress ? ingressId(m.name) : egressId(m.name);
            n.title = m.name;
            n.lines = std::move(m.lines);
            draft.add(std::move(n));
        }
        addMore(draft, ingress ? "in:+" : "out:+", std::string(), dropped, "interfaces");
    }

    void addNetworks(Draft& draft, std::vector<Bridge> bridges, const Touched& touched, const LayoutOptions& options)
    {
        const auto touches = [&touched](const Bridge& b) {
            return touched.interfaces.contains(b.bridge)
                || std::any_of(touched.containers.begin(), touched.containers.end(),
                    [&b](const auto& c) { return c.second == b.bridge; });
        };
        const std::size_t dropped = keepReadable(bridges, touches, options.maxNetworks);
        for (Bridge& b : bridges) {
            for (const auto& entry : touched.containers) {
                const auto& name = entry.first; // a named copy: clang 14 cannot capture structured bindings
                const auto& bridge = entry.second;
                const bool known = std::any_of(
                    b.containers.begin(), b.containers.end(), [&name](const Member& m) { return m.name == name; });
                if (bridge == b.bridge && !known)
                    b.containers.push_back({ name, {} });
            }
            Node frame;
            frame.kind = Node::Kind::Network;
            frame.id = networkId(b.bridge);
            frame.title = b.name;
            frame.lines = std::move(b.lines);
            draft.add(std::move(frame));
            const std::size_t more = keepReadable(
                b.containers, [&touched](const Member& m) { return touched.containers.contains(m.name); },
                options.maxContainersPerNetwork);
            for (Member& m : b.containers) {
                Node n;
                n.kind = Node::Kind::Container;
                n.id = containerId(m.name);
                n.parent = networkId(b.bridge);
                n.title = m.name;
                n.lines = std::move(m.lines);
                draft.add(std::move(n));
            }
            addMore(draft, "more:" + networkId(b.bridge), networkId(b.bridge), more, "containers");
        }
        addMore(draft, "net:+", std::string(), dropped, "networks");
    }

} // namespace

void buildSides(Draft& draft, const Snapshot& snapshot, const Ruleset* ruleset, const Touched& touched,
    const LayoutOptions& options)
{
    std::vector<Bridge> bridges = dockerBridges(snapshot, ruleset);
    std::set<std::string> bridgeNames;
    for (const Bridge& b : bridges)
        bridgeNames.insert(b.bridge);
    for (const std::string& name : touched.interfaces) {
        if (!bridgeNames.contains(name) && looksLikeDockerBridge(name)) {
            bridges.push_back({ name, name, { "Docker bridge" }, {} });
            bridgeNames.insert(name);
        }
    }
    const std::vector<Member> hosts = hostInterfaces(snapshot, ruleset, bridgeNames);
    std::vector<Member> ingress = hosts;
    std::vector<Member> egress = hosts;
    const auto missing = [](const std::vector<Member>& list, const std::string& name) {
        return std::none_of(list.begin(), list.end(), [&name](const Member& m) { return m.name == name; });
    };
    for (const std::string& name : touched.ingress) {
        if (missing(ingress, name))
            ingress.push_back({ name, {} });
    }
    for (const std::string& name : touched.egress) {
        if (!bridgeNames.contains(name) && missing(egress, name))
            egress.push_back({ name, {} });
    }
    addInterfaces(draft, std::move(ingress), touched, options, true);
    addInterfaces(draft, std::move(egress), touched, options, false);
    addNetworks(draft, std::move(bridges), touched, options);
}

void buildLinks(Draft& draft, const Ruleset* ruleset, const Touched& touched)
{
    const std::string pre = hookId(Hook::Prerouting);
    const std::string post = hookId(Hook::Postrouting);
    // Copies of the ids: connect() may not add nodes, but keep the loop independent of the vector anyway.
    std::vector<std::pair<Node::Kind, std::string>> nodes;
    for (const Node& n : draft.layout.nodes)
        nodes.emplace_back(n.kind, n.id);
    for (const auto& [kind, id] : nodes) {
        if (kind == Node::Kind::Ingress)
            draft.connect(id, pre, Edge::Kind::Flow);
    }
    draft.connect(pre, kRoutingId, Edge::Kind::Flow);
    draft.connect(kRoutingId, hookId(Hook::Forward), Edge::Kind::Flow);
    draft.connect(kRoutingId, hookId(Hook::Input), Edge::Kind::Flow);
    draft.connect(hookId(Hook::Input), kLocalId, Edge::Kind::Flow);
    draft.connect(kLocalId, hookId(Hook::Output), Edge::Kind::Flow);
    draft.connect(hookId(Hook::Forward), post, Edge::Kind::Flow);
    draft.connect(hookId(Hook::Output), post, Edge::Kind::Flow);
    for (const auto& [kind, id] : nodes) {
        if (kind == Node::Kind::Egress || kind == Node::Kind::Network)
            draft.connect(post, id, Edge::Kind::Flow);
    }

    std::map<std::string, std::string> previousTable; // hook -> last built-in chain node in it
    for (const Node& n : std::vector<Node>(draft.layout.nodes)) {
        if (n.kind == Node::Kind::BuiltinChain) {
            if (auto it = previousTable.find(n.hook); it != previousTable.end())
                draft.connect(it->second, n.id, Edge::Kind::Flow);
            previousTable[n.hook] = n.id;
        }
        if (n.kind == Node::Kind::Collapsed)
            draft.connect(previousTable[n.hook], n.id, Edge::Kind::Collapsed);
        if (n.kind != Node::Kind::BuiltinChain && n.kind != Node::Kind::UserChain)
            continue;
        const Table* table = ruleset ? ruleset->table(n.table) : nullptr;
        const Chain* chain = table ? table->chain(n.chain) : nullptr;
        if (!chain)
            continue;
        const Hook hook = *hookFromName(n.hook);
        for (const Rule& rule : chain->rules) {
            if (rule.target.kind == Target::Kind::None)
                continue;
            const std::string to = chainId(hook, n.table, rule.target.name);
            if (to != n.id && draft.find(to) && !draft.findEdge(n.id, to))
                draft.connect(n.id, to, rule.target.kind == Target::Kind::Goto ? Edge::Kind::Goto : Edge::Kind::Jump);
        }
    }
    for (const auto& [from, to] : touched.jumps) {
        if (from != to && draft.find(from) && draft.find(to) && !draft.findEdge(from, to))
            draft.connect(from, to, Edge::Kind::Jump);
    }
}

} // namespace model::diagram::detail
