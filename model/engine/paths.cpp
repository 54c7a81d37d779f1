// The hooks a packet passes, in kernel order, and the routing decision between them (SEMANTICS §1, §2).
#include "model/engine/paths.h"

#include <algorithm>

namespace model::engine::detail {

namespace {

void addAssumption(std::vector<std::string>& list, std::string text)
{
    if (std::find(list.begin(), list.end(), text) == list.end())
        list.push_back(std::move(text));
}

class Walker final {
public:
    Walker(const PathContext& ctx, const Packet& packet)
        : m_ctx(ctx)
        , m_packet(packet)
        , m_eval(ctx.rules, ctx.host, ctx.choices, m_outcome, ctx.dependsOn)
        , m_rec(ctx.recorder)
    {
        m_eval.setRecorder(m_rec);
    }

    Outcome run()
    {
        if (!m_rec)
            m_outcome.hops.reserve(24);
        if (m_rec)
            m_rec->beginWalk();
        init();
        if (m_rec)
            m_rec->ingressFact(m_rec->packetIngress(), m_rec->partition().localIngress(), m_packet.fromLocalProcess);
        const bool ok = m_packet.fromLocalProcess ? localOut() : ingress();
        if (ok)
            m_outcome.fate = Fate::Accept;
        m_outcome.finalHeader = m_s.header;
        m_outcome.finalMark = m_s.mark;
        if (m_packet.state == CtState::New && m_packet.direction == CtDirection::Original && !m_s.untracked)
            m_outcome.binding = NatBinding { m_s.original, m_s.header };
        if (m_outcome.fate == Fate::Accept && m_outcome.deciding.empty())
            m_outcome.deciding = m_eval.acceptingRule();
        if (m_rec)
            m_rec->endWalk();
        return std::move(m_outcome);
    }

private:
    void init()
    {
        m_s.header = m_packet.header;
        m_s.original = m_packet.header;
        m_s.mark = m_packet.mark;
        m_s.connmark = m_packet.connmark;
        m_s.state = m_packet.state;
        m_s.untracked = m_packet.state == CtState::Untracked;
        m_s.direction = m_packet.direction;
        m_s.binding = m_packet.binding;
        if (m_s.binding && m_s.direction == CtDirection::Original)
            m_s.original = m_s.binding->original;
        m_s.uid = m_packet.uid;
        m_s.gid = m_packet.gid;
        m_s.localOrigin = m_packet.fromLocalProcess;
    }

    bool stop(Verdict v)
    {
        if (v == Verdict::Accept)
            return false;
        m_outcome.fate = v == Verdict::Reject ? Fate::Reject : Fate::Drop;
        m_outcome.deciding = m_eval.lastTerminal();
        return true;
    }

    // Runs the tables of one hook in priority order; false when the packet was dropped or rejected.
    bool hook(Hook h, std::initializer_list<const char*> tables)
    {
        for (const char* table : tables) {
            if (std::string_view(table) == "nat") {
                if (!natStep(h))
                    return false;
                continue;
            }
            if (stop(m_eval.runTable(m_s, h, table)))
                return false;
            if (std::string_view(table) == "raw")
                attachConntrack(h);
        }
        return true;
    }

    void attachConntrack(Hook h)
    {
        if (m_ctAttachedOnce)
            return;
        m_ctAttachedOnce = true;
        if (m_s.untracked) {
            note(h, "conntrack: UNTRACKED");
            return;
        }
        m_s.ctAttached = true;
    }

    bool natStep(Hook h)
    {
        const bool dstManip = h == Hook::Prerouting || h == Hook::Output;
        if (m_s.untracked) {
            skipped(h, "nat", "untracked packets skip the nat table");
            return true;
        }
        const bool first = m_s.state == CtState::New && m_s.direction == CtDirection::Original;
        if (!first) {
            storedNat(h, dstManip);
            return true;
        }
        bool& consulted = dstManip ? m_dnatConsulted : m_snatConsulted;
        if (consulted) {
            skipped(h, "nat", "the connection already has its translation; nat is consulted once");
            return true;
        }
        consulted = true;
        return !stop(m_eval.runTable(m_s, h, "nat"));
    }

