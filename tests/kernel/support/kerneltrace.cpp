#include "support/kerneltrace.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSet>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ktest {

namespace {

    QString key(const QString& table, const QString& chain)
    {
        return table + QLatin1Char('/') + chain;
    }

    bool isBuiltin(const QString& chain)
    {
        static const QSet<QString> builtins { QStringLiteral("PREROUTING"), QStringLiteral("INPUT"),
            QStringLiteral("FORWARD"), QStringLiteral("OUTPUT"), QStringLiteral("POSTROUTING") };
        return builtins.contains(chain);
    }

    // One nfnetlink_log configuration request; true when the kernel acknowledged it.
    bool nflogConfig(int fd, quint8 family, const QByteArray& attribute)
    {
        QByteArray msg(int(sizeof(nlmsghdr) + sizeof(nfgenmsg)), '\0');
        auto* nfg = reinterpret_cast<nfgenmsg*>(msg.data() + sizeof(nlmsghdr));
        nfg->nfgen_family = family;
        nfg->version = NFNETLINK_V0;
        nfg->res_id = htons(0);
        msg += attribute;
        auto* nlh = reinterpret_cast<nlmsghdr*>(msg.data());
        nlh->nlmsg_len = quint32(msg.size());
        nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        if (::send(fd, msg.constData(), size_t(msg.size()), 0) < 0)
            return false;
        char reply[4096];
        const ssize_t n = ::recv(fd, reply, sizeof reply, 0);
        if (n < ssize_t(sizeof(nlmsghdr) + sizeof(int)))
            return false;
        const auto* ack = reinterpret_cast<const nlmsghdr*>(reply);
        if (ack->nlmsg_type != NLMSG_ERROR)
            return true;
        int err = 0;
        std::memcpy(&err, reply + sizeof(nlmsghdr), sizeof err);
        return err == 0;
    }

    QByteArray attribute(quint16 type, const QByteArray& payload)
    {
        QByteArray out(4, '\0');
        const quint16 len = quint16(4 + payload.size());
        std::memcpy(out.data(), &len, 2);
        std::memcpy(out.data() + 2, &type, 2);
        out += payload;
        while (out.size() % 4)
            out += '\0';
        return out;
    }

} // namespace

QString TraceStep::display() const
{
    if (kind == Kind::Policy)
        return QStringLiteral("%1/%2 policy %3").arg(table, chain, verdict);
    if (kind == Kind::Return)
        return QStringLiteral("%1/%2 return").arg(table, chain);
    return QStringLiteral("%1/%2 #%3 %4: %5").arg(table, chain).arg(index).arg(verdict, text);
}

RulesetIndex::RulesetIndex(const QByteArray& saved)
{
    QString table;
    for (const QByteArray& raw : saved.split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(QLatin1Char('*'))) {
            table = line.mid(1);
        } else if (line.startsWith(QLatin1Char(':'))) {
            const QStringList parts = line.mid(1).split(QLatin1Char(' '));
            m_chains.insert(key(table, parts.value(0)));
            if (parts.value(1) != QLatin1String("-"))
                m_policies.insert(key(table, parts.value(0)), parts.value(1));
        } else if (line.startsWith(QLatin1String("-A "))) {
            m_rules[key(table, line.section(QLatin1Char(' '), 1, 1))].append(line);
        }
    }
}

int RulesetIndex::find(const QString& table, const QString& chain, const QString& text) const
{
    const int i = m_rules.value(key(table, chain)).indexOf(text.trimmed());
    return i < 0 ? -1 : i + 1;
}

QString RulesetIndex::ruleText(const QString& table, const QString& chain, int index) const
{
    return m_rules.value(key(table, chain)).value(index - 1);
}

QString RulesetIndex::policy(const QString& table, const QString& chain) const
{
    return m_policies.value(key(table, chain));
}

int RulesetIndex::ruleCount(const QString& table, const QString& chain) const
{
    return int(m_rules.value(key(table, chain)).size());
}

