#include "support/topology.h"

#include <QHash>
#include <QMap>
#include <QRegularExpression>

#include <cstring>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ktest {

namespace {

    const QString kWebPort = QStringLiteral("veth9a1e7c1");
    const QString kWeb2Port = QStringLiteral("veth2b7d4e0");
    const QString kAppPort = QStringLiteral("veth5c3f1a9");

    QStringList split(const QString& command)
    {
        return command.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    }

    // "#   create docker-ext-bridges-v4 hash:net ..." / "#   add ..." lines of a fixture, as `ipset restore` input.
    QByteArray ipsetState(const QByteArray& rulesText)
    {
        static const QRegularExpression line(QStringLiteral("^#\\s+((?:create|add) \\S+ .*)$"),
            QRegularExpression::MultilineOption);
        QByteArray out;
        auto it = line.globalMatch(QString::fromUtf8(rulesText));
        while (it.hasNext())
            out += it.next().captured(1).toUtf8() + '\n';
        return out;
    }

    // Deletes every conntrack entry of the namespace (an IPCTNL_MSG_CT_DELETE without a tuple), acknowledged.
    bool flushConntrack(const Namespace& ns)
    {
        const int fd = ns.openSocket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
        if (fd < 0)
            return false;
        struct {
            nlmsghdr header;
            nfgenmsg body;
        } request {};
        request.header.nlmsg_len = sizeof request;
        request.header.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
        request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        request.body.nfgen_family = AF_UNSPEC;
        request.body.version = NFNETLINK_V0;
        bool ok = ::send(fd, &request, sizeof request, 0) == ssize_t(sizeof request);
        char answer[512];
        const ssize_t n = ok ? ::recv(fd, answer, sizeof answer, 0) : -1;
        if (n >= ssize_t(sizeof(nlmsghdr) + sizeof(nlmsgerr))) {
            nlmsgerr error;
            std::memcpy(&error, answer + NLMSG_HDRLEN, sizeof error);
            ok = error.error == 0;
        } else {
            ok = false;
        }
        ::close(fd);
        return ok;
    }

    QStringList builtinChains(const QString& table)
    {
        static const QHash<QString, QStringList> builtins {
            { QStringLiteral("raw"), { QStringLiteral("PREROUTING"), QStringLiteral("OUTPUT") } },
            { QStringLiteral("mangle"), { QStringLiteral("PREROUTING"), QStringLiteral("INPUT"), QStringLiteral("FORWARD"),
                                            QStringLiteral("OUTPUT"), QStringLiteral("POSTROUTING") } },
            { QStringLiteral("nat"), { QStringLiteral("PREROUTING"), QStringLiteral("INPUT"), QStringLiteral("OUTPUT"),
                                         QStringLiteral("POSTROUTING") } },
            { QStringLiteral("filter"), { QStringLiteral("INPUT"), QStringLiteral("FORWARD"), QStringLiteral("OUTPUT") } },
            { QStringLiteral("security"), { QStringLiteral("INPUT"), QStringLiteral("FORWARD"), QStringLiteral("OUTPUT") } },
        };
        return builtins.value(table);
    }

    // The chains a restore text declares, by table ("*filter", then ":DOCKER - [0:0]" lines).
    QMap<QString, QStringList> chainsOf(const QByteArray& rulesText)
    {
        QMap<QString, QStringList> chains;
        QString table;
        for (const QByteArray& line : rulesText.split('\n')) {
            if (line.startsWith('*'))
                table = QString::fromUtf8(line.mid(1).trimmed());
            else if (line.startsWith(':') && !table.isEmpty())
                chains[table] << QString::fromUtf8(line.mid(1, line.indexOf(' ') - 1));
        }
        return chains;
    }

} // namespace

Topology::Topology(TopologyOptions options)
    : m_options(options)
{
}

Topology::~Topology() = default;