    void storedNat(Hook h, bool dstManip)
    {
        if (!m_s.binding)
            return;
        const NatBinding& b = *m_s.binding;
        Header& hd = m_s.header;
        Hop hop;
        hop.kind = Hop::Kind::StoredNat;
        hop.hook = h;
        hop.table = "nat";
        hop.before = hd;
        const bool reply = m_s.direction == CtDirection::Reply;
        if (m_rec)
            m_rec->bindingFact(b, reply != dstManip);
        using R = PathRecorder;
        auto carry = [&](R::Slot to, bool translated, R::Slot from) {
            if (m_rec)
                m_rec->setTag(to, m_rec->bindingTag(translated, from));
        };
        if (reply && dstManip && b.snat()) {
            hd.dst = b.original.src;
            hd.dport = b.original.sport;
            carry(R::SlotDst, false, R::SlotSrc);
            carry(R::SlotDport, false, R::SlotSport);
            hop.note = "reply: the connection's SNAT is undone";
        } else if (reply && !dstManip && b.dnat()) {
            hd.src = b.original.dst;
            hd.sport = b.original.dport;
            carry(R::SlotSrc, false, R::SlotDst);
            carry(R::SlotSport, false, R::SlotDport);
            hop.note = "reply: the connection's DNAT is undone";
        } else if (!reply && dstManip && b.dnat()) {
            hd.dst = b.translated.dst;
            hd.dport = b.translated.dport;
            carry(R::SlotDst, true, R::SlotDst);
            carry(R::SlotDport, true, R::SlotDport);
            hop.note = "the connection's stored DNAT";
        } else if (!reply && !dstManip && b.snat()) {
            hd.src = b.translated.src;
            hd.sport = b.translated.sport;
            carry(R::SlotSrc, true, R::SlotSrc);
            carry(R::SlotSport, true, R::SlotSport);
            hop.note = "the connection's stored SNAT";
        } else {
            return;
        }
        hop.after = hd;
        m_eval.addHop(std::move(hop));
    }

    void note(Hook h, std::string text)
    {
        if (!m_eval.keepsHops())
            return;
        Hop hop;
        hop.kind = Hop::Kind::Note;
        hop.hook = h;
        hop.note = std::move(text);
        m_eval.addHop(std::move(hop));
    }

    void skipped(Hook h, std::string table, std::string why)
    {
        if (!m_eval.keepsHops())
            return;
        Hop hop;
        hop.kind = Hop::Kind::Skipped;
        hop.hook = h;
        hop.table = std::move(table);
        hop.note = std::move(why);
        m_eval.addHop(std::move(hop));
    }

    void routingHop(Hook after, const RouteDecision& r)
    {
        if (!m_eval.keepsHops())
            return;
        Hop hop;
        hop.kind = Hop::Kind::Routing;
        hop.hook = after;
        hop.outInterface = r.device;
        hop.note = r.description;
        m_eval.addHop(std::move(hop));
    }

    // The routing decision, asking whether the destination is local when the snapshot cannot say.
    RouteDecision routeFor(const IpAddress& dst)
    {
        if (m_rec)
            m_rec->hostFact(m_rec->tag(PathRecorder::SlotDst), dst);
        if (m_ctx.host.localKnown(dst) || !m_eval.isLocalAddress(dst))
            return m_ctx.host.route(dst);
        RouteDecision d;
        d.found = true;
        d.local = true;
        d.device = "lo";
        d.type = "local";
        d.description = "local address " + dst.toString() + " (assumed on this path)";
        return d;
    }

    bool dropByRouting(const std::string& why)
    {
        m_outcome.fate = Fate::Drop;
        m_outcome.deciding = RuleRef {};
        m_outcome.deciding.other = why;
        note(Hook::Prerouting, why);
        return false;
    }

    std::optional<bool> sysctlFlag(const std::string& key, const char* assumedWhy)
    {
        auto v = m_ctx.host.sysctl(key);
        if (!v) {
            addAssumption(m_ctx.assumptions, key + " not captured: assumed 1 (" + assumedWhy + ')');
            return std::nullopt;
        }
        return *v != "0";
    }

