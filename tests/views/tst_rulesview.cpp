#include "model/rulesetmodel.h"
#include "model/snapshotbuilder.h"
#include "views/backgroundpool.h"
#include "views/highlighting.h"
#include "views/provenancecolours.h"
#include "views/rulesfilter.h"
#include "views/rulesview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPalette>
#include <QPlainTextEdit>
#include <QTest>
#include <QTextBlock>
#include <QThreadPool>
#include <QTreeView>

using model::RulesetModel;

namespace {

std::string fixture(const char* name)
{
    QFile file(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/") + QString::fromUtf8(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

model::SnapshotPtr dualStackSnapshot()
{
    std::vector<model::SourceRecord> sources;
    sources.push_back(model::makeSource(
        model::SourceKind::IptablesV4, "iptables-save", fixture("docker-28.x-b-usernet-portmap.rules")));
    sources.push_back(model::makeSource(
        model::SourceKind::IptablesV6, "ip6tables-save", fixture("docker-28.x-b-usernet-portmap.ip6.rules")));
    auto built = model::snapshotFromSources({}, std::move(sources), { true });
    return built ? built.value() : nullptr;
}

// A kube-proxy-like shape: many small chains, jumped to from one long one.
model::SnapshotPtr manyChainsSnapshot(int chains, int rulesEach)
{
    std::string text = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    for (int c = 0; c < chains; ++c)
        text += ":SVC-" + std::to_string(c) + " - [0:0]\n";
    for (int c = 0; c < chains; ++c)
        text += "-A INPUT -d 10.1." + std::to_string(c / 250) + "." + std::to_string(c % 250 + 1) + "/32 -j SVC-"
            + std::to_string(c) + "\n";
    for (int c = 0; c < chains; ++c) {
        for (int i = 0; i < rulesEach; ++i)
            text += "-A SVC-" + std::to_string(c) + " -p tcp -m tcp --dport " + std::to_string(1000 + i) + " -j ACCEPT\n";
    }
    text += "COMMIT\n";
    std::vector<model::SourceRecord> sources;
    sources.push_back(model::makeSource(model::SourceKind::IptablesV4, "iptables-save", std::move(text)));
    auto built = model::snapshotFromSources({}, std::move(sources), { true });
    return built ? built.value() : nullptr;
}

// Every visible rule row under the tree's root, depth first.
QList<QModelIndex> visibleRules(const QAbstractItemModel& model, const QModelIndex& parent = {})
{
    QList<QModelIndex> rules;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (RulesetModel::Kind(index.data(RulesetModel::KindRole).toInt()) == RulesetModel::Kind::Rule)
            rules << index;
        else
            rules << visibleRules(model, index);
    }
    return rules;
}

} // namespace

class TestRulesView final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void showsBothFamilies();
    void selectingARuleShowsItsSourceLine();
    void clickingASourceLineSelectsTheRule();
    void filtersByAuthorAndText();
    void dockerRowsAreTinted();
    void emptySnapshotSaysSo();
    void switchingBetweenSnapshotsKeepsTheFamily();
    void countersCanBeHidden();
    void findShortcutGoesToTheFilter();
    void closingWhilePreparingIsSafe();
    void largeRulesetFilteredAndUnfiltered();

private:
    model::SnapshotPtr m_snapshot;
    views::SyntaxSupport m_syntax { nullptr };
};

void TestRulesView::initTestCase()
{
    m_snapshot = dualStackSnapshot();
    QVERIFY(m_snapshot && m_snapshot->ipv4 && m_snapshot->ipv6);
}

