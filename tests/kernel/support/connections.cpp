#include "support/connections.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace ktest {

namespace {

    ProbeSpec tcp(Ingress from, const char* src, const char* dst, quint16 dport)
    {
        ProbeSpec p;
        p.from = from;
        p.header.src = QString::fromLatin1(src);
        p.header.dst = QString::fromLatin1(dst);
        p.header.proto = 6;
        p.header.dport = dport;
        p.header.tcpFlags = 0x02;
        return p;
    }

} // namespace

std::optional<ProbeSpec> namedFlow(const QString& id)
{
    static const QHash<QString, ProbeSpec> flows {
        { QStringLiteral("EXT-PUB"), tcp(Ingress::Lan, "203.0.113.7", "10.0.0.10", 8080) },
        { QStringLiteral("LAN-DIRECT-80"), tcp(Ingress::Lan, "10.0.0.50", "172.18.0.2", 80) },
        { QStringLiteral("LAN-DIRECT-22"), tcp(Ingress::Lan, "10.0.0.50", "172.18.0.2", 22) },
        { QStringLiteral("CTR-OUT"), tcp(Ingress::Web, "172.18.0.2", "1.1.1.1", 443) },
        { QStringLiteral("TS-PUB"), tcp(Ingress::Tailnet, "100.64.10.20", "100.101.102.103", 8080) },
        { QStringLiteral("TS-DIRECT-80"), tcp(Ingress::Tailnet, "100.64.10.20", "172.18.0.2", 80) },
        { QStringLiteral("TS-DIRECT-22"), tcp(Ingress::Tailnet, "100.64.10.20", "172.18.0.2", 22) },
        { QStringLiteral("CTR-TS"), tcp(Ingress::Web, "172.18.0.2", "100.64.10.20", 443) },
        { QStringLiteral("TS-EXIT"), tcp(Ingress::Tailnet, "100.64.10.20", "1.1.1.1", 443) },
        { QStringLiteral("TS-LAN"), tcp(Ingress::Tailnet, "100.64.10.20", "10.0.0.50", 443) },
    };
    const auto it = flows.constFind(id);
    if (it == flows.constEnd())
        return std::nullopt;
    return *it;
}

QVector<ConnectionResult> runConnections(Prober& prober, const QVector<ProbeSpec>& probes)
{
    QVector<ConnectionResult> out;
    QVector<ProbeSpec> firsts;
    for (ProbeSpec p : probes) {
        if (p.header.proto != 1 && p.header.sport == 0)
            p.header.sport = prober.freshPort();
        if (p.header.proto == 1 && p.header.sport == 0)
            p.header.sport = prober.freshPort(); // echo identifier
        firsts.append(p);
        ConnectionResult c;
        c.probe = p;
        out.append(c);
    }
    const QVector<KernelResult> firstResults = prober.run(firsts);
    QVector<ProbeSpec> replies;
    QVector<int> replyOf;
    for (int i = 0; i < out.size(); ++i) {
        out[i].first = firstResults.at(i);
        out[i].replyProbe = Prober::replyTo(out[i].probe, out[i].first);
        if (out[i].replyProbe) {
            replies.append(*out[i].replyProbe);
            replyOf.append(i);
        }
    }
    const QVector<KernelResult> replyResults = replies.isEmpty() ? QVector<KernelResult>() : prober.run(replies);
    for (int j = 0; j < replyResults.size(); ++j)
        out[replyOf.at(j)].reply = replyResults.at(j);
    for (ConnectionResult& c : out) {
        c.fate = c.first.fate;
        c.deciding = c.first.qualifiedDeciding();
        if (c.first.fate == KernelFate::Accept && c.reply && c.reply->fate != KernelFate::Accept) {
            // The client never hears back: a timeout, whatever stopped the reply.
            c.fate = KernelFate::Drop;
            c.deciding = QStringLiteral("reply ") + c.reply->qualifiedDeciding();
            c.decidedByReply = true;
        }
    }
    return out;
}

QByteArray readFixture(const QString& fileName)
{
    QFile file(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + fileName);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QByteArray withIpsets6(const QByteArray& rules)
{
    // Docker 28.0.0 makes the set (empty: no fixture network has IPv6).
    if (!rules.contains("docker-ext-bridges-v6"))
        return rules;
    return "#   create docker-ext-bridges-v6 hash:net family inet6 hashsize 1024 maxelem 65536 bucketsize 12\n" + rules;
}

QVector<FixtureCase> expectedCases(QString* error)
{
    const QByteArray text = readFixture(QStringLiteral("expected-verdicts.json"));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (doc.isNull()) {
        *error = QStringLiteral("expected-verdicts.json: ") + parseError.errorString();
        return {};
    }
    const QJsonObject overlays = doc.object().value(QStringLiteral("overlays")).toObject();
    const QJsonObject results = doc.object().value(QStringLiteral("results")).toObject();
    QVector<FixtureCase> cases;
    for (auto it = results.begin(); it != results.end(); ++it) {
        FixtureCase c;
        c.key = it.key();
        const QStringList parts = it.key().split(QStringLiteral(" +"));
        c.fixture = parts.first();
        if (parts.size() > 1) {
            const QJsonArray commands = overlays.value(parts.at(1)).toArray();
            if (commands.isEmpty()) {
                *error = QStringLiteral("unknown overlay ") + parts.at(1);
                return {};
            }
            for (const QJsonValue& v : commands)
                c.overlay << v.toString();
        }
        c.flows = it.value().toObject();
        cases.append(c);
    }
    return cases;
}

} // namespace ktest
