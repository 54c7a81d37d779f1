#include "views/rulesdiffview.h"

#include "model/rulesdiffmodel.h"
#include "views/diffcolours.h"
#include "views/diffpane.h"
#include "views/futuredelivery.h"
#include "views/highlighting.h"
#include "views/plaindocument.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>

namespace views {

using model::RulesDiffModel;
using LineDiff = RulesDiffModel::LineDiff;

namespace {

    struct AuthorChoice {
        const char* label;
        std::set<model::Provenance> authors;
    };

    // The groups a user thinks in; firewalld, kube-proxy and fail2ban are rare on Docker hosts and go with "Other".
    std::vector<AuthorChoice> authorChoices()
    {
        using model::Provenance;
        return {
            { "Anyone", {} },
            { "Docker", { Provenance::Docker } },
            { "Tailscale", { Provenance::Tailscale } },
            { "UFW", { Provenance::Ufw } },
            { "Cloud image", { Provenance::CloudImage } },
            { "Other", { Provenance::Unknown, Provenance::Firewalld, Provenance::KubeProxy, Provenance::Fail2ban } },
        };
    }

    constexpr int ContextLines = 4;

    model::RulesetPtr rulesetOf(const model::SnapshotPtr& snapshot, model::Family family)
    {
        if (!snapshot)
            return nullptr;
        return family == model::Family::IPv4 ? snapshot->ipv4 : snapshot->ipv6;
    }

} // namespace

RulesDiffView::RulesDiffView(const SyntaxSupport* syntax, QWidget* parent)
    : QWidget(parent)
    , m_syntax(syntax)
    , m_model(new RulesDiffModel(this))
{
    setObjectName(QStringLiteral("RulesDiffView"));
    setMinimumSize(320, 240); // not the toolbar's full width: the window may be narrower
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildToolbar());
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("RulesDiffSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setContentsMargins(8, 0, 8, 0);
    layout->addWidget(m_summary);
    buildPanes();
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    for (int side = 0; side < 2; ++side) {
        auto* column = new QWidget(splitter);
        auto* columnLayout = new QVBoxLayout(column);
        columnLayout->setContentsMargins(0, 0, 0, 0);
        columnLayout->setSpacing(2);
        m_titles[side] = new QLabel(column);
        m_titles[side]->setObjectName(
            side == Before ? QStringLiteral("RulesDiffBeforeTitle") : QStringLiteral("RulesDiffAfterTitle"));
        m_titles[side]->setContentsMargins(4, 2, 4, 0);
        QFont bold = m_titles[side]->font();
        bold.setBold(true);
        m_titles[side]->setFont(bold);
        columnLayout->addWidget(m_titles[side]);
        columnLayout->addWidget(m_panes[side], 1);
        splitter->addWidget(column);
    }
    layout->addWidget(splitter, 1);
    m_rowInfo = new QLabel(this);
    m_rowInfo->setObjectName(QStringLiteral("RulesDiffRowInfo"));
    m_rowInfo->setContentsMargins(8, 2, 8, 2);
    m_rowInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_rowInfo);

    auto addShortcutAction = [this](const QList<QKeySequence>& keys, void (RulesDiffView::*slot)()) {
        auto* action = new QAction(this);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
    };
    addShortcutAction({ QKeySequence(Qt::Key_F7), QKeySequence(Qt::ALT | Qt::Key_Down) }, &RulesDiffView::nextChange);
    addShortcutAction(
        { QKeySequence(Qt::SHIFT | Qt::Key_F7), QKeySequence(Qt::ALT | Qt::Key_Up) }, &RulesDiffView::previousChange);
}

// A job still running stops at its next step; its result goes nowhere.
RulesDiffView::~RulesDiffView() { m_preparation.cancel(); }