void TestRulesView::showsBothFamilies()
{
    views::RulesView view(&m_syntax);
    view.setSnapshot(m_snapshot);
    QCOMPARE(view.family(), model::Family::IPv4);
    auto* family = view.findChild<QComboBox*>(QStringLiteral("RulesFamily"));
    QCOMPARE(family->count(), 2);
    QVERIFY(family->isEnabled());
    QCOMPARE(visibleRules(*view.tree()->model()).size(), int(m_snapshot->ipv4->ruleCount()));
    QVERIFY(view.summary().contains(QStringLiteral("%1 rules").arg(m_snapshot->ipv4->ruleCount())));

    QVERIFY(view.showFamily(model::Family::IPv6));
    QCOMPARE(view.family(), model::Family::IPv6);
    QCOMPARE(visibleRules(*view.tree()->model()).size(), int(m_snapshot->ipv6->ruleCount()));
    QCOMPARE(view.source()->toPlainText().toStdString(), m_snapshot->source(model::SourceKind::IptablesV6)->text);
}

void TestRulesView::selectingARuleShowsItsSourceLine()
{
    views::RulesView view(&m_syntax);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshot(m_snapshot);
    const QList<QModelIndex> rules = visibleRules(*view.tree()->model());
    QVERIFY(rules.size() > 10);
    for (const QModelIndex& rule : { rules.front(), rules.at(rules.size() / 2), rules.back() }) {
        view.tree()->setCurrentIndex(rule);
        const int line = rule.data(RulesetModel::LineRole).toInt();
        QCOMPARE(view.source()->textCursor().blockNumber() + 1, line);
        // The source pane shows the very line the rule was read from.
        QCOMPARE(view.source()->textCursor().block().text(), rule.data(RulesetModel::SearchTextRole).toString());
        QCOMPARE(view.source()->extraSelections().size(), 1);
        QCOMPARE(view.source()->extraSelections().front().cursor.blockNumber() + 1, line);
    }
}

void TestRulesView::clickingASourceLineSelectsTheRule()
{
    views::RulesView view(&m_syntax);
    view.setSnapshot(m_snapshot);
    const model::Chain& docker = *m_snapshot->ipv4->table("filter")->chain("DOCKER");
    const model::Rule& rule = docker.rules.back();
    QTextCursor cursor(view.source()->document()->findBlockByNumber(rule.line - 1));
    view.source()->setTextCursor(cursor);
    const QModelIndex current = view.tree()->currentIndex();
    QVERIFY(current.isValid());
    QCOMPARE(current.data(RulesetModel::LineRole).toInt(), rule.line);
    QCOMPARE(current.data(RulesetModel::ChainNameRole).toString(), QStringLiteral("DOCKER"));
}

void TestRulesView::filtersByAuthorAndText()
{
    views::RulesView view(&m_syntax);
    view.setSnapshot(m_snapshot);
    const int all = int(visibleRules(*view.tree()->model()).size());

    auto* author = view.findChild<QComboBox*>(QStringLiteral("RulesProvenance"));
    author->setCurrentIndex(author->findText(QStringLiteral("Docker")));
    const QList<QModelIndex> docker = visibleRules(*view.tree()->model());
    QVERIFY(!docker.isEmpty());
    QVERIFY(docker.size() <= all);
    for (const QModelIndex& rule : docker)
        QCOMPARE(rule.data(RulesetModel::ProvenanceRole).toInt(), int(model::Provenance::Docker));

    auto* text = view.findChild<QLineEdit*>(QStringLiteral("RulesTextFilter"));
    text->setText(QStringLiteral("--DPORT 80"));
    const QList<QModelIndex> port80 = visibleRules(*view.tree()->model());
    QVERIFY(!port80.isEmpty());
    QVERIFY(port80.size() < docker.size());
    for (const QModelIndex& rule : port80)
        QVERIFY(rule.data().toString().contains(QStringLiteral("--dport 80")));

    text->setText(QStringLiteral("no rule says this"));
    QCOMPARE(view.tree()->model()->rowCount(), 0);
    text->clear();
    author->setCurrentIndex(0);
    QCOMPARE(visibleRules(*view.tree()->model()).size(), all);
}

