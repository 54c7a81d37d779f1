#include "model/rulesdiffmodel.h"
#include "model/snapshotbuilder.h"
#include "model/snapshotfile.h"
#include "views/diffcolours.h"
#include "views/backgroundpool.h"
#include "views/diffpane.h"
#include "views/highlighting.h"
#include "views/rulesdiffview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTest>
#include <QThreadPool>
#include <QTextBlock>
#include <QThread>

using model::RulesDiffModel;
using LineDiff = RulesDiffModel::LineDiff;
using views::RulesDiffView;

namespace {

model::SnapshotPtr demo(const char* name)
{
    auto loaded
        = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromUtf8(name));
    return loaded ? loaded.value() : nullptr;
}

// 120 chains of 100 rules; the "after" one has one rule changed.
model::SnapshotPtr largeSnapshot(bool after)
{
    std::string text = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    for (int c = 0; c < 120; ++c)
        text += ":C" + std::to_string(c) + " - [0:0]\n";
    for (int c = 0; c < 120; ++c) {
        for (int i = 0; i < 100; ++i) {
            const int port = after && c == 60 && i == 50 ? 9999 : 1000 + i;
            text += "-A C" + std::to_string(c) + " -d 10.0." + std::to_string(c) + "." + std::to_string(i + 1)
                + "/32 -p tcp -m tcp --dport " + std::to_string(port) + " -j ACCEPT\n";
        }
    }
    text += "COMMIT\n";
    std::vector<model::SourceRecord> sources;
    sources.push_back(model::makeSource(model::SourceKind::IptablesV4, "iptables-save", std::move(text)));
    auto built = model::snapshotFromSources({}, std::move(sources), { true });
    return built ? built.value() : nullptr;
}

int cursorRow(const QPlainTextEdit* pane) { return pane->textCursor().blockNumber(); }

} // namespace

class TestRulesDiffView final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void panesShowTheAlignedRows();
    void selectingARowSelectsItsPartner();
    void movedRuleLinksToWhereItWent();
    void theLineBelowSaysWhatChangedWhereAndWhoWroteIt();
    void nextAndPreviousChangeWithTheKeyboard();
    void hideUnchangedChains();
    void provenanceFilter();
    void hideCounters();
    void linesAreColouredByHowTheyDiffer();
    void largePairsAreComparedOffTheGuiThread();
    void closingWhileComparingIsSafe();
    void anotherPairWhileComparingWins();
    void aRuleChosenWhileComparingIsSelectedWhenTheRowsArrive();

private:
    void open(RulesDiffView& view) const;
    model::SnapshotPtr m_before;
    model::SnapshotPtr m_after;
    views::SyntaxSupport m_syntax { nullptr };
};

void TestRulesDiffView::initTestCase()
{
    m_before = demo("before.chainsight.json");
    m_after = demo("after.chainsight.json");
    QVERIFY(m_before && m_after);
}