QWidget* RulesDiffView::buildToolbar()
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(6, 6, 6, 0);

    m_familyBox = new QComboBox(bar);
    m_familyBox->setObjectName(QStringLiteral("RulesDiffFamily"));
    connect(m_familyBox, &QComboBox::currentIndexChanged, this, [this](int index) { showRuleset(index); });

    m_provenanceBox = new QComboBox(bar);
    m_provenanceBox->setObjectName(QStringLiteral("RulesDiffProvenance"));
    for (const AuthorChoice& choice : authorChoices())
        m_provenanceBox->addItem(QString::fromUtf8(choice.label));
    connect(m_provenanceBox, &QComboBox::currentIndexChanged, this, [this] { applyOptions(); });

    m_hideUnchanged = new QCheckBox(QStringLiteral("Hide unchanged chains"), bar);
    m_hideUnchanged->setObjectName(QStringLiteral("RulesDiffHideUnchanged"));
    connect(m_hideUnchanged, &QCheckBox::toggled, this, [this] { applyOptions(); });
    m_showCounters = new QCheckBox(QStringLiteral("Counters"), bar);
    m_showCounters->setObjectName(QStringLiteral("RulesDiffShowCounters"));
    m_showCounters->setToolTip(QStringLiteral("Show packet and byte counters (only when the dumps have them)"));
    m_showCounters->setChecked(true);
    connect(m_showCounters, &QCheckBox::toggled, this, [this] { applyOptions(); });

    m_previous = new QToolButton(bar);
    m_previous->setObjectName(QStringLiteral("RulesDiffPrevious"));
    m_previous->setArrowType(Qt::UpArrow);
    m_previous->setToolTip(QStringLiteral("Previous change (Shift+F7, Alt+Up)"));
    connect(m_previous, &QToolButton::clicked, this, &RulesDiffView::previousChange);
    m_next = new QToolButton(bar);
    m_next->setObjectName(QStringLiteral("RulesDiffNext"));
    m_next->setArrowType(Qt::DownArrow);
    m_next->setToolTip(QStringLiteral("Next change (F7, Alt+Down)"));
    connect(m_next, &QToolButton::clicked, this, &RulesDiffView::nextChange);
    m_changeLabel = new QLabel(bar);
    m_changeLabel->setObjectName(QStringLiteral("RulesDiffChange"));
    m_changeLabel->setMinimumWidth(m_changeLabel->fontMetrics().horizontalAdvance(QStringLiteral("Change 888 of 888")));

    row->addWidget(new QLabel(QStringLiteral("Ruleset:"), bar));
    row->addWidget(m_familyBox);
    row->addSpacing(12);
    row->addWidget(new QLabel(QStringLiteral("Written by:"), bar));
    row->addWidget(m_provenanceBox);
    row->addSpacing(12);
    row->addWidget(m_hideUnchanged);
    row->addWidget(m_showCounters);
    row->addStretch(1);
    row->addWidget(m_previous);
    row->addWidget(m_next);
    row->addWidget(m_changeLabel);
    return bar;
}

void RulesDiffView::buildPanes()
{
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (int side = 0; side < 2; ++side) {
        auto* pane = new DiffPane(this);
        pane->setLineLabels([this, side](int row) {
            const int line = m_model->index(row, side).data(RulesDiffModel::SourceLineRole).toInt();
            return line > 0 ? QString::number(line) : QString();
        });
        pane->setLineBackgrounds([this, side](int row) {
            return diffBackground(m_model->lineDiff(row), m_model->text(row, side).isEmpty(), palette());
        });
        pane->setObjectName(side == Before ? QStringLiteral("RulesDiffBefore") : QStringLiteral("RulesDiffAfter"));
        pane->setReadOnly(true);
        pane->setLineWrapMode(QPlainTextEdit::NoWrap);
        pane->setFont(fixed);
        pane->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        pane->document()->setUndoRedoEnabled(false);
        m_panes[side] = pane;
        connect(pane, &QPlainTextEdit::cursorPositionChanged, this, [this, side] { followCursor(Side(side)); });
        pane->viewport()->installEventFilter(this);
        auto* jump = new QAction(pane);
        jump->setShortcuts({ QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter) });
        jump->setShortcutContext(Qt::WidgetShortcut);
        connect(jump, &QAction::triggered, this, [this, side] { jumpToPartner(Side(side)); });
        pane->addAction(jump);
    }
    // The panes hold the same number of lines, so equal scroll positions show the same rows.
    for (int side = 0; side < 2; ++side) {
        QPlainTextEdit* other = m_panes[1 - side];
        connect(m_panes[side]->verticalScrollBar(), &QScrollBar::valueChanged, other->verticalScrollBar(),
            &QScrollBar::setValue);
        connect(m_panes[side]->horizontalScrollBar(), &QScrollBar::valueChanged, other->horizontalScrollBar(),
            &QScrollBar::setValue);
    }
}

