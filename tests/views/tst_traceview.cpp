#include "model/engine/engine.h"
#include "model/parse/iptables.h"
#include "model/snapshotfile.h"
#include "views/traceform.h"
#include "views/traceview.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStyle>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

using views::TraceView;

namespace {

model::SnapshotPtr demo(const char* name)
{
    auto loaded
        = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromUtf8(name));
    return loaded ? loaded.value() : nullptr;
}

// The hop marked as deciding, as "table/chain verdict".
QString decidingHop(const QTreeWidget* hops)
{
    for (int i = 0; i < hops->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = hops->topLevelItem(i);
        if (item->text(3).contains(QStringLiteral("decides")))
            return item->text(1) + QLatin1Char(' ') + item->text(3).section(QLatin1Char(' '), 0, 0);
    }
    return {};
}

// One snapshot of a raw iptables-save text (no host facts).
model::SnapshotPtr rawSnapshot(const std::string& text)
{
    auto parsed = model::parse::parseIptablesSave(text, model::Family::IPv4);
    if (!parsed)
        return nullptr;
    auto snapshot = std::make_shared<model::Snapshot>();
    snapshot->ipv4 = std::make_shared<const model::Ruleset>(std::move(parsed).value());
    return snapshot;
}

// `rules` INPUT rules for other sources, then a coin toss: DROP or the ACCEPT policy.
std::string coinTossRuleset(int rules)
{
    std::string text = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    for (int i = 0; i < rules; ++i)
        text += "-A INPUT -s 10." + std::to_string(i / 250) + "." + std::to_string(i % 250)
            + ".1/32 -p tcp -m tcp --dport 22 -j ACCEPT\n";
    text += "-A INPUT -p tcp -m statistic --mode random --probability 0.50000000000 -j DROP\nCOMMIT\n";
    return text;
}

} // namespace

class TestTraceView final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void pickersComeFromTheSnapshots();
    void pickButtonsFitTheirTextAndTheirField();
    void directRoutingIsAcceptedBeforeAndDroppedAfter();
    void theSelectedHopShowsItsWholeRule();
    void aBadAddressIsExplained();
    void oneSnapshotShowsOneHopList();
    void aPublishedPortShowsTheRewrite();
    void everyPossiblePathIsShown();
    void aLargeRulesetCompilesOffTheGuiThread();

private:
    model::SnapshotPtr m_before;
    model::SnapshotPtr m_after;
};

void TestTraceView::initTestCase()
{
    m_before = demo("before.chainsight.json");
    m_after = demo("after.chainsight.json");
    QVERIFY(m_before && m_after);
}

void TestTraceView::pickersComeFromTheSnapshots()
{
    TraceView view;
    view.setSnapshots({ m_before, m_after }, { QStringLiteral("Before"), QStringLiteral("After") });
    auto* ingress = view.findChild<QComboBox*>(QStringLiteral("TraceIngress"));
    QStringList names;
    for (int i = 0; i < ingress->count(); ++i)
        names << ingress->itemText(i);
    for (const char* expected : { "eth0", "tailscale0", "docker0", "Local process" })
        QVERIFY2(names.contains(QString::fromUtf8(expected)), qPrintable(names.join(QLatin1Char(','))));
    QCOMPARE(ingress->currentText(), QStringLiteral("eth0"));

    // Containers and Docker networks by name.
    QVERIFY(view.form()->pickDestination(QStringLiteral("web")));
    QCOMPARE(view.findChild<QLineEdit*>(QStringLiteral("TraceDestination"))->text(), QStringLiteral("172.18.0.2"));
    QVERIFY(view.form()->pickSource(QStringLiteral("mynet")));
    QCOMPARE(view.findChild<QLineEdit*>(QStringLiteral("TraceSource"))->text(), QStringLiteral("172.18.0.1"));
    QVERIFY(!view.form()->pickSource(QStringLiteral("no-such-container")));
}