    bool bridgedIngress()
    {
        const bool bridge = m_ctx.host.isBridge(m_packet.inInterface);
        if (m_rec)
            m_rec->ingressFact(m_rec->packetIngress(), m_rec->partition().bridgeIngress(), bridge);
        if (!bridge)
            return false;
        if (m_rec) // which bridge it is decides the subnet tested below
            m_rec->pin(m_rec->packetIngress());
        const PathRecorder::Tag dstTag = m_rec ? m_rec->tag(PathRecorder::SlotDst) : PathRecorder::Const;
        if (m_rec)
            m_rec->hostFact(dstTag, m_s.header.dst);
        if (m_ctx.host.isLocal(m_s.header.dst))
            return false;
        const HostInterface* br = m_ctx.host.interface(m_packet.inInterface);
        for (const IpPrefix& a : br->addresses) {
            if (a.network.family != m_s.header.dst.family)
                continue;
            const bool inside = a.withLength(a.length).contains(m_s.header.dst);
            if (m_rec)
                m_rec->prefixFact(dstTag, a.withLength(a.length), inside);
            if (inside)
                return true;
        }
        return false;
    }

    bool ingress();
    bool bridgedPath();
    bool forward(const RouteDecision& r);
    bool inputPath(Hook previous);
    bool localOut();
    void deliver(Delivery::Kind kind, const std::string& iface, const std::optional<IpAddress>& gateway);