void RulesDiffView::setSnapshots(
    model::SnapshotPtr before, model::SnapshotPtr after, const QString& beforeLabel, const QString& afterLabel)
{
    const QVariant previous = m_familyBox->currentData();
    m_before = std::move(before);
    m_after = std::move(after);
    m_labels[Before] = beforeLabel;
    m_labels[After] = afterLabel;
    m_pendingRule.reset();
    {
        const QSignalBlocker blocker(m_familyBox);
        m_familyBox->clear();
        if (rulesetOf(m_before, model::Family::IPv4) || rulesetOf(m_after, model::Family::IPv4))
            m_familyBox->addItem(QStringLiteral("IPv4 (iptables)"), int(model::Family::IPv4));
        if (rulesetOf(m_before, model::Family::IPv6) || rulesetOf(m_after, model::Family::IPv6))
            m_familyBox->addItem(QStringLiteral("IPv6 (ip6tables)"), int(model::Family::IPv6));
        m_familyBox->setEnabled(m_familyBox->count() > 1);
    }
    const int keep = previous.isValid() ? m_familyBox->findData(previous) : -1;
    m_familyBox->setCurrentIndex(keep >= 0 ? keep : 0);
    showRuleset(m_familyBox->currentIndex());
}

bool RulesDiffView::showFamily(model::Family family)
{
    const int index = m_familyBox->findData(int(family));
    if (index < 0)
        return false;
    // Choosing the family shown already keeps its comparison (a large pair's takes seconds to redo).
    if (index != m_familyBox->currentIndex())
        m_familyBox->setCurrentIndex(index); // shows it through currentIndexChanged
    return true;
}

void RulesDiffView::showRuleset(int comboIndex)
{
    m_preparation.cancel();
    m_large = false;
    m_preparing = false;
    if (comboIndex < 0) {
        m_model->setRows(model::buildRulesDiffRows(nullptr, currentOptions()));
        render();
        return;
    }
    const auto family = model::Family(m_familyBox->itemData(comboIndex).toInt());
    // A side without this family's ruleset compares as an empty one: everything was added or removed.
    const auto empty = std::make_shared<const model::Ruleset>();
    model::RulesetPtr left = rulesetOf(m_before, family);
    model::RulesetPtr right = rulesetOf(m_after, family);
    left = left ? left : empty;
    right = right ? right : empty;
    if (left->ruleCount() + right->ruleCount() <= MaxRulesComparedInline) {
        auto diff = std::make_shared<const model::diff::RuleDiff>(model::diff::diffRulesets(left, right));
        m_model->setRows(model::buildRulesDiffRows(std::move(diff), currentOptions()));
        render();
        return;
    }
    // Large rulesets are compared, aligned and laid out off the GUI thread.
    m_large = true;
    m_preparing = true;
    clearPanes();
    m_model->setRows(model::buildRulesDiffRows(nullptr, currentOptions()));
    m_summary->setText(QStringLiteral("Comparing %1 and %2 rules…").arg(left->ruleCount()).arg(right->ruleCount()));
    auto started = m_preparation.compare(left, right, currentOptions(), m_panes[Before]->font());
    const int job = m_preparation.latestJob();
    deliverResult(this, std::move(started), [this, job](const std::shared_ptr<PreparedDiff>& prepared) {
        if (m_preparation.isCurrent(prepared, job))
            showPrepared(*prepared);
    });
}

