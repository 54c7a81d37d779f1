#include "views/rulesview.h"
#include "views/backgroundpool.h"
#include "views/futuredelivery.h"

#include "model/rulesetmodel.h"
#include "views/highlighting.h"
#include "views/plaindocument.h"
#include "views/provenancecolours.h"
#include "views/rulesfilter.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTextBlock>
#include <QThread>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <string_view>

namespace views {

using model::RulesetModel;

namespace {

    constexpr model::Provenance FilterableAuthors[] = {
        model::Provenance::Docker,
        model::Provenance::Tailscale,
        model::Provenance::Ufw,
        model::Provenance::Firewalld,
        model::Provenance::KubeProxy,
        model::Provenance::Fail2ban,
        model::Provenance::CloudImage,
        model::Provenance::Unknown,
    };

    // Expanding every chain of a huge ruleset would make the first paint slow; tables stay open regardless.
    // Larger rulesets are also prepared off the GUI thread.
    constexpr std::size_t MaxRulesExpanded = 5000;

    struct PreparedRules {
        std::shared_ptr<const model::Reachability> reachability;
        std::shared_ptr<PlainDocuments> documents;
        QThread* madeOn = nullptr;
    };

} // namespace

RulesView::RulesView(const SyntaxSupport* syntax, QWidget* parent)
    : QWidget(parent)
    , m_syntax(syntax)
    , m_model(new RulesetModel(this))
    , m_filter(new RulesFilter(this))
{
    setObjectName(QStringLiteral("RulesView"));
    m_filter->setSourceModel(m_model);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    m_tree = new QTreeView(this);
    m_tree->setObjectName(QStringLiteral("RulesTree"));
    m_tree->setModel(m_model);
    m_tree->setItemDelegate(new ProvenanceDelegate(m_tree));
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(false);
    m_tree->setFont(fixed);
    m_tree->header()->setStretchLastSection(false);
    sizeColumns();

    m_source = new QPlainTextEdit(this);
    m_source->setObjectName(QStringLiteral("RulesSource"));
    m_source->setReadOnly(true);
    m_source->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_source->setFont(fixed);
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_source);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    buildToolbar();
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 6, 6, 0);
    // The snapshot switch, its label and its gap appear only when a pair is open.
    m_snapshotPart = new QWidget(this);
    auto* part = new QHBoxLayout(m_snapshotPart);
    part->setContentsMargins(0, 0, 0, 0);
    part->addWidget(new QLabel(QStringLiteral("Snapshot:"), m_snapshotPart));
    m_snapshotBox->setParent(m_snapshotPart);
    part->addWidget(m_snapshotBox);
    part->addSpacing(12);
    bar->addWidget(m_snapshotPart);
    bar->addWidget(new QLabel(QStringLiteral("Ruleset:"), this));
    bar->addWidget(m_familyBox);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(QStringLiteral("Written by:"), this));
    bar->addWidget(m_provenanceBox);
    bar->addSpacing(12);
    bar->addWidget(m_textFilter, 1);
    bar->addWidget(m_showCounters);
    layout->addLayout(bar);
    m_summary->setContentsMargins(8, 0, 8, 0);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);

    followTreeSelections();
    connect(m_source, &QPlainTextEdit::cursorPositionChanged, this, [this] { followSourceCursor(); });
}

// A job still running stops at its next step; its result goes nowhere.
RulesView::~RulesView() { ++*m_latestSource; }

