// iptables -L reading: what was captured from the real tools (tests/model/data/list, both backends) must read
// back as the very rules iptables-save printed for the same ruleset; every -L variant, several tables, what -L
// cannot say, truncated and malformed input.

#include "model/parse/iptables.h"

#include <QFile>
#include <QTest>

#include <map>

using namespace model;
using namespace model::parse;

namespace {

std::string readData(const QString& name)
{
    const QString path = QStringLiteral(CHAINSIGHT_SOURCE_DIR "/tests/model/data/list/") + name;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    const QByteArray data = f.readAll();
    return std::string(data.constData(), static_cast<std::size_t>(data.size()));
}

// "-A" lines of an iptables-save dump, keyed by "table/chain".
std::map<std::string, std::vector<std::string>> saveRules(const std::string& text)
{
    std::map<std::string, std::vector<std::string>> out;
    std::string table;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        const std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        if (line.starts_with('*'))
            table = line.substr(1);
        else if (line.starts_with("-A "))
            out[table + '/' + line.substr(3, line.find(' ', 3) - 3)].push_back(line);
    }
    return out;
}

Ruleset parseOk(const std::string& text, Family family = Family::IPv4)
{
    auto result = parseIptablesList(text, family);
    if (!result)
        qFatal("unexpected parse error: %s", result.error().toString().c_str());
    return std::move(result).value();
}

// One -L rule line as iptables 1.8.9 lays it out without -v: target, prot, opt, source, destination, options.
std::string listLine(const char* target, const char* prot, const char* options, const char* src = "0.0.0.0/0",
    const char* dst = "0.0.0.0/0")
{
    return QString::asprintf("%-10s %-5s--  %-20s %-20s %s", target, prot, src, dst, options).toStdString();
}

std::string inChain(const std::string& rows, const char* chain = "INPUT")
{
    return std::string("Chain ") + chain + " (policy ACCEPT)\ntarget     prot opt source               destination\n"
        + rows + '\n';
}

bool hasNote(const Ruleset& rs, const char* needle)
{
    for (const auto& n : rs.notes)
        if (n.find(needle) != std::string::npos)
            return true;
    return false;
}

const Rule& onlyRule(const Ruleset& rs)
{
    if (rs.tables.size() != 1 || rs.tables[0].chains.size() != 1 || rs.tables[0].chains[0].rules.size() != 1)
        qFatal("expected exactly one rule");
    return rs.tables[0].chains[0].rules[0];
}

} // namespace