QString RulesetIndex::verdictOf(const QString& table, const QString& chain, int index) const
{
    static const QRegularExpression targetRe(QStringLiteral("(?:^| )-([jg]) (\\S+)"));
    const QString text = ruleText(table, chain, index);
    QString kind;
    QString target;
    auto it = targetRe.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        kind = m.captured(1);
        target = m.captured(2);
    }
    if (target.isEmpty())
        return QStringLiteral("CONTINUE");
    if (target == QLatin1String("ACCEPT") || target == QLatin1String("DROP") || target == QLatin1String("REJECT")
        || target == QLatin1String("RETURN"))
        return target;
    if (m_chains.contains(key(table, target)) && !isBuiltin(target))
        return kind == QLatin1String("g") ? QStringLiteral("GOTO") : QStringLiteral("JUMP");
    static const QSet<QString> natTargets { QStringLiteral("DNAT"), QStringLiteral("SNAT"),
        QStringLiteral("MASQUERADE"), QStringLiteral("REDIRECT") };
    if (natTargets.contains(target))
        return QStringLiteral("ACCEPT");
    return QStringLiteral("CONTINUE");
}

TraceReader::TraceReader(const Namespace& host, Backend backend, Family family)
    : m_host(host)
    , m_backend(backend)
    , m_family(family)
{
}

TraceReader::~TraceReader()
{
    if (m_monitor) {
        m_monitor->kill();
        m_monitor->waitForFinished(2000);
    }
    if (m_nflog >= 0)
        ::close(m_nflog);
}