// "Pick" and its menu arrow side by side, the button level with the address field beside it.
void TestTraceView::pickButtonsFitTheirTextAndTheirField()
{
    TraceView view;
    view.resize(1280, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (const auto& [button, field] : { std::pair("TraceSourcePicker", "TraceSource"),
             std::pair("TraceDestinationPicker", "TraceDestination") }) {
        const auto* pick = view.findChild<QToolButton*>(QString::fromLatin1(button));
        const auto* edit = view.findChild<QLineEdit*>(QString::fromLatin1(field));
        QVERIFY(pick && edit);
        const int arrow = pick->style()->pixelMetric(QStyle::PM_MenuButtonIndicator, nullptr, pick);
        QVERIFY2(pick->width() >= pick->fontMetrics().horizontalAdvance(pick->text()) + 2 * arrow,
            qPrintable(QString::number(pick->width())));
        QVERIFY(std::abs(pick->height() - edit->height()) <= 1);
        QVERIFY(std::abs(pick->geometry().center().y() - edit->geometry().center().y()) <= 1);
    }
}

void TestTraceView::directRoutingIsAcceptedBeforeAndDroppedAfter()
{
    TraceView view;
    view.resize(1400, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshots({ m_before, m_after }, { QStringLiteral("Before"), QStringLiteral("After") });
    QCOMPARE(view.columnCount(), 2);
    QSignalSpy traced(&view, &TraceView::flowTraced);
    QVERIFY(view.form()->chooseIngress(QStringLiteral("tailscale0")));
    view.form()->setSource(QStringLiteral("100.64.10.20"));
    QVERIFY(view.form()->pickDestination(QStringLiteral("web")));
    view.form()->setDestinationPort(80);
    QTest::mouseClick(view.findChild<QPushButton*>(QStringLiteral("TraceButton")), Qt::LeftButton);
    QCOMPARE(traced.size(), 1);
    QCOMPARE(view.lastTrace().size(), 2);
    QCOMPARE(view.lastTrace()[0].flow.fate, model::engine::Fate::Accept);
    QCOMPARE(view.lastTrace()[1].flow.fate, model::engine::Fate::Drop);
    QCOMPARE(view.lastTrace()[1].flow.deciding.table, std::string("raw"));
    QCOMPARE(view.lastTrace()[1].flow.deciding.chain, std::string("PREROUTING"));

    QVERIFY2(view.fateText(0).startsWith(QStringLiteral("<b>ACCEPT</b>")), qPrintable(view.fateText(0)));
    QVERIFY2(view.fateText(0).contains(QStringLiteral("web")), qPrintable(view.fateText(0))); // the container
    QVERIFY2(view.fateText(1).startsWith(QStringLiteral("<b>DROP</b>")), qPrintable(view.fateText(1)));
    QVERIFY(view.fateText(1).contains(QStringLiteral("raw/PREROUTING")));
    QCOMPARE(decidingHop(view.hops(1)), QStringLiteral("raw/PREROUTING DROP"));
    // The before path goes all the way: through FORWARD, with the reply traced too.
    QVERIFY(view.hops(0)->topLevelItemCount() > view.hops(1)->topLevelItemCount());
    QVERIFY(!view.hops(0)->findItems(QStringLiteral("FORWARD"), Qt::MatchExactly, 0).isEmpty());
    QVERIFY(!view.hops(0)->findItems(QStringLiteral("Reply"), Qt::MatchStartsWith, 0).isEmpty());
}

// In a narrow window the Rule column is cut: the details line under the hops shows the selected hop's rule whole.
void TestTraceView::theSelectedHopShowsItsWholeRule()
{
    TraceView view;
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshots({ m_before, m_after }, { QStringLiteral("Before"), QStringLiteral("After") });
    QVERIFY(view.form()->chooseIngress(QStringLiteral("tailscale0")));
    view.form()->setSource(QStringLiteral("100.64.10.20"));
    QVERIFY(view.form()->pickDestination(QStringLiteral("web")));
    view.form()->setDestinationPort(80);
    view.trace();
    QTreeWidget* hops = view.hops(1);
    QTreeWidgetItem* deciding = nullptr;
    for (int i = 0; i < hops->topLevelItemCount() && !deciding; ++i)
        if (hops->topLevelItem(i)->text(3).contains(QStringLiteral("decides")))
            deciding = hops->topLevelItem(i);
    QVERIFY(deciding);
    const QString rule = deciding->text(4);
    QVERIFY2(rule.startsWith(QStringLiteral("-A PREROUTING")), qPrintable(rule));
    QCOMPARE(deciding->toolTip(4), rule);
    // Before any selection the details show the deciding hop.
    QVERIFY2(view.hopDetails(1).contains(rule), qPrintable(view.hopDetails(1)));
    hops->setCurrentItem(deciding);
    const QString details = view.hopDetails(1);
    QVERIFY2(details.contains(rule), qPrintable(details));
    QVERIFY2(details.startsWith(QStringLiteral("raw/PREROUTING rule ")), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral(", line ")), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral("DROP")), qPrintable(details));
    // The other side is untouched by this selection.
    QVERIFY(!view.hopDetails(0).contains(QStringLiteral("PREROUTING rule")));
    // Another hop selected: its rule replaces the deciding one.
    QTreeWidget* beforeHops = view.hops(0);
    QTreeWidgetItem* jump = beforeHops->topLevelItem(2);
    QCOMPARE(jump->text(1), QStringLiteral("filter/FORWARD"));
    beforeHops->setCurrentItem(jump);
    QVERIFY2(view.hopDetails(0).startsWith(QStringLiteral("filter/FORWARD rule 1, line ")), qPrintable(view.hopDetails(0)));
    QVERIFY(view.hopDetails(0).contains(jump->text(4)));
    auto* label = view.findChild<QLabel*>(QStringLiteral("TraceHopDetails"));
    QVERIFY(label && label->wordWrap() && (label->textInteractionFlags() & Qt::TextSelectableByMouse));
}