void TestRulesView::dockerRowsAreTinted()
{
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
    const QColor onLight = views::provenanceTint(model::Provenance::Docker, light);
    const QColor onDark = views::provenanceTint(model::Provenance::Docker, dark);
    QVERIFY(onLight.isValid() && onDark.isValid());
    QVERIFY(onLight != QColor(Qt::white));
    QVERIFY(onLight.lightness() > 200); // a tint, not a dark bar under dark text
    QVERIFY(onDark.lightness() < 100);
    QVERIFY(views::provenanceTint(model::Provenance::Docker, light)
        != views::provenanceTint(model::Provenance::Ufw, light));
    QVERIFY(!views::provenanceTint(model::Provenance::Unknown, light).isValid());
}

void TestRulesView::emptySnapshotSaysSo()
{
    views::RulesView view(&m_syntax);
    auto built = model::snapshotFromSources({}, {});
    QVERIFY(built);
    view.setSnapshot(built.value());
    QCOMPARE(view.tree()->model()->rowCount(), 0);
    QVERIFY(!view.family());
    QVERIFY(view.summary().contains(QStringLiteral("no iptables rules")));
}

void TestRulesView::switchingBetweenSnapshotsKeepsTheFamily()
{
    std::vector<model::SourceRecord> sources;
    sources.push_back(model::makeSource(
        model::SourceKind::IptablesV6, "ip6tables-save", fixture("docker-27.5.1-b-usernet-portmap.ip6.rules")));
    sources.push_back(model::makeSource(
        model::SourceKind::IptablesV4, "iptables-save", fixture("docker-27.5.1-b-usernet-portmap.rules")));
    auto before = model::snapshotFromSources({}, std::move(sources), { true });
    QVERIFY(before);

    views::RulesView view(&m_syntax);
    view.setSnapshots({ before.value(), m_snapshot }, { QStringLiteral("Before: 27"), QStringLiteral("After: 28") });
    auto* which = view.findChild<QComboBox*>(QStringLiteral("RulesSnapshot"));
    QVERIFY(which->isVisibleTo(&view));
    QCOMPARE(view.currentSnapshotIndex(), 1);
    QCOMPARE(view.currentSnapshot(), m_snapshot);
    QVERIFY(view.showFamily(model::Family::IPv6));

    which->setCurrentIndex(0);
    QCOMPARE(view.currentSnapshot(), before.value());
    QCOMPARE(view.family(), model::Family::IPv6);
    QCOMPARE(visibleRules(*view.tree()->model()).size(), int(before.value()->ipv6->ruleCount()));

    view.setSnapshot(m_snapshot);
    QVERIFY(!which->isVisibleTo(&view));
}

void TestRulesView::countersCanBeHidden()
{
    views::RulesView view(&m_syntax);
    view.setSnapshot(m_snapshot); // iptables-save output with [0:0] counters
    auto* counters = view.findChild<QCheckBox*>(QStringLiteral("RulesShowCounters"));
    QVERIFY(counters->isEnabled());
    QVERIFY(!view.tree()->isColumnHidden(RulesetModel::PacketsColumn));
    counters->setChecked(false);
    QVERIFY(view.tree()->isColumnHidden(RulesetModel::PacketsColumn));
    QVERIFY(view.tree()->isColumnHidden(RulesetModel::BytesColumn));
    counters->setChecked(true);
    QVERIFY(!view.tree()->isColumnHidden(RulesetModel::BytesColumn));

    // iptables -S has no counters at all: nothing to show, nothing to toggle.
    auto built = model::snapshotFromSources({},
        { model::makeSource(
            model::SourceKind::IptablesV4, "iptables -S", "-P INPUT ACCEPT\n-A INPUT -i lo -j ACCEPT\n") },
        { true });
    QVERIFY2(built, built ? "" : built.error().toString().c_str());
    view.setSnapshot(built.value());
    QVERIFY(!counters->isEnabled());
    QVERIFY(view.tree()->isColumnHidden(RulesetModel::PacketsColumn));
}