bool TraceReader::start(QString* error)
{
    if (m_backend == Backend::Nft && m_family == Family::V6)
        return startNftNetlink(error);
    if (m_backend == Backend::Nft) {
        m_monitor = std::make_unique<QProcess>();
        m_monitor->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        // Line-buffered so that events arrive while the probes are still in flight.
        m_monitor->start(QStringLiteral("ip"),
            { QStringLiteral("netns"), QStringLiteral("exec"), m_host.name(), QStringLiteral("stdbuf"),
                QStringLiteral("-oL"), QStringLiteral("xtables-monitor"), QStringLiteral("--trace") });
        if (!m_monitor->waitForStarted(5000)) {
            *error = QStringLiteral("xtables-monitor: ") + m_monitor->errorString();
            return false;
        }
        return true;
    }
    // Legacy TRACE goes to the namespace's logger of the family; make that nfnetlink_log and read group 0.
    const bool v6 = m_family == Family::V6;
    if (!m_host.setSysctl(v6 ? QStringLiteral("net.netfilter.nf_log.10") : QStringLiteral("net.netfilter.nf_log.2"),
            QStringLiteral("nfnetlink_log"))) {
        *error = QStringLiteral("cannot bind nfnetlink_log as the logger of the family");
        return false;
    }
    m_nflog = m_host.openSocket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
    if (m_nflog < 0) {
        *error = QStringLiteral("netlink socket: ") + QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    int size = 4 << 20;
    ::setsockopt(m_nflog, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_nl local {};
    local.nl_family = AF_NETLINK;
    ::bind(m_nflog, reinterpret_cast<sockaddr*>(&local), sizeof local);
    const char bind = NFULNL_CFG_CMD_BIND;
    nfulnl_msg_config_mode mode {};
    mode.copy_range = htonl(128);
    mode.copy_mode = NFULNL_COPY_PACKET;
    if (!nflogConfig(m_nflog, v6 ? AF_INET6 : AF_INET, attribute(NFULA_CFG_CMD, QByteArray(&bind, 1)))
        || !nflogConfig(m_nflog, AF_UNSPEC,
            attribute(NFULA_CFG_MODE, QByteArray(reinterpret_cast<const char*>(&mode), sizeof mode)))) {
        *error = QStringLiteral("nfnetlink_log configuration refused");
        return false;
    }
    return true;
}

void TraceReader::poll(int waitMs)
{
    if (m_monitor) {
        if (m_monitor->bytesAvailable() == 0)
            m_monitor->waitForReadyRead(waitMs);
        m_pending += m_monitor->readAllStandardOutput();
        int nl;
        while ((nl = m_pending.indexOf('\n')) >= 0) {
            parseMonitorLine(m_pending.left(nl));
            m_pending.remove(0, nl + 1);
        }
        return;
    }
    if (m_nflog < 0)
        return;
    if (waitMs > 0) {
        timeval tv { 0, waitMs * 1000 };
        ::setsockopt(m_nflog, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    char buffer[65536];
    int flags = waitMs > 0 ? 0 : MSG_DONTWAIT;
    for (;;) {
        const ssize_t n = ::recv(m_nflog, buffer, sizeof buffer, flags);
        if (n <= 0)
            break;
        if (m_nftNetlink)
            parseNftTrace(QByteArray(buffer, int(n)));
        else
            parseNflog(QByteArray(buffer, int(n)));
        flags = MSG_DONTWAIT;
    }
}

void TraceReader::parseMonitorLine(const QByteArray& rawLine)
{
    const QString line = QString::fromUtf8(rawLine).trimmed();
    const QStringList words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.size() < 4)
        return;
    const QByteArray traceId = words.at(2).toLatin1();
    if (words.first() == QLatin1String("PACKET:")) {
        // Each base chain starts with a PACKET line (a new trace id per hook); it names the IP ID. An
        // answer of the host's stack may carry a probe's IP ID by chance: the packet's shape tells them apart.
        m_traceIds.remove(traceId);
        int flags = 0;
        int icmpType = -1;
        bool ports = false;
        quint16 ipId = 0;
        bool hasId = false;
        static const QHash<QString, int> flagBits { { QStringLiteral("FIN"), 0x01 }, { QStringLiteral("SYN"), 0x02 },
            { QStringLiteral("RST"), 0x04 }, { QStringLiteral("PSH"), 0x08 }, { QStringLiteral("ACK"), 0x10 },
            { QStringLiteral("URG"), 0x20 } };
        const QLatin1String idKey = m_family == Family::V6 ? QLatin1String("FLOWLBL=") : QLatin1String("ID=");
        for (const QString& w : words) {
            if (w.startsWith(idKey)) {
                ipId = quint16(w.mid(idKey.size()).toUInt());
                hasId = true;
            } else if (w.startsWith(QLatin1String("SPORT="))) {
                ports = true;
            } else if (w.startsWith(QLatin1String("TYPE="))) {
                icmpType = w.mid(5).toInt();
            } else {
                flags |= flagBits.value(w);
            }
        }
        const auto expected = m_expected.constFind(ipId);
        if (!hasId || expected == m_expected.constEnd())
            return;
        bool ours = false;
        if (expected->first == 6)
            ours = ports && flags == expected->second;
        else if (expected->first == 17)
            ours = ports && flags == 0;
        else
            ours = !ports && (icmpType < 0 || icmpType == expected->second);
        if (ours)
            m_traceIds.insert(traceId, ipId);
        return;
    }
    if (words.first() != QLatin1String("TRACE:") || !m_traceIds.contains(traceId))
        return;
    const QStringList spec = words.at(3).split(QLatin1Char(':'));
    if (spec.size() < 3)
        return;
    TraceStep step;
    step.table = spec.at(0);
    step.chain = spec.at(1);
    if (spec.at(2) == QLatin1String("policy")) {
        step.kind = TraceStep::Kind::Policy;
        step.verdict = spec.value(3);
    } else if (spec.at(2) == QLatin1String("return")) {
        step.kind = TraceStep::Kind::Return;
        step.verdict = QStringLiteral("RETURN");
    } else {
        // "-4 -t filter -A X ..." follows the spec; keep the iptables-save form.
        const int at = line.indexOf(QLatin1String(" -A "));
        step.text = at < 0 ? QString() : line.mid(at + 1);
        step.index = m_index ? m_index->find(step.table, step.chain, step.text) : -1;
        const QString verdict = spec.value(4);
        step.verdict = verdict == QLatin1String("0xfffffffb") ? QStringLiteral("RETURN") : verdict;
        if (m_index && step.index > 0)
            step.verdict = m_index->verdictOf(step.table, step.chain, step.index);
    }
    addStep(m_traceIds.value(traceId), step);
}

void TraceReader::parseNflog(const QByteArray& datagram)
{
    int off = 0;
    while (off + int(sizeof(nlmsghdr)) <= datagram.size()) {
        nlmsghdr nlh;
        std::memcpy(&nlh, datagram.constData() + off, sizeof nlh);
        if (nlh.nlmsg_len < sizeof(nlmsghdr) || off + int(nlh.nlmsg_len) > datagram.size())
            break;
        if (nlh.nlmsg_type == ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)) {
            QByteArray prefix;
            QByteArray payload;
            int a = off + int(NLMSG_HDRLEN + sizeof(nfgenmsg));
            const int end = off + int(nlh.nlmsg_len);
            while (a + 4 <= end) {
                quint16 alen;
                quint16 atype;
                std::memcpy(&alen, datagram.constData() + a, 2);
                std::memcpy(&atype, datagram.constData() + a + 2, 2);
                if (alen < 4 || a + alen > end)
                    break;
                const QByteArray value = datagram.mid(a + 4, alen - 4);
                if ((atype & 0x7fff) == NFULA_PREFIX)
                    prefix = value.left(value.indexOf('\0') < 0 ? value.size() : value.indexOf('\0'));
                else if ((atype & 0x7fff) == NFULA_PAYLOAD)
                    payload = value;
                a += (alen + 3) & ~3;
            }
            // "TRACE: table:chain:type:N "
            const QList<QByteArray> words = prefix.trimmed().split(' ');
            const bool v6 = m_family == Family::V6;
            if (words.size() >= 2 && words.first() == "TRACE:" && payload.size() >= (v6 ? 40 : 20)) {
                const QList<QByteArray> spec = words.at(1).split(':');
                // IPv4: the IP ID; IPv6: the low 16 bits of the flow label.
                const int idAt = v6 ? 2 : 4;
                const quint16 ipId = quint16((quint8(payload.at(idAt)) << 8) | quint8(payload.at(idAt + 1)));
                const quint8 proto = quint8(payload.at(v6 ? 6 : 9));
                const int ihl = v6 ? 40 : (quint8(payload.at(0)) & 15) * 4;
                int shape = -1;
                if (proto == 6 && payload.size() > ihl + 13)
                    shape = quint8(payload.at(ihl + 13));
                else if ((proto == 1 || proto == 58) && payload.size() > ihl)
                    shape = quint8(payload.at(ihl));
                const auto expected = m_expected.constFind(ipId);
                const bool ours = expected != m_expected.constEnd() && expected->first == proto
                    && (proto == 17 || expected->second == shape);
                if (spec.size() == 4 && ours) {
                    TraceStep step;
                    step.table = QString::fromLatin1(spec.at(0));
                    step.chain = QString::fromLatin1(spec.at(1));
                    const int n = spec.at(3).toInt();
                    if (spec.at(2) == "policy") {
                        step.kind = TraceStep::Kind::Policy;
                        step.verdict = m_index ? m_index->policy(step.table, step.chain) : QString();
                    } else if (spec.at(2) == "return") {
                        step.kind = TraceStep::Kind::Return;
                        step.index = n;
                        step.verdict = QStringLiteral("RETURN");
                    } else {
                        step.index = n;
                        if (m_index) {
                            step.text = m_index->ruleText(step.table, step.chain, n);
                            step.verdict = m_index->verdictOf(step.table, step.chain, n);
                        }
                    }
                    addStep(ipId, step);
                }
            }
        }
        off += int(NLMSG_ALIGN(nlh.nlmsg_len));
    }
}

void TraceReader::addStep(quint16 ipId, TraceStep step)
{
    m_steps[ipId].append(std::move(step));
}

QVector<TraceStep> TraceReader::take(quint16 ipId)
{
    return m_steps.take(ipId);
}

QString TraceReader::problem() const
{
    if (!m_problem.isEmpty())
        return m_problem;
    if (!m_monitor || m_monitor->state() == QProcess::Running)
        return {};
    return QStringLiteral("xtables-monitor exited (%1): %2")
        .arg(m_monitor->exitCode())
        .arg(QString::fromUtf8(m_monitor->readAllStandardError().right(500)));
}

void TraceReader::expect(quint16 ipId, quint8 proto, int shape)
{
    m_expected.insert(ipId, { proto, shape });
    m_steps.remove(ipId);
}

void TraceReader::clear()
{
    m_steps.clear();
    m_traceIds.clear();
    m_expected.clear();
}

const TraceStep* decidingStep(const QVector<TraceStep>& steps, bool delivered)
{
    auto terminal = [](const TraceStep& s) {
        if (s.kind == TraceStep::Kind::Policy)
            return true;
        return s.kind == TraceStep::Kind::Rule
            && (s.verdict == QLatin1String("ACCEPT") || s.verdict == QLatin1String("DROP")
                || s.verdict == QLatin1String("REJECT"));
    };
    for (auto it = steps.crbegin(); it != steps.crend(); ++it) {
        if (!terminal(*it))
            continue;
        if (!delivered && it->verdict != QLatin1String("ACCEPT"))
            return &*it;
        if (delivered && it->table == QLatin1String("filter"))
            return &*it;
    }
    if (!delivered)
        return nullptr;
    for (auto it = steps.crbegin(); it != steps.crend(); ++it) {
        if (terminal(*it) && it->kind == TraceStep::Kind::Rule && it->table != QLatin1String("nat"))
            return &*it;
    }
    for (auto it = steps.crbegin(); it != steps.crend(); ++it) {
        if (terminal(*it))
            return &*it;
    }
    return nullptr;
}

} // namespace ktest