void RulesView::buildToolbar()
{
    m_snapshotBox = new QComboBox(this);
    m_snapshotBox->setObjectName(QStringLiteral("RulesSnapshot"));
    m_snapshotBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_snapshotBox, &QComboBox::currentIndexChanged, this, [this](int index) { useSnapshot(index); });

    m_familyBox = new QComboBox(this);
    m_familyBox->setObjectName(QStringLiteral("RulesFamily"));
    connect(m_familyBox, &QComboBox::currentIndexChanged, this, [this](int index) { showRuleset(index); });

    m_provenanceBox = new QComboBox(this);
    m_provenanceBox->setObjectName(QStringLiteral("RulesProvenance"));
    m_provenanceBox->addItem(QStringLiteral("Anyone"));
    for (const model::Provenance author : FilterableAuthors)
        m_provenanceBox->addItem(RulesetModel::provenanceLabel(author), int(author));
    connect(m_provenanceBox, &QComboBox::currentIndexChanged, this, [this] { applyFilters(); });

    m_textFilter = new QLineEdit(this);
    m_textFilter->setObjectName(QStringLiteral("RulesTextFilter"));
    m_textFilter->setPlaceholderText(QStringLiteral("Filter rules (text, address, port, chain)…"));
    m_textFilter->setClearButtonEnabled(true);
    // On large rulesets one pass of the filter is noticeable: wait for a pause in typing.
    m_filterDelay = new QTimer(this);
    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(250);
    connect(m_filterDelay, &QTimer::timeout, this, [this] { applyFilters(); });
    connect(m_textFilter, &QLineEdit::textChanged, this, [this] {
        if (m_model->ruleset() && m_model->ruleset()->ruleCount() > MaxRulesExpanded)
            m_filterDelay->start();
        else
            applyFilters();
    });

    m_showCounters = new QCheckBox(QStringLiteral("Counters"), this);
    m_showCounters->setObjectName(QStringLiteral("RulesShowCounters"));
    m_showCounters->setToolTip(QStringLiteral("Show packet and byte counters (only when the dump has them)"));
    m_showCounters->setChecked(true);
    connect(m_showCounters, &QCheckBox::toggled, this, [this] { updateCounterColumns(); });

    auto* find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, [this] {
        m_textFilter->setFocus(Qt::ShortcutFocusReason);
        m_textFilter->selectAll();
    });
    addAction(find);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("RulesSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void RulesView::setSnapshot(model::SnapshotPtr snapshot) { setSnapshots({ std::move(snapshot) }, { QString() }); }

void RulesView::setSnapshots(const QList<model::SnapshotPtr>& snapshots, const QStringList& labels)
{
    m_snapshots = snapshots;
    {
        const QSignalBlocker blocker(m_snapshotBox);
        m_snapshotBox->clear();
        for (qsizetype i = 0; i < snapshots.size(); ++i)
            m_snapshotBox->addItem(labels.value(i));
    }
    m_snapshotPart->setVisible(snapshots.size() > 1);
    showSnapshot(int(snapshots.size()) - 1);
}

bool RulesView::showSnapshot(int index)
{
    if (index < 0 || index >= m_snapshots.size())
        return false;
    {
        const QSignalBlocker blocker(m_snapshotBox);
        m_snapshotBox->setCurrentIndex(index);
    }
    useSnapshot(index);
    return true;
}

int RulesView::currentSnapshotIndex() const { return m_snapshots.isEmpty() ? -1 : m_snapshotBox->currentIndex(); }

void RulesView::useSnapshot(int index)
{
    const std::optional<model::Family> previous = family();
    m_snapshot = m_snapshots.value(index);
    {
        const QSignalBlocker blocker(m_familyBox);
        m_familyBox->clear();
        if (m_snapshot && m_snapshot->ipv4)
            m_familyBox->addItem(QStringLiteral("IPv4 (iptables)"), int(model::Family::IPv4));
        if (m_snapshot && m_snapshot->ipv6)
            m_familyBox->addItem(QStringLiteral("IPv6 (ip6tables)"), int(model::Family::IPv6));
        m_familyBox->setEnabled(m_familyBox->count() > 1);
    }
    // Keep looking at the same family when switching between before and after.
    if (!previous || !showFamily(*previous))
        showRuleset(m_familyBox->count() > 0 ? 0 : -1);
    Q_EMIT currentSnapshotChanged(index);
}

bool RulesView::showFamily(model::Family family)
{
    const int index = m_familyBox->findData(int(family));
    if (index < 0)
        return false;
    {
        const QSignalBlocker blocker(m_familyBox);
        m_familyBox->setCurrentIndex(index);
    }
    showRuleset(index);
    return true;
}

std::optional<model::Family> RulesView::family() const
{
    if (m_familyBox->currentIndex() < 0)
        return std::nullopt;
    return model::Family(m_familyBox->currentData().toInt());
}

QString RulesView::summary() const { return m_summary->text(); }

namespace {

    const model::SourceRecord* sourceRecord(const model::Snapshot* snapshot, model::Family family)
    {
        const char* kind
            = family == model::Family::IPv4 ? model::SourceKind::IptablesV4 : model::SourceKind::IptablesV6;
        return snapshot ? snapshot->source(kind) : nullptr;
    }

} // namespace

QString RulesView::sourceText(model::Family family) const
{
    const model::SourceRecord* record = sourceRecord(m_snapshot.get(), family);
    return record ? QString::fromStdString(record->text) : QString();
}

void RulesView::showRuleset(int comboIndex)
{
    model::RulesetPtr ruleset;
    const model::SourceRecord* record = nullptr;
    if (m_snapshot && comboIndex >= 0) {
        const auto chosen = model::Family(m_familyBox->itemData(comboIndex).toInt());
        ruleset = chosen == model::Family::IPv4 ? m_snapshot->ipv4 : m_snapshot->ipv6;
        record = sourceRecord(m_snapshot.get(), chosen);
    }
    const int generation = ++*m_latestSource;
    delete m_highlighter;
    m_highlighter = nullptr;
    // Lines are counted in the source bytes: converting a large text to a QString is left to the worker.
    const std::string_view bytes = record ? std::string_view(record->text) : std::string_view();
    if (!ruleset
        || (ruleset->ruleCount() <= MaxRulesExpanded
            && std::count(bytes.begin(), bytes.end(), '\n') <= MaxLinesLaidOutInline)) {
        m_model->setRuleset(ruleset);
        m_source->setPlaceholderText(QString());
        m_source->setPlainText(record ? QString::fromStdString(record->text) : QString());
        showModelRuleset();
        return;
    }
    // A large ruleset: its unreachable rules are found and its source text laid out off the GUI thread.
    m_model->setRuleset(nullptr);
    m_source->clear();
    m_source->setPlaceholderText(QStringLiteral("Preparing the rules text…"));
    m_summary->setText(QStringLiteral("Preparing %1 rules…").arg(ruleset->ruleCount()));
    const QFont font = m_source->font();
    // The record lives in the snapshot, which the job holds on to.
    auto started = QtConcurrent::run(backgroundPool(), [ruleset, snapshot = m_snapshot, record, font,
                                                           latest = m_latestSource, generation] {
        // A newer ruleset (or a closed view) makes this one stale: it stops at its next step.
        const auto stale = [&latest, generation] { return latest->load() != generation; };
        auto prepared = std::make_shared<PreparedRules>();
        prepared->madeOn = QThread::currentThread();
        if (stale())
            return std::shared_ptr<PreparedRules>();
        prepared->reachability = std::make_shared<const model::Reachability>(model::findUnreachableRules(*ruleset));
        if (stale())
            return std::shared_ptr<PreparedRules>();
        const QString text = record ? QString::fromStdString(record->text) : QString();
        prepared->documents = makePlainDocuments({ text, QString() }, font, stale);
        return prepared->documents && !stale() ? prepared : nullptr;
    });
    deliverResult(this, std::move(started), [this, generation, ruleset](const std::shared_ptr<PreparedRules>& prepared) {
        if (!prepared || generation != *m_latestSource)
            return;
        m_preparedOn = prepared->madeOn;
        m_model->setRuleset(ruleset, prepared->reachability);
        adoptDocument(m_source, std::move(prepared->documents->documents[0]));
        m_source->setPlaceholderText(QString());
        showModelRuleset();
    });
}

// The model's ruleset and the source text are in place: the highlighting, summary and tree follow.
void RulesView::showModelRuleset()
{
    m_highlighter = m_syntax->highlightVisibleLines(m_source, QStringLiteral("iptables"), palette());
    updateCounterColumns();
    const model::RulesetPtr& ruleset = m_model->ruleset();
    if (!ruleset) {
        m_summary->setText(QStringLiteral("This snapshot holds no iptables rules."));
        return;
    }
    std::size_t chains = 0;
    for (const model::Table& table : ruleset->tables)
        chains += table.chains.size();
    const auto count = [](std::size_t n, const char* one, const char* many) {
        return QStringLiteral("%1 %2").arg(n).arg(QString::fromUtf8(n == 1 ? one : many));
    };
    QStringList parts { count(ruleset->tables.size(), "table", "tables"), count(chains, "chain", "chains"),
        count(ruleset->ruleCount(), "rule", "rules") };
    if (!ruleset->generator.empty())
        parts << QString::fromStdString(ruleset->generator);
    if (m_model->unreachableCount() > 0)
        parts << QStringLiteral("%1 unreachable").arg(m_model->unreachableCount());
    if (ruleset->truncatedAtLine)
        parts << QStringLiteral("input cut off at line %1").arg(*ruleset->truncatedAtLine);
    m_summary->setText(parts.join(QStringLiteral(" · ")));
    if (ruleset->ruleCount() <= MaxRulesExpanded)
        m_tree->expandAll();
    else
        m_tree->expandToDepth(0);
    // Start at the first table rather than at whatever banner precedes it in the source.
    m_tree->setCurrentIndex(m_tree->model()->index(0, 0));
}

// Counter columns only make sense when the dump was taken with counters (iptables-save -c, -L -v).
void RulesView::updateCounterColumns()
{
    bool anyCounters = false;
    if (const model::RulesetPtr& ruleset = m_model->ruleset()) {
        for (const model::Table& table : ruleset->tables) {
            for (const model::Chain& chain : table.chains)
                anyCounters = anyCounters || chain.counters.has_value();
        }
    }
    m_showCounters->setEnabled(anyCounters);
    const bool show = anyCounters && m_showCounters->isChecked();
    m_tree->setColumnHidden(RulesetModel::PacketsColumn, !show);
    m_tree->setColumnHidden(RulesetModel::BytesColumn, !show);
}

void RulesView::applyFilters()
{
    const QVariant author = m_provenanceBox->currentData();
    m_filter->setProvenance(author.isValid() ? std::optional(model::Provenance(author.toInt())) : std::nullopt);
    m_filter->setText(m_textFilter->text());
    const bool switched = showFilteredTree(m_filter->isActive());
    if (m_model->ruleset() && m_model->ruleset()->ruleCount() <= MaxRulesExpanded)
        m_tree->expandAll();
    else if (switched)
        m_tree->expandToDepth(0);
}

// While no filter is active the tree shows the ruleset model itself: expanding the tables of a 70k-rule ruleset
// (25,000 chains) through the filter model took a noticeable fraction of a second on the GUI thread.
bool RulesView::showFilteredTree(bool filtered)
{
    QAbstractItemModel* wanted = filtered ? static_cast<QAbstractItemModel*>(m_filter) : m_model;
    if (m_tree->model() == wanted)
        return false;
    const QModelIndex current = m_tree->model() == m_filter ? m_filter->mapToSource(m_tree->currentIndex())
                                                             : m_tree->currentIndex();
    QItemSelectionModel* previous = m_tree->selectionModel();
    m_tree->setModel(wanted);
    delete previous; // setModel() leaves it to its owner
    followTreeSelections();
    sizeColumns();
    updateCounterColumns();
    m_syncing = true;
    m_tree->setCurrentIndex(treeIndex(current));
    m_syncing = false;
    return true;
}

void RulesView::sizeColumns()
{
    m_tree->header()->setSectionResizeMode(RulesetModel::RuleColumn, QHeaderView::Stretch);
    for (const int column :
        { int(RulesetModel::ProvenanceColumn), int(RulesetModel::PacketsColumn), int(RulesetModel::BytesColumn) })
        m_tree->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
}

void RulesView::followTreeSelections()
{
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
        [this](const QModelIndex& current) { followTreeSelection(current); });
}