void TestRulesDiffView::open(RulesDiffView& view) const
{
    view.resize(1400, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshots(m_before, m_after, QStringLiteral("Before: before"), QStringLiteral("After: after"));
}

void TestRulesDiffView::panesShowTheAlignedRows()
{
    RulesDiffView view(&m_syntax);
    open(view);
    const RulesDiffModel* model = view.model();
    for (const auto side : { RulesDiffView::Before, RulesDiffView::After }) {
        const QPlainTextEdit* pane = view.pane(side);
        QCOMPARE(pane->blockCount(), model->rowCount());
        for (int row = 0; row < model->rowCount(); row += 7)
            QCOMPARE(pane->document()->findBlockByNumber(row).text(), model->text(row, side));
    }
    QVERIFY(view.summary().contains(QStringLiteral("added")));
    QVERIFY(view.findChild<QLabel*>(QStringLiteral("RulesDiffBeforeTitle"))->text().contains(QStringLiteral("before")));
}

void TestRulesDiffView::selectingARowSelectsItsPartner()
{
    RulesDiffView view(&m_syntax);
    open(view);
    const RulesDiffModel* model = view.model();
    int same = -1;
    for (int row = model->rowCount() - 1; row >= 0 && same < 0; --row) {
        if (model->lineDiff(row) == LineDiff::Same && model->text(row, 0).startsWith(QStringLiteral("-A")))
            same = row;
    }
    QVERIFY(same > 0);
    view.selectRow(same, RulesDiffView::After);
    QCOMPARE(cursorRow(view.pane(RulesDiffView::After)), same);
    QCOMPARE(cursorRow(view.pane(RulesDiffView::Before)), same);
    // The current line is marked in both panes.
    for (const auto side : { RulesDiffView::Before, RulesDiffView::After }) {
        QCOMPARE(view.pane(side)->extraSelections().size(), 1);
        QCOMPARE(view.pane(side)->extraSelections().front().cursor.blockNumber(), same);
    }
    // Clicking into the left pane moves the right one along.
    QPlainTextEdit* left = view.pane(RulesDiffView::Before);
    view.selectRow(same - 2);
    QCOMPARE(cursorRow(view.pane(RulesDiffView::After)), same - 2);
    const QRect line = left->cursorRect(QTextCursor(left->document()->findBlockByNumber(same)));
    QVERIFY(left->viewport()->rect().contains(line.center()));
    QTest::mouseClick(left->viewport(), Qt::LeftButton, {}, line.center());
    QCOMPARE(cursorRow(view.pane(RulesDiffView::After)), same);
}

void TestRulesDiffView::movedRuleLinksToWhereItWent()
{
    RulesDiffView view(&m_syntax);
    open(view);
    const RulesDiffModel* model = view.model();
    int moved = -1;
    for (int row = 0; row < model->rowCount() && moved < 0; ++row) {
        if (model->lineDiff(row) == LineDiff::Moved && !model->text(row, 0).isEmpty())
            moved = row;
    }
    QVERIFY(moved >= 0);
    view.selectRow(moved, RulesDiffView::Before);
    const int partner = cursorRow(view.pane(RulesDiffView::After));
    QVERIFY(partner != moved);
    QCOMPARE(partner, model->partnerRow(moved, RulesDiffModel::LeftColumn));
    const QString rule = model->text(moved, 0).section(QLatin1Char(' '), 2);
    QCOMPARE(view.pane(RulesDiffView::After)->textCursor().block().text().section(QLatin1Char(' '), 2), rule);
    // The panes stay aligned; the line below them says where the rule went.
    QCOMPARE(view.pane(RulesDiffView::After)->verticalScrollBar()->value(),
        view.pane(RulesDiffView::Before)->verticalScrollBar()->value());
    QVERIFY2(view.rowInfo().startsWith(QStringLiteral("Moved to filter/")), qPrintable(view.rowInfo()));
    // It names the line the other pane's gutter shows there (the rule's line in that dump), not the aligned row.
    const int otherLine = model->index(partner, RulesDiffModel::RightColumn).data(RulesDiffModel::SourceLineRole).toInt();
    QVERIFY(otherLine > 0);
    QVERIFY(otherLine != partner + 1);
    QVERIFY2(view.rowInfo().contains(QStringLiteral("(line %1 on the other side;").arg(otherLine)), qPrintable(view.rowInfo()));

    // Return follows the link: the partner comes into view in both panes.
    QPlainTextEdit* left = view.pane(RulesDiffView::Before);
    left->setFocus();
    QTest::keyClick(left, Qt::Key_Return);
    QPlainTextEdit* right = view.pane(RulesDiffView::After);
    QCOMPARE(cursorRow(right), partner);
    QVERIFY(right->viewport()->rect().contains(right->cursorRect().center()));
    QCOMPARE(right->verticalScrollBar()->value(), left->verticalScrollBar()->value());
    QVERIFY(view.rowInfo().startsWith(QStringLiteral("Moved here from filter/")));
}

void TestRulesDiffView::theLineBelowSaysWhatChangedWhereAndWhoWroteIt()
{
    RulesDiffView view(&m_syntax);
    open(view);
    const RulesDiffModel* model = view.model();
    int added = -1;
    for (int row = 0; row < model->rowCount() && added < 0; ++row) {
        if (model->lineDiff(row) == LineDiff::Added && model->text(row, 1).startsWith(QStringLiteral("-A DOCKER ")))
            added = row;
    }
    QVERIFY(added >= 0);
    view.selectRow(added, RulesDiffView::After);
    // "Added (only after) · filter/DOCKER, rule 2 · Docker: ...": a bare provenance reason read as nonsense.
    const QString info = view.rowInfo();
    QVERIFY2(info.startsWith(QStringLiteral("Added (only after) · filter/DOCKER, rule ")), qPrintable(info));
    QVERIFY2(info.contains(QStringLiteral(" · Docker: ")), qPrintable(info));
}

void TestRulesDiffView::nextAndPreviousChangeWithTheKeyboard()
{
    RulesDiffView view(&m_syntax);
    open(view);
    const int total = int(view.model()->changeStarts().size());
    QVERIFY(total >= 3);
    QCOMPARE(view.changeText(), QStringLiteral("Change 1 of %1").arg(total));
    QCOMPARE(view.currentRow(), view.model()->changeStarts().front());

    QPlainTextEdit* left = view.pane(RulesDiffView::Before);
    left->setFocus();
    QTest::keyClick(left, Qt::Key_F7);
    QCOMPARE(view.changeText(), QStringLiteral("Change 2 of %1").arg(total));
    QCOMPARE(view.currentRow(), view.model()->changeStarts()[1]);
    QTest::keyClick(left, Qt::Key_Down, Qt::AltModifier);
    QCOMPARE(view.changeText(), QStringLiteral("Change 3 of %1").arg(total));
    QTest::keyClick(left, Qt::Key_F7, Qt::ShiftModifier);
    QCOMPARE(view.changeText(), QStringLiteral("Change 2 of %1").arg(total));
    QTest::keyClick(left, Qt::Key_Up, Qt::AltModifier);
    QCOMPARE(view.changeText(), QStringLiteral("Change 1 of %1").arg(total));
    QTest::keyClick(left, Qt::Key_Up, Qt::AltModifier); // nothing before the first
    QCOMPARE(view.changeText(), QStringLiteral("Change 1 of %1").arg(total));
    for (int i = 0; i < total + 2; ++i)
        view.nextChange();
    QCOMPARE(view.changeText(), QStringLiteral("Change %1 of %1").arg(total));

    // On an unchanged line the label says how many there are.
    int same = 0;
    while (view.model()->lineDiff(same) != LineDiff::Same)
        ++same;
    view.selectRow(same);
    QCOMPARE(view.changeText(), QStringLiteral("%1 changes").arg(total));
}

void TestRulesDiffView::hideUnchangedChains()
{
    RulesDiffView view(&m_syntax);
    open(view);
    const int all = view.pane(RulesDiffView::Before)->blockCount();
    view.findChild<QCheckBox*>(QStringLiteral("RulesDiffHideUnchanged"))->setChecked(true);
    QVERIFY(view.pane(RulesDiffView::Before)->blockCount() < all);
    QCOMPARE(view.pane(RulesDiffView::After)->blockCount(), view.model()->rowCount());
    QCOMPARE(view.changeText(), QStringLiteral("Change 1 of %1").arg(view.model()->changeStarts().size()));
    view.findChild<QCheckBox*>(QStringLiteral("RulesDiffHideUnchanged"))->setChecked(false);
    QCOMPARE(view.pane(RulesDiffView::Before)->blockCount(), all);
}

void TestRulesDiffView::provenanceFilter()
{
    RulesDiffView view(&m_syntax);
    open(view);
    auto* authors = view.findChild<QComboBox*>(QStringLiteral("RulesDiffProvenance"));
    QCOMPARE(authors->count(), 6); // Anyone, Docker, Tailscale, UFW, Cloud image, Other
    const int all = view.model()->rowCount();
    authors->setCurrentText(QStringLiteral("Tailscale"));
    const QString text = view.pane(RulesDiffView::After)->toPlainText();
    QVERIFY(view.model()->rowCount() < all);
    QVERIFY(text.contains(QStringLiteral("ts-")));
    QVERIFY(!text.contains(QStringLiteral("-j DOCKER")));
    authors->setCurrentText(QStringLiteral("Docker"));
    QVERIFY(view.pane(RulesDiffView::After)->toPlainText().contains(QStringLiteral("DOCKER")));
    QVERIFY(!view.pane(RulesDiffView::After)->toPlainText().contains(QStringLiteral("ts-input")));
    authors->setCurrentText(QStringLiteral("Anyone"));
    QCOMPARE(view.model()->rowCount(), all);
}

void TestRulesDiffView::hideCounters()
{
    RulesDiffView view(&m_syntax);
    open(view);
    QVERIFY(view.pane(RulesDiffView::Before)->toPlainText().contains(QStringLiteral("[0:0]")));
    view.findChild<QCheckBox*>(QStringLiteral("RulesDiffShowCounters"))->setChecked(false);
    QVERIFY(!view.pane(RulesDiffView::Before)->toPlainText().contains(QStringLiteral("[0:0]")));
    QVERIFY(!view.pane(RulesDiffView::After)->toPlainText().contains(QStringLiteral("[0:0]")));
}

void TestRulesDiffView::linesAreColouredByHowTheyDiffer()
{
    RulesDiffView view(&m_syntax);
    open(view);
    const RulesDiffModel* model = view.model();
    int added = -1;
    int same = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (added < 0 && model->lineDiff(row) == LineDiff::Added && !model->text(row, 1).isEmpty())
            added = row;
        if (same < 0 && model->lineDiff(row) == LineDiff::Same)
            same = row;
    }
    QVERIFY(added >= 0 && same >= 0);
    const auto background = [&view](RulesDiffView::Side side, int row) {
        const auto* pane = qobject_cast<const views::DiffPane*>(view.pane(side));
        return pane ? pane->lineBackground(row) : QColor();
    };
    QCOMPARE(background(RulesDiffView::After, added), views::diffBackground(LineDiff::Added, false, view.palette()));
    QCOMPARE(background(RulesDiffView::Before, added), views::diffBackground(LineDiff::Added, true, view.palette()));
    QVERIFY(!background(RulesDiffView::After, same).isValid());
    // Added and removed are told apart in light and dark palettes alike.
    QPalette dark = view.palette();
    dark.setColor(QPalette::Base, QColor(0x1b, 0x1e, 0x20));
    for (const QPalette& palette : { view.palette(), dark }) {
        const QColor a = views::diffBackground(LineDiff::Added, false, palette);
        const QColor r = views::diffBackground(LineDiff::Removed, false, palette);
        QVERIFY(a != r);
        QVERIFY(std::abs(a.lightness() - palette.color(QPalette::Base).lightness()) < 60); // text stays readable
    }
}