QString Topology::ingressInterface(Ingress ingress)
{
    switch (ingress) {
    case Ingress::Lan:
        return QStringLiteral("eth0");
    case Ingress::Web:
        return QStringLiteral("br-897b3066eb8a");
    case Ingress::Tailnet:
        return QStringLiteral("tailscale0");
    case Ingress::Web2:
        return QStringLiteral("br-897b3066eb8a");
    case Ingress::App:
        return QStringLiteral("docker0");
    case Ingress::Local:
        break;
    }
    return {};
}

QString Topology::ingressName(Ingress ingress)
{
    switch (ingress) {
    case Ingress::Lan:
        return QStringLiteral("lan");
    case Ingress::Web:
        return QStringLiteral("web");
    case Ingress::Tailnet:
        return QStringLiteral("ts");
    case Ingress::Local:
        return QStringLiteral("host");
    case Ingress::Web2:
        return QStringLiteral("web2");
    case Ingress::App:
        return QStringLiteral("app");
    }
    return {};
}

QString Topology::webPort()
{
    return kWebPort;
}

QString Topology::bridgePort(Ingress ingress)
{
    switch (ingress) {
    case Ingress::Web:
        return kWebPort;
    case Ingress::Web2:
        return kWeb2Port;
    case Ingress::App:
        return kAppPort;
    case Ingress::Lan:
    case Ingress::Tailnet:
    case Ingress::Local:
        break;
    }
    return {};
}

bool Topology::has(Ingress ingress) const
{
    switch (ingress) {
    case Ingress::Tailnet:
        return m_ts != nullptr;
    case Ingress::Web2:
        return m_web2 != nullptr;
    case Ingress::App:
        return m_app != nullptr;
    case Ingress::Lan:
    case Ingress::Web:
    case Ingress::Local:
        break;
    }
    return true;
}

bool Topology::setBridgeNetfilter(bool on)
{
    const QString value = on ? QStringLiteral("1") : QStringLiteral("0");
    bool ok = m_host->setSysctl(QStringLiteral("net.bridge.bridge-nf-call-iptables"), value);
    if (m_options.family == Family::V6)
        ok = m_host->setSysctl(QStringLiteral("net.bridge.bridge-nf-call-ip6tables"), value) && ok;
    if (!ok)
        m_error = QStringLiteral("cannot set bridge-nf-call-iptables in the host namespace");
    return ok;
}

const Namespace& Topology::peer(Ingress ingress) const
{
    switch (ingress) {
    case Ingress::Web:
        return *m_web;
    case Ingress::Tailnet:
        return m_ts ? *m_ts : *m_lan;
    case Ingress::Local:
        return *m_host;
    case Ingress::Web2:
        return m_web2 ? *m_web2 : *m_lan;
    case Ingress::App:
        return m_app ? *m_app : *m_lan;
    case Ingress::Lan:
        break;
    }
    return *m_lan;
}

bool Topology::fail(const QString& what, const CommandResult& result)
{
    m_error = what + QStringLiteral(": ") + result.describe();
    return false;
}

bool Topology::build()
{
    m_host = std::make_unique<Namespace>(QStringLiteral("host"));
    m_lan = std::make_unique<Namespace>(QStringLiteral("lan"));
    m_web = std::make_unique<Namespace>(QStringLiteral("web"));
    if (m_options.tailscale)
        m_ts = std::make_unique<Namespace>(QStringLiteral("ts"));
    if (m_options.containers) {
        m_web2 = std::make_unique<Namespace>(QStringLiteral("web2"));
        m_app = std::make_unique<Namespace>(QStringLiteral("app"));
    }
    for (const Namespace* ns : { m_host.get(), m_lan.get(), m_web.get(), m_ts.get(), m_web2.get(), m_app.get() }) {
        if (ns && !ns->isValid()) {
            m_error = ns->error();
            return false;
        }
    }
    return configureSysctls() && wire() && installHelpers();
}

