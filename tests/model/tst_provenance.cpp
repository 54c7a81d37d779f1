// Who wrote a rule: one row per producer and shape the user asks about ("which of these rules are Docker's?").

#include "model/parse/iptables.h"
#include "model/provenance.h"

#include <QTest>

using namespace model;

Q_DECLARE_METATYPE(Provenance)

class TestProvenance final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rules_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QString>("chains"); // extra user chains, space separated
        QTest::addColumn<QString>("rule");
        QTest::addColumn<Provenance>("expected");
        const auto row = [](const char* name, const char* table, const char* chains, const char* rule, Provenance p) {
            QTest::newRow(name) << QString::fromLatin1(table) << QString::fromLatin1(chains) << QString::fromLatin1(rule) << p;
        };
        row("docker chain", "filter", "DOCKER", "-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT",
            Provenance::Docker);
        row("jump to DOCKER-USER", "filter", "DOCKER-USER", "-A FORWARD -j DOCKER-USER", Provenance::Docker);
        row("user rule in DOCKER-USER", "filter", "DOCKER-USER", "-A DOCKER-USER -s 10.0.0.0/8 -j DROP", Provenance::Unknown);
        row("docker RETURN in DOCKER-USER", "filter", "DOCKER-USER", "-A DOCKER-USER -j RETURN", Provenance::Docker);
        row("docker masquerade", "nat", "", "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE", Provenance::Docker);
        row("user bridge", "filter", "", "-A FORWARD -o br-897b3066eb8a -j ACCEPT", Provenance::Docker);
        row("docker ipset", "filter", "DOCKER", "-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -j ACCEPT",
            Provenance::Docker);
        row("docker hairpin", "nat", "", "-A POSTROUTING -s 172.18.0.2/32 -d 172.18.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE",
            Provenance::Docker);
        row("tailscale chain", "filter", "ts-input", "-A ts-input -i tailscale0 -j ACCEPT", Provenance::Tailscale);
        row("tailscale mangle", "mangle", "",
            "-A PREROUTING -m conntrack --ctstate RELATED,ESTABLISHED -j CONNMARK --restore-mark --nfmask 0xff0000 --ctmask 0xff0000",
            Provenance::Tailscale);
        row("tailscale clamp", "mangle", "", "-A FORWARD -o tailscale0 -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
            Provenance::Tailscale);
        row("ufw", "filter", "ufw-before-input", "-A INPUT -j ufw-before-input", Provenance::Ufw);
        row("ufw6", "filter", "ufw6-user-input", "-A ufw6-user-input -p tcp -m tcp --dport 22 -j ACCEPT", Provenance::Ufw);
        row("firewalld zone goto", "filter", "INPUT_ZONES IN_public", "-A INPUT_ZONES -i eth0 -g IN_public", Provenance::Firewalld);
        row("firewalld direct", "filter", "INPUT_direct", "-A INPUT -j INPUT_direct", Provenance::Firewalld);
        row("kube-proxy chain", "nat", "KUBE-SERVICES", "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            Provenance::KubeProxy);
        row("kube-proxy comment", "filter", "", "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j ACCEPT",
            Provenance::KubeProxy);
        row("fail2ban", "filter", "f2b-sshd", "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd", Provenance::Fail2ban);
        row("oracle chain", "filter", "InstanceServices", "-A OUTPUT -d 169.254.0.0/16 -j InstanceServices", Provenance::CloudImage);
        row("azure wire server", "security", "", "-A OUTPUT -d 168.63.129.16/32 -p tcp -m owner --uid-owner 0 -j ACCEPT",
            Provenance::CloudImage);
        row("host rule", "filter", "", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", Provenance::Unknown);
        row("REJECT without an OCI image", "filter", "", "-A INPUT -j REJECT --reject-with icmp-host-prohibited", Provenance::Unknown);
    }
    void rules()
    {
        QFETCH(QString, table);
        QFETCH(QString, chains);
        QFETCH(QString, rule);
        QFETCH(Provenance, expected);
        std::string text = '*' + table.toStdString() + '\n';
        for (const char* c : { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" })
            if (isBuiltinChain(table.toStdString(), c))
                text += std::string(":") + c + " ACCEPT [0:0]\n";
        for (const QString& c : chains.split(QLatin1Char(' '), Qt::SkipEmptyParts))
            text += ':' + c.toStdString() + " - [0:0]\n";
        text += rule.toStdString() + "\nCOMMIT\n";
        const auto rs = parse::parseIptablesSave(text, Family::IPv4);
        QVERIFY2(rs.ok(), rs.ok() ? "" : rs.error().toString().c_str());
        const Rule* r = nullptr;
        for (const Chain& c : rs->tables[0].chains)
            if (!c.rules.empty())
                r = &c.rules[0];
        QVERIFY(r);
        QCOMPARE(r->provenance, expected);
        if (expected != Provenance::Unknown)
            QVERIFY(!r->provenanceReason.empty());
    }

    void chainNames_data()
    {
        QTest::addColumn<QString>("chain");
        QTest::addColumn<Provenance>("expected");
        QTest::newRow("DOCKER-ISOLATION-STAGE-1") << QStringLiteral("DOCKER-ISOLATION-STAGE-1") << Provenance::Docker;
        QTest::newRow("DOCKER-INGRESS") << QStringLiteral("DOCKER-INGRESS") << Provenance::Docker;
        QTest::newRow("ts-postrouting") << QStringLiteral("ts-postrouting") << Provenance::Tailscale;
        QTest::newRow("KUBE-SEP") << QStringLiteral("KUBE-SEP-ABCDEFGHIJKLMNOP") << Provenance::KubeProxy;
        QTest::newRow("FWDI_public_allow") << QStringLiteral("FWDI_public_allow") << Provenance::Firewalld;
        QTest::newRow("f2b-nginx") << QStringLiteral("f2b-nginx") << Provenance::Fail2ban;
        QTest::newRow("MYCHAIN") << QStringLiteral("MYCHAIN") << Provenance::Unknown;
        QTest::newRow("empty") << QString() << Provenance::Unknown;
    }
    void chainNames()
    {
        QFETCH(QString, chain);
        QFETCH(Provenance, expected);
        const auto d = chainProvenance(chain.toStdString());
        QCOMPARE(d.provenance, expected);
        QCOMPARE(d.reason.empty(), expected == Provenance::Unknown);
    }
};

QTEST_GUILESS_MAIN(TestProvenance)
#include "tst_provenance.moc"