void TestRulesDiffView::largePairsAreComparedOffTheGuiThread()
{
    const model::SnapshotPtr before = largeSnapshot(false);
    const model::SnapshotPtr after = largeSnapshot(true);
    QVERIFY(before && after);
    QVERIFY(before->ipv4->ruleCount() + after->ipv4->ruleCount() > RulesDiffView::MaxRulesComparedInline);
    RulesDiffView view(&m_syntax);
    view.setSnapshots(before, after, QStringLiteral("Before"), QStringLiteral("After"));
    QVERIFY(view.summary().startsWith(QStringLiteral("Comparing 12000 and 12000 rules")));
    QTRY_COMPARE_WITH_TIMEOUT(view.changeText(), QStringLiteral("Change 1 of 1"), 30000);
    QCOMPARE(view.model()->lineDiff(view.currentRow()), LineDiff::Changed);
    QVERIFY(view.pane(RulesDiffView::After)->textCursor().block().text().contains(QStringLiteral("9999")));
    // The rows and the panes' documents were made on a worker, not here.
    QVERIFY(view.preparedOn() && view.preparedOn() != QThread::currentThread());
    QCOMPARE(view.pane(RulesDiffView::Before)->document()->thread(), QThread::currentThread());
    QCOMPARE(view.pane(RulesDiffView::Before)->blockCount(), view.model()->rowCount());

    // Choosing the family shown already keeps the comparison.
    QVERIFY(view.showFamily(model::Family::IPv4));
    QCOMPARE(view.changeText(), QStringLiteral("Change 1 of 1"));

    // New options rebuild the rows on a worker too.
    view.findChild<QCheckBox*>(QStringLiteral("RulesDiffHideUnchanged"))->setChecked(true);
    QVERIFY(view.summary().startsWith(QStringLiteral("Preparing")));
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2 + 100, 30000); // *filter, :C60, its rules
    QTRY_COMPARE(view.pane(RulesDiffView::After)->blockCount(), 2 + 100);
    QVERIFY(view.model()->hideUnchangedChains());
    QVERIFY(view.pane(RulesDiffView::After)->toPlainText().contains(QStringLiteral("--dport 9999")));
}