bool Topology::configureSysctls()
{
    // IPv4 only unless the ruleset is an IPv6 one: no router solicitations or MLD reports crossing the host.
    const bool v6 = m_options.family == Family::V6;
    for (const Namespace* ns : { m_host.get(), m_lan.get(), m_web.get(), m_ts.get(), m_web2.get(), m_app.get() }) {
        if (!ns)
            continue;
        for (const char* key : { "net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6" })
            ns->setSysctl(QString::fromLatin1(key), v6 ? QStringLiteral("0") : QStringLiteral("1"));
        // rp_filter values are inherited from the initial namespace; spoofed probe sources need it off.
        for (const char* key : { "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter" }) {
            if (!ns->setSysctl(QString::fromLatin1(key), QStringLiteral("0"))) {
                m_error = QStringLiteral("cannot set %1 in %2").arg(QString::fromLatin1(key), ns->name());
                return false;
            }
        }
    }
    const Namespace& host = *m_host;
    for (const char* key : { "net.ipv4.conf.all.send_redirects", "net.ipv4.conf.default.send_redirects" })
        host.setSysctl(QString::fromLatin1(key), QStringLiteral("0"));
    // A REJECT's ICMP error must reach the prober every time, not once a second per source.
    host.setSysctl(QStringLiteral("net.ipv4.icmp_ratelimit"), QStringLiteral("0"));
    host.setSysctl(QStringLiteral("net.ipv4.icmp_msgs_per_sec"), QStringLiteral("100000"));
    host.setSysctl(QStringLiteral("net.ipv4.icmp_msgs_burst"), QStringLiteral("100000"));
    if (!host.setSysctl(QStringLiteral("net.ipv4.ip_forward"), QStringLiteral("1"))) {
        m_error = QStringLiteral("cannot enable forwarding in the host namespace");
        return false;
    }
    // Bridged traffic must traverse iptables as on a Docker host (needs br_netfilter).
    if (!host.setSysctl(QStringLiteral("net.bridge.bridge-nf-call-iptables"), QStringLiteral("1"))) {
        m_error = QStringLiteral("net.bridge.bridge-nf-call-iptables missing: modprobe br_netfilter");
        return false;
    }
    return !v6 || configureSysctls6();
}

bool Topology::configureSysctls6()
{
    // No duplicate address detection (addresses usable at once), no autoconfiguration, and flow labels
    // only where the prober sets them: they carry the probe's id, as the IP ID does for IPv4.
    for (const Namespace* ns : { m_host.get(), m_lan.get(), m_web.get(), m_ts.get(), m_web2.get(), m_app.get() }) {
        if (!ns)
            continue;
        for (const char* key : { "net.ipv6.conf.all.accept_dad", "net.ipv6.conf.default.accept_dad",
                 "net.ipv6.conf.all.accept_ra", "net.ipv6.conf.default.accept_ra",
                 "net.ipv6.conf.default.router_solicitations", "net.ipv6.auto_flowlabels" })
            ns->setSysctl(QString::fromLatin1(key), QStringLiteral("0"));
    }
    const Namespace& host = *m_host;
    host.setSysctl(QStringLiteral("net.ipv6.icmp.ratelimit"), QStringLiteral("0"));
    if (!host.setSysctl(QStringLiteral("net.ipv6.conf.all.forwarding"), QStringLiteral("1"))) {
        m_error = QStringLiteral("cannot enable IPv6 forwarding in the host namespace");
        return false;
    }
    if (!host.setSysctl(QStringLiteral("net.bridge.bridge-nf-call-ip6tables"), QStringLiteral("1"))) {
        m_error = QStringLiteral("net.bridge.bridge-nf-call-ip6tables missing: modprobe br_netfilter");
        return false;
    }
    return true;
}