void TestRulesView::findShortcutGoesToTheFilter()
{
    views::RulesView view(&m_syntax);
    view.setSnapshot(m_snapshot);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.activateWindow();
    view.tree()->setFocus();
    QTRY_VERIFY(view.tree()->hasFocus());
    QTest::keySequence(view.tree(), QKeySequence::keyBindings(QKeySequence::Find).value(0));
    auto* filter = view.findChild<QLineEdit*>(QStringLiteral("RulesTextFilter"));
    QTRY_VERIFY(filter->hasFocus());
}

void TestRulesView::closingWhilePreparingIsSafe()
{
    const model::SnapshotPtr large = manyChainsSnapshot(3000, 2);
    QVERIFY(large && large->ipv4->ruleCount() == 9000);
    auto view = std::make_unique<views::RulesView>(&m_syntax);
    view->setSnapshot(large);
    QVERIFY(view->summary().startsWith(QStringLiteral("Preparing 9000 rules")));
    view.reset(); // the window closes while the unreachable rules are searched for
    QVERIFY(views::backgroundPool()->waitForDone(60000));
    QTest::qWait(50); // anything the finished job queued for the view is handled here
}

// Without a filter the tree shows the ruleset as it is (tables open, chains closed); a filter narrows it and
// clearing the filter brings every chain back, with the tree and the source pane still linked both ways.
void TestRulesView::largeRulesetFilteredAndUnfiltered()
{
    const model::SnapshotPtr large = manyChainsSnapshot(3000, 2);
    QVERIFY(large);
    views::RulesView view(&m_syntax);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshot(large);
    QTRY_VERIFY_WITH_TIMEOUT(view.summary().contains(QStringLiteral("3003 chains")), 30000);
    const auto table = [&view] { return view.tree()->model()->index(0, 0); };
    QCOMPARE(view.tree()->model()->rowCount(table()), 3003);
    QVERIFY(view.tree()->isExpanded(table()));
    QVERIFY(!view.tree()->isExpanded(view.tree()->model()->index(0, 0, table())));
    QVERIFY(!view.tree()->isColumnHidden(RulesetModel::PacketsColumn)); // the chains' [0:0]
    view.findChild<QCheckBox*>(QStringLiteral("RulesShowCounters"))->setChecked(false);
    QVERIFY(view.tree()->isColumnHidden(RulesetModel::PacketsColumn));

    auto* filter = view.findChild<QLineEdit*>(QStringLiteral("RulesTextFilter"));
    filter->setText(QStringLiteral("SVC-2999"));
    QTRY_COMPARE(view.tree()->model()->rowCount(table()), 2); // INPUT's jump and the chain itself
    QVERIFY(view.tree()->isExpanded(table()));
    QVERIFY(view.tree()->isColumnHidden(RulesetModel::PacketsColumn));
    filter->clear();
    QTRY_COMPARE(view.tree()->model()->rowCount(table()), 3003);
    QVERIFY(view.tree()->isExpanded(table()));
    QVERIFY(view.tree()->isColumnHidden(RulesetModel::PacketsColumn));

    // Linked both ways after the switches: a source line selects its rule, a rule shows its line.
    const model::Rule& rule = large->ipv4->table("filter")->chain("SVC-1500")->rules.back();
    view.source()->setTextCursor(QTextCursor(view.source()->document()->findBlockByNumber(rule.line - 1)));
    QCOMPARE(view.tree()->currentIndex().data(RulesetModel::LineRole).toInt(), rule.line);
    const QModelIndex first = view.tree()->model()->index(0, 0, view.tree()->model()->index(0, 0, table()));
    view.tree()->setCurrentIndex(first);
    QCOMPARE(view.source()->textCursor().blockNumber() + 1, first.data(RulesetModel::LineRole).toInt());
}

QTEST_MAIN(TestRulesView)
#include "tst_rulesview.moc"