QModelIndex RulesView::treeIndex(const QModelIndex& source) const
{
    return m_tree->model() == m_filter ? m_filter->mapFromSource(source) : source;
}

void RulesView::followTreeSelection(const QModelIndex& current)
{
    if (m_syncing || !current.isValid())
        return;
    const int line = current.data(RulesetModel::LineRole).toInt();
    if (line <= 0 || line > m_source->blockCount())
        return;
    m_syncing = true;
    QTextCursor cursor(m_source->document()->findBlockByNumber(line - 1));
    m_source->setTextCursor(cursor);
    m_source->centerCursor();
    markSourceLine(line);
    m_syncing = false;
}

void RulesView::followSourceCursor()
{
    const int line = m_source->textCursor().blockNumber() + 1;
    markSourceLine(line);
    if (m_syncing)
        return;
    const QModelIndex index = treeIndex(m_model->indexForLine(line));
    if (!index.isValid())
        return;
    m_syncing = true;
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
    m_syncing = false;
}

void RulesView::markSourceLine(int line)
{
    QTextEdit::ExtraSelection mark;
    QColor colour = palette().color(QPalette::Highlight);
    colour.setAlpha(60);
    mark.format.setBackground(colour);
    mark.format.setProperty(QTextFormat::FullWidthSelection, true);
    mark.cursor = QTextCursor(m_source->document()->findBlockByNumber(line - 1));
    m_source->setExtraSelections({ mark });
}

void RulesView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange && m_highlighter)
        m_syntax->applyTheme(m_highlighter, palette());
    QWidget::changeEvent(event);
}

} // namespace views