model::RulesDiffOptions RulesDiffView::currentOptions() const
{
    const std::vector<AuthorChoice> choices = authorChoices();
    const int choice = std::max(0, m_provenanceBox->currentIndex());
    return { m_showCounters->isChecked(), m_hideUnchanged->isChecked(), choices[std::size_t(choice)].authors };
}

void RulesDiffView::applyOptions()
{
    const model::RulesDiffOptions options = currentOptions();
    if (!m_large) {
        m_model->setOptions(options);
        render();
        return;
    }
    if (!m_model->diff()) { // still comparing: start again with these options
        showRuleset(m_familyBox->currentIndex());
        return;
    }
    clearPanes();
    m_preparing = true;
    m_summary->setText(QStringLiteral("Preparing the lines…"));
    auto started = m_preparation.rebuild(m_model->diff(), options, m_panes[Before]->font());
    const int job = m_preparation.latestJob();
    deliverResult(this, std::move(started), [this, job](const std::shared_ptr<PreparedDiff>& prepared) {
        if (m_preparation.isCurrent(prepared, job))
            showPrepared(*prepared);
    });
}

void RulesDiffView::clearPanes()
{
    for (QObject*& highlighter : m_highlighters) {
        delete highlighter;
        highlighter = nullptr;
    }
    m_syncing = true;
    for (QPlainTextEdit* pane : m_panes)
        pane->clear();
    m_syncing = false;
}

// Small pairs: the panes' text is set here, on the GUI thread.
void RulesDiffView::render()
{
    for (QObject*& highlighter : m_highlighters) {
        delete highlighter;
        highlighter = nullptr;
    }
    m_syncing = true;
    for (int side = 0; side < 2; ++side)
        m_panes[side]->setPlainText(m_model->rows()->sideText(side));
    m_syncing = false;
    finishRender();
}

void RulesDiffView::showPrepared(const PreparedDiff& prepared)
{
    m_preparedOn = prepared.madeOn;
    m_preparing = false;
    m_syncing = true;
    m_model->setRows(prepared.rows);
    for (int side = 0; side < 2; ++side)
        adoptDocument(m_panes[side], std::move(prepared.documents->documents[std::size_t(side)]));
    m_syncing = false;
    finishRender();
}

void RulesDiffView::finishRender()
{
    for (int side = 0; side < 2; ++side) {
        auto background = [this, side](int row) {
            return diffBackground(m_model->lineDiff(row), m_model->text(row, side).isEmpty(), palette());
        };
        m_highlighters[side]
            = m_syntax->highlightVisibleLines(m_panes[side], QStringLiteral("iptables"), palette(), background);
        m_titles[side]->setText(m_labels[side]);
    }
    const bool anyChange = !m_model->changeStarts().empty();
    m_previous->setEnabled(anyChange);
    m_next->setEnabled(anyChange);
    updateSummary();
    if (anyChange)
        goToChange(0);
    else
        selectRow(0);
    selectPendingRule();
}

bool RulesDiffView::selectRule(
    model::Family family, Side side, const std::string& table, const std::string& chain, int index)
{
    if (!showFamily(family))
        return false;
    m_pendingRule = PendingRule { family, side, table, chain, index };
    if (!m_preparing)
        selectPendingRule();
    return true;
}

// The rule chosen while the rows were being prepared, now that they are here.
void RulesDiffView::selectPendingRule()
{
    if (!m_pendingRule)
        return;
    const PendingRule rule = *std::exchange(m_pendingRule, std::nullopt);
    if (m_familyBox->currentData().toInt() != int(rule.family))
        return;
    const int row = m_model->rowOfRule(rule.side, rule.table, rule.chain, rule.index);
    if (row >= 0)
        selectRow(row, rule.side);
}

