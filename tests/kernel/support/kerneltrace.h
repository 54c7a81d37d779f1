#pragma once

#include "support/netns.h"

#include <QByteArray>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QString>
#include <QVector>

#include <memory>

class QProcess;

// Reading the kernel's own account of a packet's path through the tables under test:
//  - nf_tables backend: `xtables-monitor --trace` in the host namespace;
//  - legacy backend: the "TRACE: table:chain:type:N" records over nfnetlink_log, read from a netlink
//    socket opened inside the host namespace.
// Events are keyed by the probe's IP ID (IPv6: its flow label), so many probes can be in flight at once.
namespace ktest {

struct TraceStep {
    enum class Kind { Rule, Policy, Return };
    Kind kind = Kind::Rule;
    QString table;
    QString chain;
    int index = 0; // 1-based rule number; 0 for a policy; -1 when the rule text was not found
    QString verdict; // ACCEPT, DROP, REJECT, JUMP, GOTO, RETURN, CONTINUE, or the policy
    QString text; // the rule as iptables-save prints it

    QString display() const; // "filter/FORWARD #3 ACCEPT: -A FORWARD ..." / "filter/FORWARD policy DROP"
};

// Rule numbers and targets of the ruleset as loaded (its iptables-save text).
class RulesetIndex final {
public:
    explicit RulesetIndex(const QByteArray& saved);
    // 1-based number of the rule with this text in table/chain; -1 if absent.
    int find(const QString& table, const QString& chain, const QString& text) const;
    QString ruleText(const QString& table, const QString& chain, int index) const;
    QString policy(const QString& table, const QString& chain) const;
    // ACCEPT/DROP/REJECT/RETURN/JUMP/GOTO/CONTINUE as the rule's target makes it act (nat targets: ACCEPT).
    QString verdictOf(const QString& table, const QString& chain, int index) const;
    int ruleCount(const QString& table, const QString& chain) const;

private:
    QMap<QString, QStringList> m_rules; // "table/chain" -> rule texts in order
    QMap<QString, QString> m_policies;
    QSet<QString> m_chains;
};

class TraceReader final {
public:
    TraceReader(const Namespace& host, Backend backend, Family family = Family::V4);
    ~TraceReader();
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;

    bool start(QString* error);
    // Announces a probe about to be sent: only its packet's events are recorded under its IP ID. shape is
    // the TCP flags or ICMP type (-1 for UDP): a packet the host sends in answer may carry the same ID.
    void expect(quint16 ipId, quint8 proto, int shape);
    // Reads what has arrived, waiting at most waitMs for more.
    void poll(int waitMs);
    // The ordered steps recorded for the packet with this IP ID (and clears them).
    QVector<TraceStep> take(quint16 ipId);
    // The rule numbers of the ruleset as loaded; call it again after every reload (nf_tables over IPv6: the
    // rule handles are read again too).
    void setIndex(std::shared_ptr<const RulesetIndex> index);
    // Forgets everything recorded so far.
    void clear();
    // Empty while the trace source works; else what went wrong (the monitor exited, its stderr).
    QString problem() const;

private:
    void parseMonitorLine(const QByteArray& line);
    void parseNflog(const QByteArray& datagram);
    // nf_tables over IPv6: xtables-monitor 1.8.9 exits on ip6 rules with port matches, so the trace
    // events are read from netlink directly and rule handles mapped to rule numbers (nfttrace.cpp).
    bool startNftNetlink(QString* error);
    bool readNftHandles();
    void parseNftTrace(const QByteArray& datagram);
    bool ours(quint16 ipId, quint8 proto, int shape) const;
    void addStep(quint16 ipId, TraceStep step);

    const Namespace& m_host;
    Backend m_backend;
    Family m_family;
    std::unique_ptr<QProcess> m_monitor;
    QByteArray m_pending;
    int m_nflog = -1; // the nfnetlink_log socket, or the nf_tables trace socket (m_nftNetlink)
    bool m_nftNetlink = false;
    QHash<QString, int> m_handles; // "table/chain/handle" -> 1-based rule number
    QHash<quint32, quint16> m_nftIds; // nf_tables trace id -> IP ID (flow label) of its packet
    QHash<QByteArray, quint16> m_traceIds; // xtables-monitor trace id -> IP ID of its packet
    QHash<quint16, QPair<quint8, int>> m_expected; // IP ID -> protocol and shape
    QHash<quint16, QVector<TraceStep>> m_steps;
    std::shared_ptr<const RulesetIndex> m_index;
    QString m_problem;
};

// What the trace says decided the packet: for a stopped packet the step it ended on; for a delivered
// one the filter table's last verdict, else the last ACCEPT rule outside nat, else the last verdict.
const TraceStep* decidingStep(const QVector<TraceStep>& steps, bool delivered);

} // namespace ktest