void TestTraceView::aBadAddressIsExplained()
{
    TraceView view;
    view.setSnapshots({ m_after }, { QStringLiteral("After") });
    QSignalSpy traced(&view, &TraceView::flowTraced);
    view.form()->setSource(QStringLiteral("100.64.10"));
    view.form()->setDestination(QStringLiteral("172.18.0.2"));
    view.trace();
    QCOMPARE(traced.size(), 0);
    QVERIFY(view.errorText().startsWith(QStringLiteral("From:")));
    view.form()->setSource(QStringLiteral("fd00::1"));
    view.trace();
    QVERIFY(view.errorText().contains(QStringLiteral("both be IPv4")));
}

void TestTraceView::oneSnapshotShowsOneHopList()
{
    TraceView view;
    view.setSnapshots({ m_after }, { QStringLiteral("After") });
    QCOMPARE(view.columnCount(), 1);
    QVERIFY(view.form()->chooseIngress(QStringLiteral("Local process")));
    view.form()->setSource(QStringLiteral("10.0.0.10"));
    view.form()->setDestination(QStringLiteral("1.1.1.1"));
    view.form()->setDestinationPort(443);
    view.trace();
    QCOMPARE(view.lastTrace().size(), 1);
    QVERIFY(view.lastTrace()[0].flow.original.packet.fromLocalProcess);
    QVERIFY(view.hops(0)->topLevelItemCount() > 0);
    QVERIFY(!view.hops(0)->findItems(QStringLiteral("OUTPUT"), Qt::MatchExactly, 0).isEmpty());
}

// From outside to the host's published port 8080: the DNAT hop says what the header became.
void TestTraceView::aPublishedPortShowsTheRewrite()
{
    TraceView view;
    view.setSnapshots({ m_after }, { QStringLiteral("After") });
    QVERIFY(view.form()->chooseIngress(QStringLiteral("eth0")));
    view.form()->setSource(QStringLiteral("203.0.113.7"));
    QVERIFY(view.form()->pickDestination(QStringLiteral("eth0"))); // the host's own address
    view.form()->setDestinationPort(8080);
    view.trace();
    QVERIFY2(view.errorText().isEmpty(), qPrintable(view.errorText()));
    const QTreeWidget* hops = view.hops(0);
    QString rewrite;
    for (int i = 0; i < hops->topLevelItemCount() && rewrite.isEmpty(); ++i) {
        if (hops->topLevelItem(i)->text(4).contains(QStringLiteral("DNAT")))
            rewrite = hops->topLevelItem(i)->text(5);
    }
    QVERIFY2(rewrite.contains(QStringLiteral("now tcp 203.0.113.7:40000 -> 172.18.0.2:80")), qPrintable(rewrite));
    QVERIFY2(view.fateText(0).contains(QStringLiteral("container web")), qPrintable(view.fateText(0)));
}