int RulesDiffView::currentRow() const
{
    return m_model->rowCount() == 0 ? -1 : m_panes[Before]->textCursor().blockNumber();
}

void RulesDiffView::selectRow(int row, Side side)
{
    if (row < 0 || row >= m_model->rowCount())
        return;
    QPlainTextEdit* pane = m_panes[side];
    pane->setTextCursor(QTextCursor(pane->document()->findBlockByNumber(row)));
    // A few lines of context above, whatever the pane's size (it may not be laid out yet); the scroll bar
    // counts lines.
    pane->verticalScrollBar()->setValue(std::max(0, row - ContextLines));
    followCursor(side);
}

void RulesDiffView::followCursor(Side side)
{
    if (m_syncing || m_model->rowCount() == 0)
        return;
    m_syncing = true;
    const int row = m_panes[side]->textCursor().blockNumber();
    const int partner = m_model->partnerRow(row, side);
    QPlainTextEdit* other = m_panes[1 - side];
    const int otherRow = partner >= 0 ? partner : row;
    // Moving the other cursor would scroll that pane to a moved rule's partner; the panes stay aligned instead,
    // and jumpToPartner() goes there on request.
    const int top = m_panes[side]->verticalScrollBar()->value();
    other->setTextCursor(QTextCursor(other->document()->findBlockByNumber(otherRow)));
    for (QPlainTextEdit* pane : m_panes)
        pane->verticalScrollBar()->setValue(top);
    markRows(side == Before ? row : otherRow, side == Before ? otherRow : row);
    QString info = m_model->index(row, side).data(Qt::ToolTipRole).toString();
    if (m_model->lineDiff(row) == LineDiff::Moved && otherRow != row) {
        // The line number the other pane's gutter shows: the rule's line in that snapshot's dump.
        const int otherLine = m_model->index(otherRow, 1 - side).data(model::RulesDiffModel::SourceLineRole).toInt();
        info += otherLine > 0
            ? QStringLiteral(" (line %1 on the other side; Return or a double click goes there)").arg(otherLine)
            : QStringLiteral(" (Return or a double click goes to it on the other side)");
    }
    m_rowInfo->setText(info);
    m_syncing = false;
    updateChangeText();
    Q_EMIT currentRowChanged(row);
}

void RulesDiffView::jumpToPartner(Side side)
{
    const int row = m_panes[side]->textCursor().blockNumber();
    const int partner = m_model->partnerRow(row, side);
    if (partner < 0 || partner == row)
        return;
    selectRow(partner, Side(1 - side));
}