bool Topology::wire()
{
    const QString h = m_host->name();
    const QString l = m_lan->name();
    const QString w = m_web->name();
    QString script = QStringLiteral(
        "ip link add eth0 netns %1 type veth peer name eth0 netns %2\n"
        "ip link add %4 netns %1 type veth peer name eth0 netns %3\n"
        "ip -n %1 link add docker0 type bridge\n"
        "ip -n %1 link add br-897b3066eb8a type bridge\n"
        "ip -n %1 link set %4 master br-897b3066eb8a\n"
        "ip -n %1 link set %4 type bridge_slave hairpin on\n"
        "ip -n %1 addr add 10.0.0.10/24 dev eth0\n"
        "ip -n %1 addr add 172.17.0.1/16 dev docker0\n"
        "ip -n %1 addr add 172.18.0.1/16 dev br-897b3066eb8a\n"
        "for d in eth0 docker0 br-897b3066eb8a %4; do ip -n %1 link set $d up; done\n"
        "ip -n %1 route add default via 10.0.0.1\n"
        "ip -n %2 addr add 10.0.0.50/24 dev eth0\n"
        "ip -n %2 addr add 10.0.0.1/24 dev eth0\n"
        "ip -n %2 addr add 203.0.113.7/32 dev eth0\n"
        "ip -n %2 addr add 1.1.1.1/32 dev eth0\n"
        "ip -n %2 link set eth0 up\n"
        "ip -n %2 route add default via 10.0.0.10\n"
        "ip -n %3 addr add 172.18.0.2/16 dev eth0\n"
        "ip -n %3 link set eth0 up\n"
        "ip -n %3 route add default via 172.18.0.1\n")
                         .arg(h, l, w, kWebPort);
    if (m_ts) {
        script += QStringLiteral(
            "ip link add tailscale0 netns %1 type veth peer name eth0 netns %2\n"
            "ip -n %1 addr add 100.101.102.103/32 dev tailscale0\n"
            "ip -n %1 link set tailscale0 up\n"
            "ip -n %1 route add 100.64.0.0/10 dev tailscale0\n"
            "ip -n %2 addr add 100.64.10.20/10 dev eth0\n"
            "ip -n %2 link set eth0 up\n"
            "ip -n %2 route add default via 100.101.102.103\n")
                      .arg(h, m_ts->name());
    }
    const CommandResult wired = runProgram({ QStringLiteral("sh"), QStringLiteral("-ec"), script });
    if (!wired.ok())
        return fail(QStringLiteral("wiring the topology"), wired);
    for (const QString& dev : { QStringLiteral("eth0"), QStringLiteral("br-897b3066eb8a"), QStringLiteral("docker0"),
             QStringLiteral("tailscale0") }) {
        m_host->setSysctl(QStringLiteral("net.ipv4.conf.%1.rp_filter").arg(dev), QStringLiteral("0"));
        m_host->setSysctl(QStringLiteral("net.ipv4.conf.%1.send_redirects").arg(dev), QStringLiteral("0"));
    }
    return (m_options.family == Family::V4 || wire6()) && (!m_options.containers || wireContainers());
}

bool Topology::wireContainers()
{
    const QString script = QStringLiteral(
        "ip link add %3 netns %1 type veth peer name eth0 netns %2\n"
        "ip -n %1 link set %3 master br-897b3066eb8a\n"
        "ip -n %1 link set %3 up\n"
        "ip -n %2 addr add 172.18.0.3/16 dev eth0\n"
        "ip -n %2 link set eth0 up\n"
        "ip -n %2 route add default via 172.18.0.1\n"
        "ip link add %5 netns %1 type veth peer name eth0 netns %4\n"
        "ip -n %1 link set %5 master docker0\n"
        "ip -n %1 link set %5 up\n"
        "ip -n %4 addr add 172.17.0.2/16 dev eth0\n"
        "ip -n %4 link set eth0 up\n"
        "ip -n %4 route add default via 172.17.0.1\n")
                               .arg(m_host->name(), m_web2->name(), kWeb2Port, m_app->name(), kAppPort);
    const CommandResult wired = runProgram({ QStringLiteral("sh"), QStringLiteral("-ec"), script });
    if (!wired.ok())
        return fail(QStringLiteral("wiring the second containers"), wired);
    return true;
}