void TestRulesDiffView::closingWhileComparingIsSafe()
{
    auto view = std::make_unique<RulesDiffView>(&m_syntax);
    view->setSnapshots(largeSnapshot(false), largeSnapshot(true), QStringLiteral("Before"), QStringLiteral("After"));
    QVERIFY(view->isPreparing());
    view.reset(); // the window closes while the comparison runs
    QVERIFY(views::backgroundPool()->waitForDone(60000));
    QTest::qWait(50); // anything the finished job queued for the view is handled here
}

void TestRulesDiffView::anotherPairWhileComparingWins()
{
    RulesDiffView view(&m_syntax);
    view.setSnapshots(largeSnapshot(false), largeSnapshot(true), QStringLiteral("Before"), QStringLiteral("After"));
    QVERIFY(view.isPreparing());
    view.setSnapshots(m_before, m_after, QStringLiteral("Before: demo"), QStringLiteral("After: demo"));
    QVERIFY(!view.isPreparing());
    const int rows = view.model()->rowCount();
    QVERIFY(rows > 0);
    QVERIFY(views::backgroundPool()->waitForDone(60000));
    QTest::qWait(50);
    // The stale comparison's result is dropped: the demo pair stays.
    QCOMPARE(view.model()->rowCount(), rows);
    QCOMPARE(view.pane(RulesDiffView::Before)->blockCount(), rows);
}

