#include "support/kerneltrace.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ktest {

namespace {

    quint32 be32(const QByteArray& v)
    {
        quint32 x = 0;
        if (v.size() >= 4)
            std::memcpy(&x, v.constData(), 4);
        return ntohl(x);
    }

    quint64 be64(const QByteArray& v)
    {
        quint64 x = 0;
        for (int i = 0; i < 8 && i < v.size(); ++i)
            x = (x << 8) | quint8(v.at(i));
        return x;
    }

    QString handleKey(const QString& table, const QString& chain, quint64 handle)
    {
        return table + QLatin1Char('/') + chain + QLatin1Char('/') + QString::number(handle);
    }

    // Netlink attributes of one message, from offset `at` to `end`.
    QHash<int, QByteArray> attributes(const QByteArray& data, int at, int end)
    {
        QHash<int, QByteArray> out;
        while (at + 4 <= end) {
            quint16 alen;
            quint16 atype;
            std::memcpy(&alen, data.constData() + at, 2);
            std::memcpy(&atype, data.constData() + at + 2, 2);
            if (alen < 4 || at + alen > end)
                break;
            out.insert(atype & NLA_TYPE_MASK, data.mid(at + 4, alen - 4));
            at += (alen + 3) & ~3;
        }
        return out;
    }

    QString text(const QByteArray& attribute)
    {
        const int nul = attribute.indexOf('\0');
        return QString::fromUtf8(nul < 0 ? attribute : attribute.left(nul));
    }

    // Rule handles of every ip6 table in rule order (a GETRULE dump lists them so): handle -> rule number.
    bool ruleNumbers(int fd, QHash<QString, int>& out)
    {
        QByteArray request(int(NLMSG_HDRLEN + sizeof(nfgenmsg)), '\0');
        auto* nlh = reinterpret_cast<nlmsghdr*>(request.data());
        nlh->nlmsg_len = quint32(request.size());
        nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        auto* nfg = reinterpret_cast<nfgenmsg*>(request.data() + NLMSG_HDRLEN);
        nfg->nfgen_family = AF_INET6;
        nfg->version = NFNETLINK_V0;
        if (::send(fd, request.constData(), size_t(request.size()), 0) < 0)
            return false;
        QHash<QString, int> counts;
        static char buffer[1 << 16];
        for (;;) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                return false;
            const QByteArray data(buffer, int(n));
            int off = 0;
            while (off + int(sizeof(nlmsghdr)) <= data.size()) {
                nlmsghdr h;
                std::memcpy(&h, data.constData() + off, sizeof h);
                if (h.nlmsg_len < sizeof(nlmsghdr) || off + int(h.nlmsg_len) > data.size())
                    return false;
                if (h.nlmsg_type == NLMSG_DONE)
                    return true;
                if (h.nlmsg_type == NLMSG_ERROR)
                    return false;
                const auto a = attributes(data, off + int(NLMSG_HDRLEN + sizeof(nfgenmsg)), off + int(h.nlmsg_len));
                const QString table = text(a.value(NFTA_RULE_TABLE));
                const QString chain = text(a.value(NFTA_RULE_CHAIN));
                out.insert(handleKey(table, chain, be64(a.value(NFTA_RULE_HANDLE))),
                    ++counts[table + QLatin1Char('/') + chain]);
                off += int(NLMSG_ALIGN(h.nlmsg_len));
            }
        }
    }

} // namespace

bool TraceReader::readNftHandles()
{
    m_handles.clear();
    const int dump = m_host.openSocket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
    const bool listed = dump >= 0 && ruleNumbers(dump, m_handles);
    if (dump >= 0)
        ::close(dump);
    return listed;
}

void TraceReader::setIndex(std::shared_ptr<const RulesetIndex> index)
{
    m_index = std::move(index);
    if (m_nftNetlink && !readNftHandles())
        m_problem = QStringLiteral("cannot list the ip6 nf_tables rules over netlink");
}