bool RulesDiffView::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::MouseButtonDblClick) {
        for (int side = 0; side < 2; ++side) {
            if (watched == m_panes[side]->viewport()) {
                // Let the click place the cursor first, then follow the link.
                const bool handled = QWidget::eventFilter(watched, event);
                QMetaObject::invokeMethod(
                    this, [this, side] { jumpToPartner(Side(side)); }, Qt::QueuedConnection);
                return handled;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

// The current line in the selection colours, so it stands out from every diff colour.
void RulesDiffView::markRows(int leftRow, int rightRow)
{
    const int rows[2] = { leftRow, rightRow };
    for (int side = 0; side < 2; ++side) {
        QTextEdit::ExtraSelection mark;
        mark.format.setBackground(palette().color(QPalette::Highlight));
        mark.format.setForeground(palette().color(QPalette::HighlightedText));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        mark.cursor = QTextCursor(m_panes[side]->document()->findBlockByNumber(rows[side]));
        m_panes[side]->setExtraSelections({ mark });
    }
}

void RulesDiffView::goToChange(int change)
{
    const std::vector<int>& starts = m_model->changeStarts();
    if (change < 0 || std::size_t(change) >= starts.size())
        return;
    selectRow(starts[std::size_t(change)]);
}

void RulesDiffView::nextChange()
{
    const std::vector<int>& starts = m_model->changeStarts();
    const int row = currentRow();
    for (std::size_t i = 0; i < starts.size(); ++i) {
        if (starts[i] > row && int(i) != m_model->changeAt(row)) {
            goToChange(int(i));
            return;
        }
    }
}

void RulesDiffView::previousChange()
{
    const std::vector<int>& starts = m_model->changeStarts();
    const int row = currentRow();
    const int current = m_model->changeAt(row);
    for (int i = int(starts.size()) - 1; i >= 0; --i) {
        if (starts[std::size_t(i)] < row && i != current) {
            goToChange(i);
            return;
        }
    }
}

QString RulesDiffView::changeText() const { return m_changeLabel->text(); }

void RulesDiffView::updateChangeText()
{
    const int total = int(m_model->changeStarts().size());
    const int current = m_model->changeAt(currentRow());
    if (total == 0)
        m_changeLabel->setText(QStringLiteral("No changes"));
    else if (current >= 0)
        m_changeLabel->setText(QStringLiteral("Change %1 of %2").arg(current + 1).arg(total));
    else
        m_changeLabel->setText(total == 1 ? QStringLiteral("1 change") : QStringLiteral("%1 changes").arg(total));
    m_previous->setEnabled(
        total > 0 && (current > 0 || (current < 0 && m_model->changeStarts().front() < currentRow())));
    m_next->setEnabled(total > 0 && m_model->changeStarts().back() > currentRow() && current != total - 1);
}

QString RulesDiffView::summary() const { return m_summary->text(); }

QString RulesDiffView::rowInfo() const { return m_rowInfo->text(); }

// The summary doubles as the legend: each count sits on its own line colour.
void RulesDiffView::updateSummary()
{
    const auto& diff = m_model->diff();
    if (!diff) {
        m_summary->setText(QStringLiteral("No iptables rules in either snapshot."));
        return;
    }
    const model::diff::DiffCounts& counts = diff->counts;
    const auto chip = [this](LineDiff kind, int n, const QString& what) {
        return QStringLiteral("<span style=\"background-color:%1; color:%2\">&nbsp;%3 %4&nbsp;</span>")
            .arg(diffBackground(kind, false, palette()).name(), palette().color(QPalette::Text).name())
            .arg(n)
            .arg(what);
    };
    QStringList parts { chip(LineDiff::Added, counts.added, QStringLiteral("added")),
        chip(LineDiff::Removed, counts.removed, QStringLiteral("removed")),
        chip(LineDiff::Changed, counts.changed, QStringLiteral("changed")),
        chip(LineDiff::Moved, counts.moved, QStringLiteral("moved")) };
    QStringList chains;
    if (counts.chainsAdded)
        chains << QStringLiteral("%1 chains added").arg(counts.chainsAdded);
    if (counts.chainsRemoved)
        chains << QStringLiteral("%1 removed").arg(counts.chainsRemoved);
    if (counts.chainsRenamed)
        chains << QStringLiteral("%1 renamed").arg(counts.chainsRenamed);
    if (counts.policyChanges)
        chains << QStringLiteral("%1 policy changes").arg(counts.policyChanges);
    QString text = QStringLiteral("Rules: ") + parts.join(QLatin1Char(' '));
    if (!chains.isEmpty())
        text += QStringLiteral(" &nbsp;·&nbsp; Chains: ") + chains.join(QStringLiteral(", "));
    m_summary->setText(text);
}

void RulesDiffView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange && m_model->rowCount() > 0) {
        const int row = currentRow();
        for (QPlainTextEdit* pane : m_panes)
            pane->viewport()->update();
        for (int side = 0; side < 2; ++side) {
            if (m_highlighters[side])
                m_syntax->applyTheme(m_highlighters[side], palette());
        }
        updateSummary();
        markRows(row, m_model->partnerRow(row, Before));
    }
    QWidget::changeEvent(event);
}

} // namespace views