void TestRulesDiffView::aRuleChosenWhileComparingIsSelectedWhenTheRowsArrive()
{
    RulesDiffView view(&m_syntax);
    view.resize(1400, 800);
    view.setSnapshots(largeSnapshot(false), largeSnapshot(true), QStringLiteral("Before"), QStringLiteral("After"));
    QVERIFY(view.isPreparing());
    // Rule 8 of C10 is not the one change, where the view would go by itself.
    QVERIFY(view.selectRule(model::Family::IPv4, RulesDiffView::After, "filter", "C10", 7));
    QVERIFY(!view.selectRule(model::Family::IPv6, RulesDiffView::After, "filter", "C10", 7));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isPreparing(), 30000);
    const int row = view.model()->rowOfRule(RulesDiffView::After, "filter", "C10", 7);
    QVERIFY(row > 0);
    QCOMPARE(view.currentRow(), row);
    const QString line = view.pane(RulesDiffView::After)->textCursor().block().text();
    QVERIFY2(line.contains(QStringLiteral("-d 10.0.10.8/32")) && line.contains(QStringLiteral("--dport 1007")),
        qPrintable(line));

    // Once the rows are there, a choice is made at once.
    QVERIFY(view.selectRule(model::Family::IPv4, RulesDiffView::After, "filter", "C3", 0));
    QCOMPARE(view.currentRow(), view.model()->rowOfRule(RulesDiffView::After, "filter", "C3", 0));
}

QTEST_MAIN(TestRulesDiffView)
#include "tst_rulesdiffview.moc"
