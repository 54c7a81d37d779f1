#include "model/diagram/layoutparts.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

namespace model::diagram::detail {

using engine::Hook;

namespace {

    constexpr std::array<Hook, 5> kHooks { Hook::Prerouting, Hook::Input, Hook::Forward, Hook::Output,
        Hook::Postrouting };
    constexpr std::uint8_t kMissing = 0x80; // resolved to the paths that touched the node once they are known

    std::string plural(std::size_t n, const char* one, const char* many)
    {
        return std::to_string(n) + ' ' + (n == 1 ? one : many);
    }

    // The user chains reachable from one built-in chain, in depth-first pre-order, each with the chain it was
    // first reached from.
    struct Reached {
        std::string name;
        std::string parent;
    };

    // Table::chain() searches linearly; a kube-proxy table has tens of thousands of chains.
    std::unordered_map<std::string_view, const Chain*> chainIndex(const Table& table)
    {
        std::unordered_map<std::string_view, const Chain*> index;
        index.reserve(table.chains.size());
        for (const Chain& c : table.chains)
            index.emplace(c.name, &c);
        return index;
    }

    std::vector<Reached> reachableFrom(const Table& table, const Chain& builtin)
    {
        const auto byName = chainIndex(table);
        std::vector<Reached> out;
        std::set<std::string> seen { builtin.name };
        std::vector<std::pair<const Chain*, std::size_t>> stack { { &builtin, 0 } };
        while (!stack.empty()) {
            const Chain* chain = stack.back().first;
            const std::size_t index = stack.back().second++;
            if (index >= chain->rules.size()) {
                stack.pop_back();
                continue;
            }
            const Target& target = chain->rules[index].target;
            if (target.kind == Target::Kind::None)
                continue;
            const auto found = byName.find(target.name);
            const Chain* next = found == byName.end() ? nullptr : found->second;
            if (!next || next->builtin || !seen.insert(next->name).second)
                continue;
            out.push_back({ next->name, chain->name });
            stack.emplace_back(next, 0);
        }
        return out;
    }

    std::string chainSummary(const Chain& chain)
    {
        std::string text = plural(chain.rules.size(), "rule", "rules");
        if (!chain.policy.empty())
            text += " · policy " + chain.policy;
        return text;
    }

    Node chainNode(Hook hook, const std::string& table, const std::string& chain, Node::Kind kind)
    {
        Node n;
        n.kind = kind;
        n.id = chainId(hook, table, chain);
        n.parent = hookId(hook);
        n.hook = engine::hookName(hook);
        n.table = table;
        n.chain = chain;
        n.title = kind == Node::Kind::BuiltinChain ? table + ' ' + chain : chain;
        return n;
    }

    std::string joinedNames(const std::vector<std::string>& names, std::size_t maxChars)
    {
        std::string text;
        for (const std::string& name : names) {
            const std::string next = text.empty() ? name : text + ", " + name;
            if (next.size() > maxChars)
                return text + ", …";
            text = next;
        }
        return text;
    }

    // One table at one hook: the built-in chain, the user chains on a path (or all, when they fit), the path's
    // chains this ruleset does not have, and the rest as a count.
    void addTableAtHook(Draft& draft, Hook hook, const std::string& tableName, const Table* table,
        const Touched& touched, bool expandAll)
    {
        const std::string builtinName = engine::hookName(hook);
        const Chain* builtin = table ? table->chain(builtinName) : nullptr;
        const std::string builtinNodeId = chainId(hook, tableName, builtinName);
        if (!builtin && !touched.chains.contains(builtinNodeId))
            return;
        Node head = chainNode(hook, tableName, builtinName, Node::Kind::BuiltinChain);
        if (builtin) {
            head.lines.push_back(chainSummary(*builtin));
        } else {
            head.lines.push_back("not in this snapshot");
            head.onlyIn = kMissing;
        }
        draft.add(std::move(head));

        std::map<std::string, int> depthOf { { builtinName, 0 } };
        std::map<std::string, std::string> shownParent { { builtinName, builtinName } };
        std::vector<std::string> collapsed;
        const std::vector<Reached> reached = builtin ? reachableFrom(*table, *builtin) : std::vector<Reached> {};
        for (const Reached& r : reached) {
            const std::string id = chainId(hook, tableName, r.name);
            const std::string parent = shownParent[r.parent];
            if (!expandAll && !touched.chains.contains(id)) {
                collapsed.push_back(r.name);
                shownParent[r.name] = parent;
                continue;
            }
            shownParent[r.name] = r.name;
            depthOf[r.name] = depthOf[parent] + 1;
            Node n = chainNode(hook, tableName, r.name, Node::Kind::UserChain);
            n.depth = depthOf[r.name];
            n.lines.push_back(chainSummary(*table->chain(r.name)));
            draft.add(std::move(n));
        }
        const std::string prefix = chainId(hook, tableName, std::string());
        for (const std::string& id : touched.chains) {
            if (id.rfind(prefix, 0) != 0 || draft.find(id))
                continue;
            Node n = chainNode(hook, tableName, id.substr(prefix.size()), Node::Kind::UserChain);
            n.depth = 1;
            n.lines.push_back("not in this snapshot");
            n.onlyIn = kMissing;
            draft.add(std::move(n));
        }
        if (!collapsed.empty()) {
            std::sort(collapsed.begin(), collapsed.end());
            Node n;
            n.kind = Node::Kind::Collapsed;
            n.id = "collapsed:" + std::string(engine::hookName(hook)) + '/' + tableName;
            n.parent = hookId(hook);
            n.hook = builtinName;
            n.table = tableName;
            n.depth = 1;
            n.title = "+" + plural(collapsed.size(), "chain", "chains");
            n.lines.push_back(joinedNames(collapsed, 30));
            n.members = std::move(collapsed);
            draft.add(std::move(n));
        }
    }

