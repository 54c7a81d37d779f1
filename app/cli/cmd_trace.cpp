// chainsight-cli trace: one packet (and, for a connection attempt, its reply) through a snapshot's rules.
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "app/cli/tracetext.h"
#include "model/engine/tracejson.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <iostream>

namespace cli {

using namespace model::engine;

namespace {

void addOptions(QCommandLineParser& p)
{
    p.setApplicationDescription(QStringLiteral(
        "Traces a packet through every hook and table of a snapshot's iptables rules and prints its path, its fate "
        "and the rule that decided it. A NEW packet is traced as a connection attempt: when it gets through, its "
        "reply is traced too, and the verdict is what the client sees."));
    p.addPositionalArgument(QStringLiteral("snapshot"), QStringLiteral("a *.chainsight.json, or a raw iptables-save file"));
    const std::initializer_list<std::pair<const char*, const char*>> valued {
        { "in", "the interface the packet arrives on (eth0, docker0, ...)" },
        { "src", "source address" },
        { "dst", "destination address" },
        { "proto", "tcp (default), udp, icmp, icmpv6 or a protocol number" },
        { "sport", "source port (default 40000)" },
        { "dport", "destination port" },
        { "state", "new (default), established, related, invalid or untracked" },
        { "tcp-flags", "TCP flags set, e.g. SYN or ACK,PSH (default SYN; SYN,ACK for replies)" },
        { "icmp-type", "ICMP type[/code] (default 8, echo request)" },
        { "mark", "the packet's initial nfmark" },
        { "connmark", "the connection's mark" },
        { "uid", "owner uid of the local socket (with --from-local)" },
        { "bridge-port", "the bridge port a bridged frame entered on (physdev-in)" },
        { "format", "text (default) or json" },
    };
    for (const auto& [name, help] : valued)
        p.addOption({ QString::fromLatin1(name), QString::fromLatin1(help), QString::fromLatin1(name) });
    p.addOption({ { QStringLiteral("from-local"), QStringLiteral("out-local") },
        QStringLiteral("the packet comes from a local process (OUTPUT path)") });
    p.addOption({ QStringLiteral("packet-only"), QStringLiteral("trace only this packet, not the reply to it") });
    p.addHelpOption();
}

bool number(const QCommandLineParser& p, const char* name, std::uint32_t max, std::uint32_t& out, QString& error)
{
    const QString key = QString::fromLatin1(name);
    if (!p.isSet(key))
        return true;
    bool ok = false;
    const QString text = p.value(key);
    const qulonglong v = text.startsWith(QLatin1String("0x")) ? text.mid(2).toULongLong(&ok, 16) : text.toULongLong(&ok);
    if (!ok || v > max) {
        error = QStringLiteral("--%1: not a number up to %2: %3").arg(key).arg(max).arg(text);
        return false;
    }
    out = static_cast<std::uint32_t>(v);
    return true;
}

bool headerFields(const QCommandLineParser& p, Packet& packet, QString& error)
{
    Header& h = packet.header;
    auto proto = protocolFromName(p.value(QStringLiteral("proto")).toStdString());
    if (p.isSet(QStringLiteral("proto")) && (!proto || *proto == 0)) {
        error = QStringLiteral("--proto: unknown protocol ") + p.value(QStringLiteral("proto"));
        return false;
    }
    h.protocol = proto && p.isSet(QStringLiteral("proto")) ? *proto : Proto::Tcp;
    std::uint32_t sport = 40000, dport = 0, mark = 0, connmark = 0;
    if (!number(p, "sport", 65535, sport, error) || !number(p, "dport", 65535, dport, error)
        || !number(p, "mark", 0xffffffffu, mark, error) || !number(p, "connmark", 0xffffffffu, connmark, error))
        return false;
    h.sport = static_cast<std::uint16_t>(sport);
    h.dport = static_cast<std::uint16_t>(dport);
    packet.mark = mark;
    packet.connmark = connmark;
    if (h.protocol == Proto::Icmp || h.protocol == Proto::Icmpv6) {
        const QStringList parts = p.value(QStringLiteral("icmp-type")).split(QLatin1Char('/'));
        h.icmpType = p.isSet(QStringLiteral("icmp-type")) ? parts.value(0).toInt() : (h.protocol == Proto::Icmp ? 8 : 128);
        h.icmpCode = parts.value(1).toInt();
    }
    if (p.isSet(QStringLiteral("tcp-flags"))) {
        auto flags = tcpFlagsFromText(p.value(QStringLiteral("tcp-flags")).toStdString());
        if (!flags) {
            error = QStringLiteral("--tcp-flags: unknown flag in ") + p.value(QStringLiteral("tcp-flags"));
            return false;
        }
        h.tcpFlags = *flags;
    }
    return true;
}

bool packetFrom(const QCommandLineParser& p, Packet& packet, QString& error)
{
    auto src = IpAddress::parse(p.value(QStringLiteral("src")).toStdString());
    auto dst = IpAddress::parse(p.value(QStringLiteral("dst")).toStdString());
    if (!src || !dst || src->family != dst->family) {
        error = QStringLiteral("--src and --dst must be addresses of one family");
        return false;
    }
    packet.header.src = *src;
    packet.header.dst = *dst;
    packet.family = dst->family;
    packet.fromLocalProcess = p.isSet(QStringLiteral("from-local"));
    packet.inInterface = p.value(QStringLiteral("in")).toStdString();
    if (packet.fromLocalProcess == !packet.inInterface.empty()) {
        error = QStringLiteral("give either --in <interface> or --from-local");
        return false;
    }
    packet.inBridgePort = p.value(QStringLiteral("bridge-port")).toStdString();
    if (p.isSet(QStringLiteral("state"))) {
        auto state = ctStateFromName(p.value(QStringLiteral("state")).toStdString());
        if (!state) {
            error = QStringLiteral("--state: one of new, established, related, invalid, untracked");
            return false;
        }
        packet.state = *state;
    }
    std::uint32_t uid = 0;
    if (!number(p, "uid", 0xffffffffu, uid, error))
        return false;
    if (p.isSet(QStringLiteral("uid")))
        packet.uid = uid;
    if (packet.state != CtState::New && !p.isSet(QStringLiteral("tcp-flags")))
        packet.header.tcpFlags = TcpFlag::Ack;
    return headerFields(p, packet, error);
}

} // namespace

int traceCommand(const QStringList& args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    addOptions(parser);
    if (const auto exit = parseCommandLine(parser, "trace", args, err))
        return *exit;
    const QString format = parser.isSet(QStringLiteral("format")) ? parser.value(QStringLiteral("format")) : QStringLiteral("text");
    Packet packet;
    QString error;
    if (parser.positionalArguments().size() != 1 || (format != QLatin1String("text") && format != QLatin1String("json"))
        || !packetFrom(parser, packet, error)) {
        err << "chainsight-cli trace: " << (error.isEmpty() ? QStringLiteral("bad arguments") : error) << '\n'
            << "usage: chainsight-cli trace <snapshot> (--in IFACE | --from-local) --src A --dst B [--proto P] "
               "[--sport N] [--dport N] [--state S] [--format text|json]\n";
        return 2;
    }
    const model::SnapshotPtr loaded = loadInput(parser.positionalArguments().front(), "trace", err);
    if (!loaded)
        return 2;
    const auto engine = Engine::fromSnapshot(*loaded);
    const bool flow = packet.state == CtState::New && !parser.isSet(QStringLiteral("packet-only"));
    if (flow) {
        const FlowResult r = engine->traceFlow(packet);
        if (format == QLatin1String("json"))
            std::cout << flowToJson(r, engine->host()).dump(2) << '\n';
        else
            std::cout << flowText(r, engine->host());
    } else {
        const TraceResult r = engine->trace(packet);
        if (format == QLatin1String("json"))
            std::cout << traceToJson(r, engine->host()).dump(2) << '\n';
        else
            std::cout << traceText(r, engine->host());
    }
    return std::cout.good() ? 0 : 2;
}

} // namespace cli