bool Topology::wire6()
{
    QString script = QStringLiteral(
        "ip -n %1 link set br-897b3066eb8a type bridge mcast_snooping 0\n"
        "ip -n %1 addr add %4/64 dev eth0 nodad\n"
        "ip -n %1 addr add %5/64 dev br-897b3066eb8a nodad\n"
        "ip -n %1 -6 route add default via %6 dev eth0\n"
        "ip -n %2 addr add %7/64 dev eth0 nodad\n"
        "ip -n %2 addr add %6/64 dev eth0 nodad\n"
        "ip -n %2 addr add %8/128 dev eth0 nodad\n"
        "ip -n %2 addr add %9/128 dev eth0 nodad\n"
        "ip -n %2 -6 route add default via %4 dev eth0\n"
        "ip -n %3 addr add %10/64 dev eth0 nodad\n"
        "ip -n %3 -6 route add default via %5 dev eth0\n")
                         .arg(m_host->name(), m_lan->name(), m_web->name(), QLatin1String(v6::kHost),
                             QLatin1String(v6::kBridge), QLatin1String(v6::kLanGateway), QLatin1String(v6::kLanClient),
                             QLatin1String(v6::kInternetClient), QLatin1String(v6::kServer))
                         .arg(QLatin1String(v6::kWeb));
    if (m_ts) {
        script += QStringLiteral(
            "ip -n %1 addr add %3/128 dev tailscale0 nodad\n"
            "ip -n %1 -6 route add fd7a:115c:a1e0::/48 dev tailscale0\n"
            "ip -n %2 addr add %4/48 dev eth0 nodad\n"
            "ip -n %2 -6 route add default via %3 dev eth0\n")
                      .arg(m_host->name(), m_ts->name(), QLatin1String(v6::kTailscale), QLatin1String(v6::kTsPeer));
    }
    const CommandResult wired = runProgram({ QStringLiteral("sh"), QStringLiteral("-ec"), script });
    if (!wired.ok())
        return fail(QStringLiteral("wiring the IPv6 topology"), wired);
    return true;
}

bool Topology::installHelpers()
{
    // Peers: a packet socket sees each probe first; raw PREROUTING then drops it so no stack answers.
    for (const Namespace* ns : { m_lan.get(), m_web.get(), m_ts.get(), m_web2.get(), m_app.get() }) {
        if (!ns)
            continue;
        ns->setSysctl(QStringLiteral("net.ipv4.conf.eth0.rp_filter"), QStringLiteral("0"));
        const CommandResult r = ns->run({ QStringLiteral("iptables-legacy"), QStringLiteral("-w"),
            QStringLiteral("-t"), QStringLiteral("raw"), QStringLiteral("-A"), QStringLiteral("PREROUTING"),
            QStringLiteral("-j"), QStringLiteral("DROP") });
        if (!r.ok())
            return fail(QStringLiteral("peer drop rule in ") + ns->name(), r);
        if (m_options.family == Family::V4)
            continue;
        // Neighbour discovery must still work, or the host could never hand a probe to this peer.
        const CommandResult r6 = ns->sh(QStringLiteral(
            "ip6tables-legacy -w -t raw -A PREROUTING -p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT\n"
            "ip6tables-legacy -w -t raw -A PREROUTING -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT\n"
            "ip6tables-legacy -w -t raw -A PREROUTING -j DROP\n"));
        if (!r6.ok())
            return fail(QStringLiteral("peer IPv6 drop rules in ") + ns->name(), r6);
    }
    return true;
}

bool Topology::armTracing()
{
    // The trace flag is set by the *other* backend's raw table, so the tables under test stay exactly
    // as loaded; registered after them, it runs first at the same priority.
    const Backend helper = m_options.backend == Backend::Nft ? Backend::Legacy : Backend::Nft;
    for (const char* chain : { "PREROUTING", "OUTPUT" }) {
        const CommandResult r = m_host->run({ iptablesProgram(helper, m_options.family), QStringLiteral("-w"),
            QStringLiteral("-t"), QStringLiteral("raw"), QStringLiteral("-A"), QString::fromLatin1(chain),
            QStringLiteral("-j"), QStringLiteral("TRACE") });
        if (!r.ok())
            return fail(QStringLiteral("trace helper"), r);
    }
    // nf_tables reports traces only while some nft rule sets the trace flag natively (a global switch);
    // this rule in the lan namespace matches nothing but turns that switch on.
    const CommandResult key = m_lan->run({ QStringLiteral("iptables-nft"), QStringLiteral("-w"),
        QStringLiteral("-t"), QStringLiteral("raw"), QStringLiteral("-A"), QStringLiteral("OUTPUT"),
        QStringLiteral("-d"), QStringLiteral("127.0.0.2/32"), QStringLiteral("-j"), QStringLiteral("TRACE") });
    if (!key.ok())
        return fail(QStringLiteral("nft trace switch"), key);
    return true;
}