// A statistic match cannot be decided: both answers are followed and shown, each with its own deciding rule.
void TestTraceView::everyPossiblePathIsShown()
{
    TraceView view;
    view.setSnapshots({ rawSnapshot(coinTossRuleset(3)) }, { QStringLiteral("Host") });
    QVERIFY(view.form()->chooseIngress(QStringLiteral("Local process")));
    view.form()->setSource(QStringLiteral("127.0.0.1"));
    view.form()->setDestination(QStringLiteral("127.0.0.1"));
    view.form()->setDestinationPort(22);
    view.trace();
    QVERIFY2(view.errorText().isEmpty(), qPrintable(view.errorText()));
    QCOMPARE(view.lastTrace().size(), 1);
    QCOMPARE(view.lastTrace()[0].flow.fate, model::engine::Fate::Depends);
    QVERIFY2(view.fateText(0).contains(QStringLiteral("Several possible paths")), qPrintable(view.fateText(0)));
    const QTreeWidget* hops = view.hops(0);
    QStringList groups;
    int decided = 0;
    for (int i = 0; i < hops->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = hops->topLevelItem(i);
        if (!item->text(0).startsWith(QStringLiteral("Possible path")))
            continue;
        groups << item->text(0);
        QVERIFY(item->childCount() > 0);
        for (int c = 0; c < item->childCount(); ++c)
            decided += item->child(c)->text(3).contains(QStringLiteral("decides")) ? 1 : 0;
    }
    QCOMPARE(groups.size(), 2);
    QVERIFY2(groups[0].startsWith(QStringLiteral("Possible path 1 of 2: ")), qPrintable(groups[0]));
    QVERIFY2(groups.join(u' ').contains(QStringLiteral("DROP")) && groups.join(u' ').contains(QStringLiteral("ACCEPT")),
        qPrintable(groups.join(u'|')));
    QVERIFY2(groups.join(u' ').contains(QStringLiteral("statistic")), qPrintable(groups.join(u'|')));
    QCOMPARE(decided, 2); // the DROP rule on one path, the policy on the other
}

// Past MaxRulesCompiledInline rules the first trace compiles off the GUI thread and follows when done; the
// engines the analysis built are taken over instead when given.
void TestTraceView::aLargeRulesetCompilesOffTheGuiThread()
{
    const int rules = int(TraceView::MaxRulesCompiledInline) + 1000;
    const model::SnapshotPtr big = rawSnapshot(coinTossRuleset(rules));
    QVERIFY(big);
    TraceView view;
    view.setSnapshots({ big }, { QStringLiteral("Big") });
    QSignalSpy traced(&view, &TraceView::flowTraced);
    QVERIFY(view.form()->chooseIngress(QStringLiteral("Local process")));
    view.form()->setSource(QStringLiteral("127.0.0.1"));
    view.form()->setDestination(QStringLiteral("127.0.0.1"));
    view.form()->setDestinationPort(22);
    view.trace();
    QVERIFY(view.busy());
    QCOMPARE(traced.size(), 0);
    QVERIFY(view.errorText().isEmpty()); // "compiling" is not an error
    QTRY_COMPARE_WITH_TIMEOUT(traced.size(), 1, 30000);
    QVERIFY(!view.busy());
    QCOMPARE(view.lastTrace()[0].flow.fate, model::engine::Fate::Depends);
    // Later traces use the compiled engine at once.
    view.trace();
    QCOMPARE(traced.size(), 2);

    // Engines handed over (as the analysis does) are used at the first trace, with no compilation.
    TraceView other;
    other.setSnapshots({ big }, { QStringLiteral("Big") });
    other.setEngines({ big }, { model::engine::Engine::fromSnapshot(*big) });
    QSignalSpy otherTraced(&other, &TraceView::flowTraced);
    QVERIFY(other.form()->chooseIngress(QStringLiteral("Local process")));
    other.form()->setSource(QStringLiteral("10.0.0.1"));
    other.form()->setDestination(QStringLiteral("127.0.0.1"));
    other.form()->setDestinationPort(22);
    other.trace();
    QVERIFY(!other.busy());
    QCOMPARE(otherTraced.size(), 1);
    QCOMPARE(other.lastTrace().size(), 1);
    // Engines for other snapshots are refused.
    TraceView third;
    third.setSnapshots({ big }, { QStringLiteral("Big") });
    third.setEngines({ m_after }, { model::engine::Engine::fromSnapshot(*m_after) });
    QVERIFY(third.form()->chooseIngress(QStringLiteral("Local process")));
    third.form()->setSource(QStringLiteral("127.0.0.1"));
    third.form()->setDestination(QStringLiteral("127.0.0.1"));
    third.trace();
    QVERIFY(third.busy());
    QTRY_VERIFY_WITH_TIMEOUT(!third.busy(), 30000);
}

QTEST_MAIN(TestTraceView)
#include "tst_traceview.moc"