bool TraceReader::startNftNetlink(QString* error)
{
    if (!readNftHandles()) {
        *error = QStringLiteral("cannot list the ip6 nf_tables rules over netlink");
        return false;
    }
    m_nflog = m_host.openSocket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
    if (m_nflog < 0) {
        *error = QStringLiteral("netlink socket: ") + QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    m_nftNetlink = true;
    int size = 4 << 20;
    ::setsockopt(m_nflog, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_nl local {};
    local.nl_family = AF_NETLINK;
    ::bind(m_nflog, reinterpret_cast<sockaddr*>(&local), sizeof local);
    int group = NFNLGRP_NFTRACE;
    if (::setsockopt(m_nflog, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) {
        *error = QStringLiteral("joining the nf_tables trace group: ") + QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    return true;
}

bool TraceReader::ours(quint16 ipId, quint8 proto, int shape) const
{
    const auto expected = m_expected.constFind(ipId);
    return expected != m_expected.constEnd() && expected->first == proto
        && (proto == 17 || expected->second == shape);
}

void TraceReader::parseNftTrace(const QByteArray& datagram)
{
    int off = 0;
    while (off + int(sizeof(nlmsghdr)) <= datagram.size()) {
        nlmsghdr nlh;
        std::memcpy(&nlh, datagram.constData() + off, sizeof nlh);
        if (nlh.nlmsg_len < sizeof(nlmsghdr) || off + int(nlh.nlmsg_len) > datagram.size())
            break;
        if (nlh.nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE)) {
            const QHash<int, QByteArray> attrs
                = attributes(datagram, off + int(NLMSG_HDRLEN + sizeof(nfgenmsg)), off + int(nlh.nlmsg_len));
            const quint32 traceId = be32(attrs.value(NFTA_TRACE_ID));
            const QByteArray network = attrs.value(NFTA_TRACE_NETWORK_HEADER);
            if (network.size() >= 40) {
                // The first event of each base chain carries the headers: it names the packet.
                m_nftIds.remove(traceId);
                const quint16 ipId = quint16((quint8(network.at(2)) << 8) | quint8(network.at(3)));
                const quint8 proto = quint8(network.at(6));
                const QByteArray l4 = attrs.value(NFTA_TRACE_TRANSPORT_HEADER);
                int shape = -1;
                if (proto == 6 && l4.size() > 13)
                    shape = quint8(l4.at(13));
                else if (proto == 58 && !l4.isEmpty())
                    shape = quint8(l4.at(0));
                if (ours(ipId, proto, shape))
                    m_nftIds.insert(traceId, ipId);
            }
            if (m_nftIds.contains(traceId)) {
                TraceStep step;
                step.table = text(attrs.value(NFTA_TRACE_TABLE));
                step.chain = text(attrs.value(NFTA_TRACE_CHAIN));
                const quint32 type = be32(attrs.value(NFTA_TRACE_TYPE));
                if (type == NFT_TRACETYPE_POLICY) {
                    step.kind = TraceStep::Kind::Policy;
                    step.verdict = be32(attrs.value(NFTA_TRACE_POLICY)) == 1 ? QStringLiteral("ACCEPT")
                                                                             : QStringLiteral("DROP");
                } else if (type == NFT_TRACETYPE_RETURN || !attrs.contains(NFTA_TRACE_RULE_HANDLE)) {
                    // The end of a user chain: reported without a rule handle.
                    step.kind = TraceStep::Kind::Return;
                    step.verdict = QStringLiteral("RETURN");
                } else {
                    const quint64 handle = be64(attrs.value(NFTA_TRACE_RULE_HANDLE));
                    step.index = m_handles.value(handleKey(step.table, step.chain, handle), -1);
                    if (m_index && step.index > 0) {
                        step.text = m_index->ruleText(step.table, step.chain, step.index);
                        step.verdict = m_index->verdictOf(step.table, step.chain, step.index);
                    }
                }
                addStep(m_nftIds.value(traceId), step);
            }
        }
        off += int(NLMSG_ALIGN(nlh.nlmsg_len));
    }
}

} // namespace ktest