bool Topology::loadIpsets(const QByteArray& rulesText, bool refill)
{
    QByteArray sets = ipsetState(rulesText);
    if (sets.isEmpty())
        return true;
    QStringList command { QStringLiteral("ipset"), QStringLiteral("restore") };
    if (refill) {
        // A set the previous ruleset made may still exist (rules no longer use it): keep it, empty it.
        static const QRegularExpression create(QStringLiteral("^(create (\\S+) .*)$"), QRegularExpression::MultilineOption);
        sets = QString::fromUtf8(sets).replace(create, QStringLiteral("\\1\nflush \\2")).toUtf8();
        command << QStringLiteral("-exist");
    }
    const CommandResult r = m_host->run(command, sets);
    return r.ok() || fail(QStringLiteral("ipset restore"), r);
}

bool Topology::load(const QByteArray& rulesText)
{
    if (!loadIpsets(rulesText, false))
        return false;
    const CommandResult r = m_host->restore(rulesText, m_options.backend, m_options.family);
    if (!r.ok())
        return fail(iptablesProgram(m_options.backend, m_options.family, QStringLiteral("-restore")), r);
    m_chains = chainsOf(rulesText);
    return true;
}

bool Topology::reload(const QByteArray& rulesText)
{
    // iptables-nft -X without a chain deletes the empty built-in chains too, and their hooks would come back
    // newer than the trace flag's: only the previous ruleset's own chains are deleted, by name.
    const QString program = iptablesProgram(m_options.backend, m_options.family);
    QString script;
    for (auto it = m_chains.cbegin(); it != m_chains.cend(); ++it) {
        script += QStringLiteral("%1 -w -t %2 -F\n").arg(program, it.key());
        for (const QString& chain : it.value()) {
            script += builtinChains(it.key()).contains(chain)
                ? QStringLiteral("%1 -w -t %2 -P %3 ACCEPT\n").arg(program, it.key(), chain)
                : QStringLiteral("%1 -w -t %2 -X %3\n").arg(program, it.key(), chain);
        }
    }
    const CommandResult cleared = script.isEmpty() ? CommandResult { 0, {}, {} } : m_host->sh(script);
    if (!cleared.ok())
        return fail(QStringLiteral("clearing the tables"), cleared);
    if (!loadIpsets(rulesText, true))
        return false;
    if (!flushConntrack(*m_host)) {
        m_error = QStringLiteral("cannot flush the conntrack table of ") + m_host->name();
        return false;
    }
    const CommandResult r = m_host->restore(rulesText, m_options.backend, m_options.family, true);
    if (!r.ok())
        return fail(iptablesProgram(m_options.backend, m_options.family, QStringLiteral("-restore")), r);
    m_chains = chainsOf(rulesText);
    return true;
}

bool Topology::applyCommands(const QStringList& commands)
{
    for (const QString& command : commands) {
        QStringList args = split(command);
        const QString program = m_options.family == Family::V4 ? QStringLiteral("iptables") : QStringLiteral("ip6tables");
        if (args.isEmpty() || args.first() != program) {
            m_error = QStringLiteral("not an %1 command: %2").arg(program, command);
            return false;
        }
        args.first() = iptablesProgram(m_options.backend, m_options.family);
        args.insert(1, QStringLiteral("-w"));
        const CommandResult r = m_host->run(args);
        if (!r.ok())
            return fail(command, r);
    }
    return true;
}

QByteArray Topology::savedRules() const
{
    return m_host->save(m_options.backend, m_options.family, false).out;
}

} // namespace ktest
