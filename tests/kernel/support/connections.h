#pragma once

#include "support/prober.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

// Connection attempts as EXPECTED.md measures them: the first packet, and when it was delivered to a
// peer, the reply that peer's stack would send. What the client sees decides the verdict.
namespace ktest {

// The named flows of EXPECTED.md ("EXT-PUB", "TS-DIRECT-22", ...) as probes; nullopt for an unknown id.
std::optional<ProbeSpec> namedFlow(const QString& id);

struct ConnectionResult {
    ProbeSpec probe;
    KernelResult first;
    std::optional<ProbeSpec> replyProbe;
    std::optional<KernelResult> reply;
    KernelFate fate = KernelFate::Drop;
    QString deciding; // as expected-verdicts.json writes it
    bool decidedByReply = false;
};

// Runs the first packets as one batch, then the replies of the delivered ones as a second batch.
QVector<ConnectionResult> runConnections(Prober& prober, const QVector<ProbeSpec>& probes);

// expected-verdicts.json: "<fixture>.rules[ +overlay.json]" -> its fixture text and overlay commands.
struct FixtureCase {
    QString key;
    QString fixture; // file name in the fixtures directory
    QStringList overlay; // iptables commands applied after loading
    QJsonObject flows; // flow id -> { verdict, deciding_rule, ... }
    bool tailscale() const { return fixture.contains(QLatin1String("-c-")); }
};
QVector<FixtureCase> expectedCases(QString* error);
QByteArray readFixture(const QString& fileName);
// An .ip6.rules fixture that names the docker-ext-bridges-v6 set, with the set declared (the fixtures record
// only the IPv4 set's state); other texts unchanged.
QByteArray withIpsets6(const QByteArray& rules);

} // namespace ktest