    const PathContext& m_ctx;
    const Packet& m_packet;
    Outcome m_outcome;
    PacketState m_s;
    Evaluator m_eval;
    PathRecorder* m_rec;
    bool m_ctAttachedOnce = false;
    bool m_dnatConsulted = false;
    bool m_snatConsulted = false;
};

void Walker::deliver(Delivery::Kind kind, const std::string& iface, const std::optional<IpAddress>& gateway)
{
    Delivery& d = m_outcome.delivery;
    d.kind = kind;
    d.interface = iface;
    d.address = m_s.header.dst;
    d.port = m_s.header.hasPorts() ? m_s.header.dport : 0;
    if (gateway)
        d.nextHop = gateway->toString();
    if (const HostEndpoint* e = m_ctx.host.endpoint(m_s.header.dst)) {
        d.container = e->container;
        d.network = e->network;
    }
    if (kind == Delivery::Kind::Interface && m_ctx.host.isBridge(iface) && !gateway)
        d.kind = Delivery::Kind::Container;
    if (!m_eval.keepsHops())
        return;
    Hop hop;
    hop.kind = Hop::Kind::Delivery;
    hop.hook = kind == Delivery::Kind::LocalSocket ? Hook::Input : Hook::Postrouting;
    hop.outInterface = iface;
    hop.note = d.describe();
    m_eval.addHop(std::move(hop));
}

bool Walker::inputPath(Hook)
{
    m_s.out.clear();
    if (m_rec)
        m_rec->setOutTag(PathRecorder::Const);
    if (!hook(Hook::Input, { "mangle", "filter", "security", "nat" }))
        return false;
    deliver(Delivery::Kind::LocalSocket, "lo", std::nullopt);
    return true;
}

bool Walker::forward(const RouteDecision& r)
{
    const bool v4 = m_s.header.dst.family == Family::IPv4;
    const std::string key = v4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
    if (auto on = sysctlFlag(key, "forwarding hosts such as Docker hosts enable it"); on && !*on)
        return dropByRouting("routing: " + key + "=0, the host does not forward");
    m_s.out = r.device;
    m_s.bridged = false;
    if (m_rec)
        m_rec->setOutTag(PathRecorder::Const);
    if (!hook(Hook::Forward, { "mangle", "filter", "security" }))
        return false;
    if (!hook(Hook::Postrouting, { "mangle", "nat" }))
        return false;
    deliver(Delivery::Kind::Interface, r.device, r.gateway);
    return true;
}

bool Walker::bridgedPath()
{
    const bool v4 = m_s.header.dst.family == Family::IPv4;
    const std::string key = v4 ? "net.bridge.bridge-nf-call-iptables" : "net.bridge.bridge-nf-call-ip6tables";
    auto on = sysctlFlag(key, "br_netfilter loaded, as Docker does");
    if (on && !*on) {
        note(Hook::Prerouting, key + "=0: bridged traffic never reaches iptables");
        m_outcome.deciding.other = "bridged without iptables (" + key + "=0)";
        deliver(Delivery::Kind::Container, m_packet.inInterface, std::nullopt);
        if (m_rec)
            m_rec->delivered(m_rec->packetIngress());
        m_outcome.fate = Fate::Accept;
        return true;
    }
    m_s.bridged = true;
    m_s.physIn = m_packet.inBridgePort;
    note(Hook::Prerouting, "bridged within " + m_packet.inInterface + " (br_netfilter path)");
    const IpAddress before = m_s.header.dst;
    const PathRecorder::Tag tagBefore = m_rec ? m_rec->tag(PathRecorder::SlotDst) : PathRecorder::Const;
    if (!hook(Hook::Prerouting, { "raw", "mangle", "nat" }))
        return false;
    if (m_rec)
        m_rec->equalFact(tagBefore, before, m_rec->tag(PathRecorder::SlotDst), m_s.header.dst);
    if (m_s.header.dst != before) { // DNAT moved it off the bridge: a real route lookup
        const RouteDecision r = routeFor(m_s.header.dst);
        routingHop(Hook::Prerouting, r);
        if (!r.found)
            return dropByRouting("routing: " + r.description);
        return r.local ? inputPath(Hook::Prerouting) : forward(r);
    }
    m_s.out = m_packet.inInterface;
    if (m_rec)
        m_rec->setOutTag(m_rec->packetIngress());
    if (!hook(Hook::Forward, { "mangle", "filter", "security" }))
        return false;
    if (!hook(Hook::Postrouting, { "mangle", "nat" }))
        return false;
    deliver(Delivery::Kind::Container, m_packet.inInterface, std::nullopt);
    if (m_rec)
        m_rec->delivered(m_rec->packetIngress());
    return true;
}

bool Walker::ingress()
{
    m_s.in = m_packet.inInterface;
    if (m_rec)
        m_rec->setDevices(m_rec->packetIngress(), PathRecorder::Const);
    if (bridgedIngress())
        return bridgedPath();
    if (!hook(Hook::Prerouting, { "raw", "mangle", "nat" }))
        return false;
    const RouteDecision r = routeFor(m_s.header.dst);
    routingHop(Hook::Prerouting, r);
    if (!r.found)
        return dropByRouting("routing: " + r.description);
    return r.local ? inputPath(Hook::Prerouting) : forward(r);
}

bool Walker::localOut()
{
    m_s.in.clear();
    if (m_rec)
        m_rec->setDevices(PathRecorder::Const, PathRecorder::Const);
    RouteDecision r = routeFor(m_s.header.dst);
    routingHop(Hook::Output, r);
    if (!r.found)
        return dropByRouting("routing: " + r.description);
    m_s.out = r.device;
    const IpAddress dstBefore = m_s.header.dst;
    const PathRecorder::Tag tagBefore = m_rec ? m_rec->tag(PathRecorder::SlotDst) : PathRecorder::Const;
    const std::uint32_t markBefore = m_s.mark;
    if (!hook(Hook::Output, { "raw", "mangle", "nat", "filter", "security" }))
        return false;
    if (m_rec)
        m_rec->equalFact(tagBefore, dstBefore, m_rec->tag(PathRecorder::SlotDst), m_s.header.dst);
    if (m_s.header.dst != dstBefore || m_s.mark != markBefore) { // rerouted after mangle/nat changed it
        r = routeFor(m_s.header.dst);
        routingHop(Hook::Output, r);
        if (!r.found)
            return dropByRouting("routing: " + r.description);
        m_s.out = r.device;
    }
    if (!hook(Hook::Postrouting, { "mangle", "nat" }))
        return false;
    if (!r.local) {
        deliver(Delivery::Kind::Interface, r.device, r.gateway);
        return true;
    }
    // Loopback: out through lo and back in; nat is not consulted again.
    m_s.in = "lo";
    m_s.out.clear();
    m_s.localOrigin = false;
    if (!hook(Hook::Prerouting, { "raw", "mangle", "nat" }))
        return false;
    return inputPath(Hook::Prerouting);
}

} // namespace

Outcome walkPath(const PathContext& ctx, const Packet& packet)
{
    return Walker(ctx, packet).run();
}

} // namespace model::engine::detail