    std::size_t reachableCount(const Ruleset* ruleset, std::size_t limit)
    {
        std::size_t count = 0;
        if (!ruleset)
            return count;
        for (Hook hook : kHooks) {
            for (const std::string& tableName : tablesAt(hook)) {
                const Table* table = ruleset->table(tableName);
                const Chain* builtin = table ? table->chain(engine::hookName(hook)) : nullptr;
                if (builtin)
                    count += reachableFrom(*table, *builtin).size();
                if (count > limit)
                    return count;
            }
        }
        return count;
    }

} // namespace

Touched touchedBy(const PathInput& before, const PathInput& after)
{
    Touched t;
    for (const PathInput* path : { &before, &after }) {
        if (!path->outcome)
            continue;
        if (!path->ingress.empty()) {
            t.interfaces.insert(path->ingress);
            t.ingress.insert(path->ingress);
        }
        for (const engine::Hop& hop : path->outcome->hops) {
            if (hop.table.empty() || hop.chain.empty() || hop.kind == engine::Hop::Kind::Skipped)
                continue;
            const std::string from = chainId(hop.hook, hop.table, hop.chain);
            t.chains.insert(from);
            const bool jump = hop.verdict == "JUMP" || hop.verdict == "GOTO";
            if (hop.kind == engine::Hop::Kind::Rule && jump && !hop.target.empty()) {
                const std::string to = chainId(hop.hook, hop.table, hop.target);
                t.chains.insert(to);
                t.jumps.insert({ from, to });
            }
        }
        const engine::Delivery& d = path->outcome->delivery;
        if (d.kind == engine::Delivery::Kind::Interface || d.kind == engine::Delivery::Kind::Container) {
            t.interfaces.insert(d.interface);
            t.egress.insert(d.interface);
        }
        if (d.kind == engine::Delivery::Kind::Container)
            t.containers[d.container.empty() ? d.address.toString() : d.container] = d.interface;
    }
    return t;
}

void buildPipeline(Draft& draft, const Ruleset* ruleset, const Touched& touched, const LayoutOptions& options)
{
    const auto limit = static_cast<std::size_t>(options.expandAllUpTo);
    const bool expandAll
        = touched.chains.empty() && reachableCount(ruleset, limit) <= limit;
    for (Hook hook : kHooks) {
        Node frame;
        frame.kind = Node::Kind::Hook;
        frame.id = hookId(hook);
        frame.hook = engine::hookName(hook);
        frame.title = frame.hook;
        draft.add(std::move(frame));
        const std::size_t before = draft.layout.nodes.size();
        for (const std::string& table : tablesAt(hook)) {
            if (options.stop && options.stop())
                return;
            addTableAtHook(draft, hook, table, ruleset ? ruleset->table(table) : nullptr, touched, expandAll);
        }
        if (draft.layout.nodes.size() == before)
            draft.find(hookId(hook))->lines.push_back("no rules");
    }
    Node routing;
    routing.kind = Node::Kind::Routing;
    routing.id = kRoutingId;
    routing.title = "routing";
    routing.lines = { "local or forward?" };
    draft.add(std::move(routing));
    Node local;
    local.kind = Node::Kind::LocalProcess;
    local.id = kLocalId;
    local.title = "local process";
    local.lines = { "sockets on this host" };
    draft.add(std::move(local));
}

void resolveMissing(Layout& layout)
{
    for (Node& n : layout.nodes) {
        if (n.onlyIn & kMissing)
            n.onlyIn = n.paths;
    }
}

} // namespace model::diagram::detail