class TestIptablesList final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Every rule of the captured listing prints as the line iptables-save wrote for it, except the modules whose
    // -L form does not map back (those keep their text and are flagged).
    void captureAgreesWithSave_data()
    {
        QTest::addColumn<QString>("capture");
        QTest::addColumn<int>("family");
        QTest::addColumn<int>("rules");
        QTest::addColumn<QStringList>("undecodable");
        const QStringList v4 { QStringLiteral("-m time"), QStringLiteral("-m cgroup"), QStringLiteral("-m hashlimit"),
            QStringLiteral("-m connlimit"), QStringLiteral("-m string"), QStringLiteral("-m u32") };
        const QStringList v6 { QStringLiteral("-m frag"), QStringLiteral("-m ipv6header"), QStringLiteral("-m rt") };
        for (const char* backend : { "nft", "legacy" }) {
            QTest::addRow("ipv4-%s", backend)
                << QStringLiteral("options.%1").arg(QLatin1String(backend)) << 4 << 135 << v4;
            QTest::addRow("ipv6-%s", backend)
                << QStringLiteral("options6.%1").arg(QLatin1String(backend)) << 6 << 25 << v6;
        }
    }
    void captureAgreesWithSave()
    {
        QFETCH(QString, capture);
        QFETCH(int, family);
        QFETCH(int, rules);
        QFETCH(QStringList, undecodable);
        const auto rs = parseOk(
            readData(capture + QStringLiteral(".L-nvx-lines.txt")), family == 4 ? Family::IPv4 : Family::IPv6);
        auto expected = saveRules(readData(capture + QStringLiteral(".save.txt")));
        QCOMPARE(rs.ruleCount(), std::size_t(rules));
        int opaque = 0;
        for (const Table& t : rs.tables) {
            for (const Chain& c : t.chains) {
                const auto& lines = expected[t.name + '/' + c.name];
                QCOMPARE(c.rules.size(), lines.size());
                for (std::size_t i = 0; i < c.rules.size(); ++i) {
                    const Rule& r = c.rules[i];
                    QVERIFY(r.counters.has_value());
                    QCOMPARE(r.unknown & (UnknownInInterface | UnknownOutInterface | UnknownCounters), 0u);
                    if (r.unknown & UnknownMatches) {
                        ++opaque;
                        const bool known = std::any_of(undecodable.begin(), undecodable.end(),
                            [&](const QString& m) { return lines[i].find(m.toStdString()) != std::string::npos; });
                        QVERIFY2(known, lines[i].c_str());
                        QCOMPARE(r.matches.back().module, std::string(kUndecodedMatch));
                        QVERIFY(!r.matches.back().options.at(0).args.at(0).empty());
                        continue;
                    }
                    QCOMPARE(ruleText(r, c.name), lines[i]);
                }
            }
        }
        QCOMPARE(opaque, int(undecodable.size()));
    }

    // Without headers the tables are told apart by their chains and named from them; filter and security share
    // theirs, so filter is assumed and its rules say the table is not certain.
    void tablesWithoutHeadersAreInferred()
    {
        const auto rs = parseOk(readData(QStringLiteral("options.nft.L-nvx-lines.txt")));
        QCOMPARE(rs.tables.size(), std::size_t(4));
        QCOMPARE(rs.tables[0].name, std::string("raw"));
        QCOMPARE(rs.tables[1].name, std::string("mangle"));
        QCOMPARE(rs.tables[2].name, std::string("nat"));
        QCOMPARE(rs.tables[3].name, std::string("filter"));
        QCOMPARE(rs.tables[2].chains.back().name, std::string("DOCKER"));
        QCOMPARE(rs.tables[2].chains.back().rules.size(), std::size_t(4));
        QCOMPARE(rs.tables[2].chains[0].rules[0].unknown & UnknownTable, 0u);
        QVERIFY(rs.tables[3].chains[0].rules[0].unknown & UnknownTable);
        QVERIFY(hasNote(rs, "make it the nat table"));
        QVERIFY(hasNote(rs, "filter is assumed"));
        QCOMPARE(rs.tables[2].chains.back().provenance, Provenance::Docker);
        QCOMPARE(rs.tables[2].chains.back().rules[0].provenance, Provenance::Docker);
        QCOMPARE(rs.format, SourceFormat::IptablesL);
        QVERIFY(!rs.truncatedAtLine);
    }

    void variants_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("verbose");
        QTest::addColumn<quint64>("forwardPackets"); // FORWARD rule 1
        QTest::addColumn<quint64>("policyBytes"); // INPUT policy
        QTest::addColumn<bool>("approximate");
        QTest::newRow("-L -n") << QStringLiteral("counters.L-n.txt") << false << quint64(0) << quint64(0) << false;
        QTest::newRow("-L -n -x") << QStringLiteral("counters.L-nx-lines.txt") << false << quint64(0) << quint64(0)
                                  << false;
        QTest::newRow("-L -n --line-numbers")
            << QStringLiteral("counters.L-n-lines.txt") << false << quint64(0) << quint64(0) << false;
        QTest::newRow("-L -n -v") << QStringLiteral("counters.L-nv.txt") << true << quint64(12000000000)
                                  << quint64(99000000000) << true;
        QTest::newRow("-L -n -v --line-numbers") << QStringLiteral("counters.L-nv-lines.txt") << true
                                                 << quint64(12000000000) << quint64(99000000000) << true;
        QTest::newRow("-L -n -v -x") << QStringLiteral("counters.L-nvx.txt") << true << quint64(12345678901)
                                     << quint64(98765432100) << false;
    }
    void variants()
    {
        QFETCH(QString, file);
        QFETCH(bool, verbose);
        QFETCH(quint64, forwardPackets);
        QFETCH(quint64, policyBytes);
        QFETCH(bool, approximate);
        const auto rs = parseOk(readData(file));
        QCOMPARE(rs.tables.size(), std::size_t(1));
        const Table& t = rs.tables[0];
        QCOMPARE(t.name, std::string("filter"));
        QCOMPARE(t.chains.size(), std::size_t(4));
        QCOMPARE(t.chains[1].policy, std::string("DROP"));
        QVERIFY(!t.chains[3].builtin);
        const Rule& lo = t.chains[0].rules[0];
        const Rule& jump = t.chains[1].rules[0];
        const std::string any = verbose ? "" : " -i ? -o ?";
        QCOMPARE(ruleText(jump, "FORWARD"), "-A FORWARD" + any + " -j DOCKER-USER");
        QCOMPARE(ruleText(t.chains[0].rules[2], "INPUT"), "-A INPUT" + any + " -p tcp -m tcp --dport 22 -j ACCEPT");
        const std::uint32_t notSaid = UnknownInInterface | UnknownOutInterface | UnknownCounters;
        QCOMPARE(lo.unknown & notSaid, verbose ? 0u : notSaid);
        QCOMPARE(
            ruleText(lo, "INPUT"), std::string(verbose ? "-A INPUT -i lo -j ACCEPT" : "-A INPUT -i ? -o ? -j ACCEPT"));
        QCOMPARE(ruleText(t.chains[1].rules[1], "FORWARD"),
            std::string(verbose ? "-A FORWARD -o docker0 -j ACCEPT" : "-A FORWARD -i ? -o ? -j ACCEPT"));
        QCOMPARE(jump.counters.has_value(), verbose);
        QCOMPARE(t.chains[0].counters.has_value(), verbose);
        if (verbose) {
            QCOMPARE(jump.counters->packets, forwardPackets);
            QCOMPARE(t.chains[0].counters->bytes, policyBytes);
        }
        QCOMPARE(hasNote(rs, "approximate"), approximate);
    }

    // Each form the option column takes, as iptables 1.8.9 printed it, and the iptables-save text it stands for.
    void optionForms_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const std::string& line, const char* save) {
            QTest::newRow(name) << QString::fromStdString(line) << QString::fromLatin1(save);
        };
        row("tcp dpt", listLine("ACCEPT", "6", "tcp dpt:80"), "-p tcp -m tcp --dport 80 -j ACCEPT");
        row("tcp spts", listLine("ACCEPT", "6", "tcp spts:1000:2000"), "-p tcp -m tcp --sport 1000:2000 -j ACCEPT");
        row("tcp negated port", listLine("ACCEPT", "6", "tcp spt:!5 dpts:80:90"),
            "-p tcp -m tcp ! --sport 5 --dport 80:90 -j ACCEPT");
        row("tcp flags", listLine("ACCEPT", "6", "tcp dpt:22 flags:0x17/0x02"),
            "-p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT");
        row("tcp ! syn", listLine("ACCEPT", "6", "tcp flags:!0x17/0x02"),
            "-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT");
        row("udp dpt", listLine("ACCEPT", "17", "udp dpt:53"), "-p udp -m udp --dport 53 -j ACCEPT");
        row("multiport", listLine("ACCEPT", "6", "multiport dports 80,443"),
            "-p tcp -m multiport --dports 80,443 -j ACCEPT");
        row("multiport negated", listLine("ACCEPT", "6", "multiport dports  !80,443"),
            "-p tcp -m multiport ! --dports 80,443 -j ACCEPT");
        row("ctstate", listLine("ACCEPT", "0", "ctstate RELATED,ESTABLISHED"),
            "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        row("! ctstate", listLine("ACCEPT", "0", "! ctstate INVALID"), "-m conntrack ! --ctstate INVALID -j ACCEPT");
        row("state", listLine("ACCEPT", "0", "state NEW"), "-m state --state NEW -j ACCEPT");
        row("match-set", listLine("DOCKER", "0", "match-set docker-ext-bridges-v4 dst"),
            "-m set --match-set docker-ext-bridges-v4 dst -j DOCKER");
        row("! match-set", listLine("ACCEPT", "0", "! match-set s src,dst"),
            "-m set ! --match-set s src,dst -j ACCEPT");
        row("comment", listLine("ACCEPT", "0", "/* a simple comment */"),
            "-m comment --comment \"a simple comment\" -j ACCEPT");
        row("comment holding */", listLine("ACCEPT", "6", "tcp dpt:22 /* has */ inside */ ctstate NEW"),
            "-p tcp -m tcp --dport 22 -m comment --comment \"has */ inside\" -m conntrack --ctstate NEW -j ACCEPT");
        row("MARK or", listLine("MARK", "0", "MARK or 0x40000"), "-j MARK --set-xmark 0x40000/0x40000");
        row("MARK xset", listLine("MARK", "0", "MARK xset 0x40000/0xff0000"), "-j MARK --set-xmark 0x40000/0xff0000");
        row("MARK and", listLine("MARK", "0", "MARK and 0xff"), "-j MARK --set-xmark 0x0/0xffffff00");
        row("MARK set", listLine("MARK", "0", "MARK set 0x1"), "-j MARK --set-xmark 0x1/0xffffffff");
        row("mark match", listLine("MASQUERADE", "0", "mark match 0x40000/0xff0000"),
            "-m mark --mark 0x40000/0xff0000 -j MASQUERADE");
        row("mark match !", listLine("ACCEPT", "0", "mark match ! 0x1"), "-m mark ! --mark 0x1 -j ACCEPT");
        row("addrtype", listLine("DOCKER", "0", "ADDRTYPE match dst-type LOCAL", "0.0.0.0/0", "!127.0.0.0/8"),
            "! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER");
        row("addrtype negated", listLine("ACCEPT", "0", "ADDRTYPE match src-type LOCAL dst-type !LOCAL limit-in"),
            "-m addrtype --src-type LOCAL ! --dst-type LOCAL --limit-iface-in -j ACCEPT");
        row("reject-with", listLine("REJECT", "0", "reject-with icmp-port-unreachable"),
            "-j REJECT --reject-with icmp-port-unreachable");
        row("DNAT", listLine("DNAT", "6", "tcp dpt:8080 to:172.18.0.2:80"),
            "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80");
        row("SNAT", listLine("SNAT", "6", "to:1.2.3.4 random persistent"),
            "-p tcp -j SNAT --to-source 1.2.3.4 --random --persistent");
        row("masq ports", listLine("MASQUERADE", "6", "masq ports: 1024-65535", "172.19.0.0/16"),
            "-s 172.19.0.0/16 -p tcp -j MASQUERADE --to-ports 1024-65535");
        row("limit", listLine("LOG", "0", "limit: avg 3/min burst 10 LOG flags 0 level 4 prefix \"[UFW BLOCK] \""),
            "-m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix \"[UFW BLOCK] \"");
        row("limit default burst", listLine("ACCEPT", "0", "limit: avg 5/sec burst 5"),
            "-m limit --limit 5/sec -j ACCEPT");
        row("LOG flags", listLine("LOG", "0", "LOG flags 15 level 7 prefix \"x \""),
            "-j LOG --log-prefix \"x \" --log-level 7 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid");
        row("icmptype", listLine("ACCEPT", "1", "icmptype 8"), "-p icmp -m icmp --icmp-type 8 -j ACCEPT");
        row("icmptype code", listLine("ACCEPT", "1", "icmptype 3 code 4"), "-p icmp -m icmp --icmp-type 3/4 -j ACCEPT");
        row("icmp !type", listLine("ACCEPT", "1", "icmp !type 0"), "-p icmp -m icmp ! --icmp-type 0 -j ACCEPT");
        row("statistic", listLine("ACCEPT", "0", "statistic mode random probability 0.50000000000"),
            "-m statistic --mode random --probability 0.50000000000 -j ACCEPT");
        row("statistic nth", listLine("ACCEPT", "0", "statistic mode nth every 3 packet 1"),
            "-m statistic --mode nth --every 3 --packet 1 -j ACCEPT");
        row("recent",
            listLine(
                "DROP", "0", "recent: UPDATE seconds: 60 hit_count: 4 name: SSH side: source mask: 255.255.255.255"),
            "-m recent --update --seconds 60 --hitcount 4 --name SSH --mask 255.255.255.255 --rsource -j DROP");
        row("physdev", listLine("ACCEPT", "0", "PHYSDEV match --physdev-is-bridged"),
            "-m physdev --physdev-is-bridged -j ACCEPT");
        row("physdev negated", listLine("ACCEPT", "0", "PHYSDEV match --physdev-in eth0 ! --physdev-is-out"),
            "-m physdev --physdev-in eth0 ! --physdev-is-out -j ACCEPT");
        row("iprange",
            listLine("ACCEPT", "0", "source IP range 10.0.0.1-10.0.0.9 destination IP range ! 10.1.0.1-10.1.0.9"),
            "-m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.9 -j ACCEPT");
        row("owner", listLine("ACCEPT", "0", "owner UID match 0"), "-m owner --uid-owner 0 -j ACCEPT");
        row("owner negated", listLine("ACCEPT", "0", "! owner socket exists owner GID match 1000"),
            "-m owner ! --socket-exists --gid-owner 1000 -j ACCEPT");
        row("connmark match", listLine("ACCEPT", "0", "connmark match  0x1/0xff"),
            "-m connmark --mark 0x1/0xff -j ACCEPT");
        row("CONNMARK save", listLine("CONNMARK", "0", "CONNMARK save"),
            "-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff");
        row("CONNMARK save masks", listLine("CONNMARK", "0", "CONNMARK save nfmask 0xff ctmask ~0xf0"),
            "-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf0");
        row("CONNMARK restore mask", listLine("CONNMARK", "0", "CONNMARK restore mask 0xff"),
            "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff");
        row("CONNMARK set", listLine("CONNMARK", "0", "CONNMARK set 0x1"), "-j CONNMARK --set-xmark 0x1/0xffffffff");
        row("TCPMSS clamp", listLine("TCPMSS", "6", "tcp flags:0x06/0x02 TCPMSS clamp to PMTU"),
            "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu");
        row("TCPMSS set", listLine("TCPMSS", "6", "TCPMSS set 1400"), "-p tcp -j TCPMSS --set-mss 1400");
        row("CHECKSUM fill", listLine("CHECKSUM", "17", "udp dpt:68 CHECKSUM fill"),
            "-p udp -m udp --dport 68 -j CHECKSUM --checksum-fill");
        row("CT notrack", listLine("CT", "17", "udp dpt:5353 CT notrack"),
            "-p udp -m udp --dport 5353 -j CT --notrack");
        row("NOTRACK", listLine("CT", "0", "NOTRACK"), "-j NOTRACK");
        row("pkttype", listLine("DROP", "0", "PKTTYPE != unicast"), "-m pkttype ! --pkt-type unicast -j DROP");
        row("ttl", listLine("DROP", "0", "TTL match TTL > 5"), "-m ttl --ttl-gt 5 -j DROP");
        row("NFLOG", listLine("NFLOG", "0", "nflog-prefix \"a b\" nflog-group 2"),
            "-j NFLOG --nflog-prefix \"a b\" --nflog-group 2");
        row("redirect", listLine("REDIRECT", "6", "tcp dpt:9000 redir ports 9001"),
            "-p tcp -m tcp --dport 9000 -j REDIRECT --to-ports 9001");
        row("goto", listLine("ufw-user-input", "0", "[goto] "), "-g ufw-user-input");
        row("no target", listLine("", "6", ""), "-p tcp");
        row("negated addresses and protocol", listLine("DROP", "!17", "", "!10.0.0.0/8", "!192.168.1.1"),
            "! -s 10.0.0.0/8 ! -d 192.168.1.1/32 ! -p udp -j DROP");
        row("old protocol names", listLine("ACCEPT", "tcp", "tcp dpt:80"), "-p tcp -m tcp --dport 80 -j ACCEPT");
        row("protocol number", listLine("ACCEPT", "47", ""), "-p gre -j ACCEPT");
        row("all", listLine("ACCEPT", "all", ""), "-j ACCEPT");
    }
    void optionForms()
    {
        QFETCH(QString, line);
        QFETCH(QString, expected);
        const auto rs = parseOk(inChain(line.toStdString()));
        const Rule& r = onlyRule(rs);
        // Without -v the interfaces are unknown (printed as "-i ? -o ?"); the rows are about the option column.
        QCOMPARE(r.unknown & (UnknownInInterface | UnknownOutInterface), UnknownInInterface | UnknownOutInterface);
        Rule known = r;
        known.unknown &= ~(UnknownInInterface | UnknownOutInterface);
        QCOMPARE(QString::fromStdString(ruleText(known, "INPUT")), QStringLiteral("-A INPUT ") + expected);
        QCOMPARE(r.unknown & UnknownMatches, 0u);
        QCOMPARE(r.text, line.toStdString());
        QCOMPARE(r.line, 3);
    }

    // What -L prints but cannot be turned back into options is kept, verbatim, and flagged.
    void undecodableTextIsKept()
    {
        const auto rs = parseOk(inChain(listLine("ACCEPT", "6", "tcp dpt:80 TIME from 08:00:00 to 17:00:00 UTC")));
        const Rule& r = onlyRule(rs);
        QVERIFY(r.unknown & UnknownMatches);
        QCOMPARE(r.matches.size(), std::size_t(2));
        QCOMPARE(r.matches[0].module, std::string("tcp"));
        QCOMPARE(r.matches[1].module, std::string(kUndecodedMatch));
        QCOMPARE(r.matches[1].options.at(0).args.at(0), std::string("TIME from 08:00:00 to 17:00:00 UTC"));
        QVERIFY(ruleText(r, "INPUT").find("TIME from 08:00:00 to 17:00:00 UTC") != std::string::npos);
    }

    // A ruleset read from -L prints in iptables-save form: what -L said, and a "?" where it said nothing.
    void printsAsIptablesSave()
    {
        const std::string printed = printIptablesSave(parseOk(readData(QStringLiteral("counters.L-n.txt"))));
        QVERIFY(printed.find("*filter\n:INPUT ACCEPT\n:FORWARD DROP\n") != std::string::npos);
        QVERIFY(printed.find("\n-A INPUT -i ? -o ? -p tcp -m tcp --dport 22 -j ACCEPT\n") != std::string::npos);
        QVERIFY(printed.find("\n-A DOCKER-USER -i ? -o ? -j RETURN\nCOMMIT\n") != std::string::npos);
        const auto opaque = parseOk(inChain(listLine("ACCEPT", "0", "TIME from 08:00:00 to 17:00:00 UTC")));
        QCOMPARE(ruleText(onlyRule(opaque), "INPUT"),
            std::string("-A INPUT -i ? -o ? -m ? \"TIME from 08:00:00 to 17:00:00 UTC\" -j ACCEPT"));
    }

    void ip6tablesLayouts()
    {
        // iptables 1.8.9 prints an opt column for IPv6 too; older ip6tables leave it blank.
        const auto current = parseOk(readData(QStringLiteral("options6.nft.L-n.txt")), Family::IPv6);
        QCOMPARE(ruleText(current.tables.at(0).chains.at(0).rules.at(5), "INPUT"),
            std::string("-A INPUT -s fe80::/10 -d ff02::1/128 -i ? -o ? -j ACCEPT"));
        const std::string old = "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
                                " pkts bytes target     prot opt in     out     source               destination\n"
                                "    0     0 ACCEPT     all      lo     *       ::/0                 ::/0\n"
                                "    0     0 ACCEPT     ipv6-icmp    *      *       ::/0                 ::/0          "
                                "       ipv6-icmptype 128\n"
                                "    0     0 DROP       all      *      *      !2001:db8::/32        ::/0\n";
        const auto rs = parseOk(old, Family::IPv6);
        const auto& rules = rs.tables.at(0).chains.at(0).rules;
        QCOMPARE(ruleText(rules.at(0), "INPUT"), std::string("-A INPUT -i lo -j ACCEPT"));
        QCOMPARE(
            ruleText(rules.at(1), "INPUT"), std::string("-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT"));
        QCOMPARE(ruleText(rules.at(2), "INPUT"), std::string("-A INPUT ! -s 2001:db8::/32 -j DROP"));
    }

    void headersNameTables()
    {
        const std::string text
            = "$ sudo iptables -t nat -L -n\n"
              "Chain PREROUTING (policy ACCEPT)\ntarget     prot opt source               destination\n"
              "\n# Table: security\n"
              "Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\n"
              "\n# table mangle\n"
              "Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\n"
            + listLine("ACCEPT", "0", "") + "\n"
            + "\n# iptables -L -n -v\n"
              "Chain DOCKER (1 references)\n"
              " pkts bytes target     prot opt in     out     source               destination\n"
              "    0     0 DROP       0    --  !docker0 docker0  0.0.0.0/0            0.0.0.0/0\n";
        const auto rs = parseOk(text);
        QCOMPARE(rs.tables.size(), std::size_t(4));
        QCOMPARE(rs.tables[0].name, std::string("nat"));
        QCOMPARE(rs.tables[1].name, std::string("security"));
        QCOMPARE(rs.tables[2].name, std::string("mangle"));
        QCOMPARE(rs.tables[2].chains[0].rules[0].unknown & UnknownTable, 0u);
        QCOMPARE(rs.tables[3].name, std::string("filter"));
        QCOMPARE(ruleText(rs.tables[3].chains[0].rules[0], "DOCKER"),
            std::string("-A DOCKER ! -i docker0 -o docker0 -j DROP"));
        QVERIFY(rs.notes.empty());
    }

    void partialListingHasUnknownTable()
    {
        const auto rs = parseOk("Chain DOCKER (2 references)\n"
                                "target     prot opt source               destination\n"
            + listLine("ACCEPT", "6", "tcp dpt:80", "0.0.0.0/0", "172.17.0.2") + '\n');
        QCOMPARE(rs.tables.at(0).name, std::string());
        QVERIFY(onlyRule(rs).unknown & UnknownTable);
        QVERIFY(hasNote(rs, "do not tell which table"));
    }

    void nftWarningNamesBackend()
    {
        const auto rs = parseOk("# Warning: iptables-legacy tables present, use iptables-legacy to see them\n"
            + inChain(listLine("ACCEPT", "0", "")));
        QCOMPARE(rs.backend, Backend::NfTables);
        QVERIFY(hasNote(rs, "iptables-legacy tables present"));
    }

    void missingRuleNumbersAreNoted()
    {
        const std::string text
            = "Chain INPUT (policy ACCEPT)\nnum  target     prot opt source               destination\n"
              "1    ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0\n"
              "3    DROP       0    --  0.0.0.0/0            0.0.0.0/0\n";
        const auto rs = parseOk(text);
        QCOMPARE(rs.ruleCount(), std::size_t(2));
        QVERIFY(hasNote(rs, "missing rules"));
    }

    // A paste cut in the middle of a line keeps everything before the cut and says where it stopped.
    void truncation_data()
    {
        QTest::addColumn<int>("cutLine"); // 1-based line to cut inside
        QTest::addColumn<int>("keep"); // characters of that line kept
        QTest::addColumn<int>("rules");
        QTest::newRow("mid-rule, before destination") << 4 << 30 << 1;
        QTest::newRow("mid-rule, in the counters") << 17 << 3 << 5;
        QTest::newRow("mid-chain header") << 15 << 14 << 5;
    }
    void truncation()
    {
        QFETCH(int, cutLine);
        QFETCH(int, keep);
        QFETCH(int, rules);
        const std::string full = readData(QStringLiteral("counters.L-nv-lines.txt"));
        std::size_t pos = 0;
        for (int i = 1; i < cutLine; ++i)
            pos = full.find('\n', pos) + 1;
        const auto rs = parseOk(full.substr(0, pos + std::size_t(keep)));
        QCOMPARE(rs.truncatedAtLine, std::optional<int>(cutLine));
        QCOMPARE(rs.ruleCount(), std::size_t(rules));
        QVERIFY(hasNote(rs, "ends in the middle of line"));
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<int>("line");
        const QString header
            = QStringLiteral("Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\n");
        const QString rule = QString::fromStdString(listLine("ACCEPT", "0", "")) + QLatin1Char('\n');
        QTest::newRow("empty") << QString() << ErrorCode::Empty << 0;
        QTest::newRow("blank lines") << QStringLiteral("  \n\n\t\n") << ErrorCode::Empty << 0;
        QTest::newRow("NUL byte") << header + QStringLiteral("ACC") + QChar(0) + QStringLiteral("EPT\n")
                                  << ErrorCode::Binary << 3;
        QTest::newRow("not -L output") << QStringLiteral("hello world\n") << ErrorCode::UnknownFormat << 1;
        QTest::newRow("rule before any chain") << rule + header << ErrorCode::UnknownChain << 1;
        QTest::newRow("chain without parentheses")
            << QStringLiteral("Chain INPUT policy ACCEPT\n") << ErrorCode::Syntax << 1;
        QTest::newRow("bad policy") << QStringLiteral("Chain INPUT (policy maybe)\n") << ErrorCode::Syntax << 1;
        QTest::newRow("policy on a user chain")
            << QStringLiteral("Chain DOCKER (policy ACCEPT)\n") << ErrorCode::Syntax << 1;
        QTest::newRow("bad references") << QStringLiteral("Chain DOCKER (two references)\n") << ErrorCode::Syntax << 1;
        QTest::newRow("rule before column header")
            << QStringLiteral("Chain INPUT (policy ACCEPT)\n") + rule << ErrorCode::Syntax << 2;
        QTest::newRow("column header outside chain")
            << QStringLiteral("# x\ntarget prot opt source destination\n") << ErrorCode::Syntax << 2;
        QTest::newRow("missing destination")
            << header + QStringLiteral("ACCEPT     0    --  0.0.0.0/0\n") + rule << ErrorCode::Syntax << 3;
        QTest::newRow("missing opt column")
            << header + QStringLiteral("ACCEPT     0    0.0.0.0/0  0.0.0.0/0\n") << ErrorCode::Syntax << 3;
        QTest::newRow("bad counters") << QStringLiteral(
            "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
            " pkts bytes target     prot opt in     out     source               destination\n"
            "   x1     0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0\n")
                                      << ErrorCode::Syntax << 3;
        QTest::newRow("counter overflow")
            << QStringLiteral("Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
                              " pkts bytes target     prot opt in     out     source               destination\n"
                              "99999999999999999999999 0 ACCEPT 0 -- * * 0.0.0.0/0 0.0.0.0/0\n")
            << ErrorCode::Syntax << 3;
        QTest::newRow("bad rule number") << QStringLiteral("Chain INPUT (policy ACCEPT)\n"
                                                           "num  target     prot opt source               destination\n"
                                                           "x    ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0\n")
                                         << ErrorCode::Syntax << 3;
        QTest::newRow("bad address") << header + QStringLiteral("ACCEPT     0    --  0.0.0.0/0  \"quoted\"\n")
                                     << ErrorCode::Syntax << 3;
        QTest::newRow("unknown table") << QStringLiteral("*bogus\n") + header << ErrorCode::UnknownTable << 1;
        QTest::newRow("unknown table in command")
            << QStringLiteral("iptables -t foo -L -n\n") + header << ErrorCode::UnknownTable << 1;
        QTest::newRow("table header twice")
            << QStringLiteral("# Table: nat\n\n# Table: nat\n") << ErrorCode::DuplicateTable << 3;
        QString filter;
        for (const char* chain : { "INPUT", "FORWARD", "OUTPUT" })
            filter += QStringLiteral("Chain %1 (policy ACCEPT)\ntarget prot opt source destination\n")
                          .arg(QLatin1String(chain));
        QTest::newRow("same table twice without headers")
            << filter + QStringLiteral("\n") + filter << ErrorCode::DuplicateTable << 8;
        QTest::newRow("chain twice in a named table")
            << QStringLiteral("*filter\nChain DOCKER (1 references)\n\nChain DOCKER (1 references)\n")
            << ErrorCode::DuplicateChain << 4;
        QTest::newRow("chain foreign to the named table")
            << QStringLiteral("*raw\n") + header << ErrorCode::Syntax << 2;
        QTest::newRow("line too long") << header + QString(1100000, QLatin1Char('A')) + QStringLiteral("\n")
                                       << ErrorCode::LineTooLong << 3;
    }
    void malformed()
    {
        QFETCH(QString, text);
        QFETCH(ErrorCode, code);
        QFETCH(int, line);
        const QByteArray bytes = text.toUtf8();
        const auto result
            = parseIptablesList(std::string_view(bytes.constData(), std::size_t(bytes.size())), Family::IPv4);
        QVERIFY2(!result, "parsed although malformed");
        QCOMPARE(errorCodeName(result.error().code), errorCodeName(code));
        QCOMPARE(result.error().line, line);
        QVERIFY(!result.error().message.empty());
    }
};

QTEST_GUILESS_MAIN(TestIptablesList)
#include "tst_iptableslist.moc"
