#include "views/traceview.h"
#include "views/backgroundpool.h"

#include "model/engine/engine.h"
#include "views/diffcolours.h"
#include "views/traceform.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace views {

using namespace model::engine;
using LineDiff = model::RulesDiffModel::LineDiff;

namespace {

    enum HopColumn { HookColumn, WhereColumn, NumberColumn, VerdictColumn, RuleColumn, NoteColumn };
    constexpr int HopDetailsRole = Qt::UserRole + 1;
    QString noHopSelected() { return QStringLiteral("Select a hop to read its whole rule here."); }

    QString qs(const std::string& text) { return QString::fromStdString(text); }

    bool decides(const Hop& hop, const RuleRef& deciding)
    {
        if (deciding.empty() || hop.table != deciding.table || hop.chain != deciding.chain)
            return false;
        if (hop.kind == Hop::Kind::Rule)
            return hop.ruleNumber == deciding.index && !deciding.isPolicy();
        return hop.kind == Hop::Kind::Policy && deciding.isPolicy();
    }

    LineDiff fateColour(Fate fate)
    {
        switch (fate) {
        case Fate::Accept:
            return LineDiff::Added;
        case Fate::Drop:
        case Fate::Reject:
            return LineDiff::Removed;
        case Fate::Depends:
            break;
        }
        return LineDiff::Changed;
    }

    const model::Rule* sourceRule(const Hop& hop, const model::Ruleset* rules)
    {
        if (!rules || hop.kind != Hop::Kind::Rule || hop.ruleNumber < 1)
            return nullptr;
        const model::Table* table = rules->table(hop.table);
        const model::Chain* chain = table ? table->chain(hop.chain) : nullptr;
        if (!chain || std::size_t(hop.ruleNumber) > chain->rules.size())
            return nullptr;
        return &chain->rules[std::size_t(hop.ruleNumber - 1)];
    }

    // The whole of a hop, for the details line under the hop list: where it is, the full rule text, the verdict.
    QString hopDetails(const Hop& hop, const model::Ruleset* rules)
    {
        QString where = qs(hop.table) + (hop.chain.empty() ? QString() : QLatin1Char('/') + qs(hop.chain));
        if (hop.kind == Hop::Kind::Rule) {
            where += QStringLiteral(" rule %1").arg(hop.ruleNumber);
            if (const model::Rule* rule = sourceRule(hop, rules); rule && rule->line > 0)
                where += QStringLiteral(", line %1").arg(rule->line);
        } else if (hop.kind == Hop::Kind::Policy) {
            where += QStringLiteral(" policy");
        }
        QString text = where.isEmpty() ? QString() : where + QStringLiteral(": ");
        text += hop.kind == Hop::Kind::Rule ? qs(hop.ruleText) : qs(hop.note);
        if (!hop.verdict.empty())
            text += QStringLiteral("  → ") + qs(hop.verdict);
        if (hop.kind == Hop::Kind::Rule && !hop.note.empty())
            text += QStringLiteral(" (") + qs(hop.note) + QLatin1Char(')');
        return text;
    }

    QTreeWidgetItem* hopItem(const Hop& hop, const model::Ruleset* rules)
    {
        auto* item = new QTreeWidgetItem;
        item->setText(HookColumn, QString::fromUtf8(hookName(hop.hook)));
        if (!hop.table.empty() || !hop.chain.empty())
            item->setText(WhereColumn, qs(hop.table) + (hop.chain.empty() ? QString() : QLatin1Char('/') + qs(hop.chain)));
        switch (hop.kind) {
        case Hop::Kind::Rule:
            item->setText(NumberColumn, QString::number(hop.ruleNumber));
            item->setText(RuleColumn, qs(hop.ruleText));
            item->setText(VerdictColumn, qs(hop.verdict));
            break;
        case Hop::Kind::Policy:
            item->setText(RuleColumn, QStringLiteral("policy"));
            item->setText(VerdictColumn, qs(hop.verdict));
            break;
        case Hop::Kind::Routing:
            item->setText(HookColumn, QStringLiteral("routing"));
            item->setText(RuleColumn, qs(hop.note));
            break;
        case Hop::Kind::Delivery:
            item->setText(HookColumn, QStringLiteral("delivered"));
            item->setText(RuleColumn, qs(hop.note));
            break;
        case Hop::Kind::Return:
        case Hop::Kind::StoredNat:
        case Hop::Kind::Skipped:
        case Hop::Kind::Note:
            item->setText(RuleColumn, qs(hop.note));
            break;
        }
        if (hop.kind != Hop::Kind::Rule && hop.kind != Hop::Kind::Policy) {
            QFont italic = item->font(RuleColumn);
            italic.setItalic(true);
            item->setFont(RuleColumn, italic);
        }
        QStringList notes;
        if (hop.kind == Hop::Kind::Rule && !hop.note.empty())
            notes << qs(hop.note);
        if (hop.after)
            notes << QStringLiteral("now %1").arg(qs(hop.after->toString()));
        if (hop.mark)
            notes << QStringLiteral("mark 0x%1").arg(*hop.mark, 0, 16);
        item->setText(NoteColumn, notes.join(QStringLiteral("; ")));
        item->setToolTip(RuleColumn, item->text(RuleColumn));
        item->setToolTip(NoteColumn, item->text(NoteColumn));
        item->setData(HookColumn, HopDetailsRole, hopDetails(hop, rules));
        return item;
    }

    QString fateSummary(const FlowResult& flow)
    {
        const Outcome& first = flow.original.primary();
        QString text = QStringLiteral("<b>%1</b>").arg(QString::fromUtf8(fateName(flow.fate)));
        if (flow.fate == Fate::Accept)
            text += QStringLiteral(" — delivered to %1").arg(qs(first.delivery.describe()).toHtmlEscaped());
        else if (flow.fate == Fate::Depends)
            text += QStringLiteral(" — depends on %1")
                        .arg(qs(flow.original.dependsOn.empty() ? std::string("the reply")
                                                                : flow.original.dependsOn.front())
                                .toHtmlEscaped());
        else if (!flow.deciding.empty())
            text += QStringLiteral(" — by %1").arg(qs(flow.qualifiedDeciding()).toHtmlEscaped());
        if (flow.decidedByReply)
            text += QStringLiteral(" (the reply never gets back)");
        return text;
    }

} // namespace

namespace {

    std::size_t ruleCount(const QList<model::SnapshotPtr>& snapshots)
    {
        std::size_t n = 0;
        for (const model::SnapshotPtr& s : snapshots)
            for (const model::RulesetPtr& r : { s->ipv4, s->ipv6 })
                n += r ? r->ruleCount() : 0;
        return n;
    }

    TraceView::Engines compile(const QList<model::SnapshotPtr>& snapshots)
    {
        TraceView::Engines engines;
        for (const model::SnapshotPtr& snapshot : snapshots)
            engines.push_back(Engine::fromSnapshot(*snapshot));
        return engines;
    }

} // namespace

TraceView::TraceView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("TraceView"));
    connect(&m_compiling, &QFutureWatcherBase::finished, this, &TraceView::compiled);
    setMinimumSize(320, 240); // not the form's full width: the window may be narrower
    m_form = new TraceForm(this);
    connect(m_form, &TraceForm::traceRequested, this, &TraceView::trace);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("TraceError"));
    m_error->setContentsMargins(8, 0, 8, 0);
    m_error->setVisible(false);
    m_results = new QSplitter(Qt::Horizontal, this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_form);
    layout->addWidget(m_error);
    layout->addWidget(m_results, 1);
}

TraceView::~TraceView() = default;

TraceView::Column TraceView::makeColumn(QWidget* parent)
{
    Column column;
    column.box = new QWidget(parent);
    auto* layout = new QVBoxLayout(column.box);
    layout->setContentsMargins(2, 0, 2, 0);
    column.title = new QLabel(column.box);
    QFont bold = column.title->font();
    bold.setBold(true);
    column.title->setFont(bold);
    column.fate = new QLabel(column.box);
    column.fate->setObjectName(QStringLiteral("TraceFate"));
    column.fate->setTextFormat(Qt::RichText);
    column.fate->setWordWrap(true);
    column.fate->setAutoFillBackground(true);
    column.fate->setContentsMargins(6, 4, 6, 4);
    column.fate->setTextInteractionFlags(Qt::TextSelectableByMouse);
    column.hops = new QTreeWidget(column.box);
    column.hops->setObjectName(QStringLiteral("TraceHops"));
    column.hops->setRootIsDecorated(false);
    column.hops->setUniformRowHeights(true);
    column.hops->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Verdict before the (long) rule text, so it is never scrolled out of sight.
    column.hops->setHeaderLabels({ QStringLiteral("Hook"), QStringLiteral("Table/chain"), QStringLiteral("#"),
        QStringLiteral("Verdict"), QStringLiteral("Rule"), QStringLiteral("Note") });
    column.hops->header()->setStretchLastSection(true);
    // The Rule column is cut in a narrow window: the selected hop's rule in full, wrapped and selectable.
    column.details = new QLabel(noHopSelected(), column.box);
    column.details->setObjectName(QStringLiteral("TraceHopDetails"));
    column.details->setTextFormat(Qt::PlainText);
    column.details->setWordWrap(true);
    column.details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    column.details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    column.details->setContentsMargins(6, 4, 6, 4);
    column.details->setFrameShape(QFrame::StyledPanel);
    QLabel* details = column.details;
    connect(column.hops, &QTreeWidget::currentItemChanged, details, [details](QTreeWidgetItem* current) {
        const QString text = current ? current->data(HookColumn, HopDetailsRole).toString() : QString();
        details->setText(text.isEmpty() ? noHopSelected() : text);
    });
    layout->addWidget(column.title);
    layout->addWidget(column.fate);
    layout->addWidget(column.hops, 1);
    layout->addWidget(column.details);
    return column;
}

void TraceView::setSnapshots(const QList<model::SnapshotPtr>& snapshots, const QStringList& labels)
{
    m_snapshots = snapshots;
    m_labels = labels;
    // Compiling a large ruleset takes a while: do it at the first trace, not whenever a snapshot opens.
    m_engines.clear();
    m_pending.reset();
    ++m_generation;
    for (Column& column : m_columns)
        delete column.box;
    m_columns.clear();
    auto* splitter = static_cast<QSplitter*>(m_results);
    for (qsizetype i = 0; i < snapshots.size(); ++i) {
        m_columns.push_back(makeColumn(splitter));
        splitter->addWidget(m_columns.back().box);
        m_columns.back().title->setText(labels.value(i));
        m_columns.back().fate->setText(QStringLiteral("Fill in a packet and press Trace."));
    }
    m_form->setSnapshots(snapshots);
    m_last.clear();
}

QTreeWidget* TraceView::hops(int column) const
{
    return column >= 0 && std::size_t(column) < m_columns.size() ? m_columns[std::size_t(column)].hops : nullptr;
}

QString TraceView::fateText(int column) const
{
    return column >= 0 && std::size_t(column) < m_columns.size() ? m_columns[std::size_t(column)].fate->text()
                                                                 : QString();
}

QString TraceView::hopDetails(int column) const
{
    return column >= 0 && std::size_t(column) < m_columns.size() ? m_columns[std::size_t(column)].details->text()
                                                                 : QString();
}

QString TraceView::errorText() const { return m_error->isHidden() || busy() ? QString() : m_error->text(); }

void TraceView::setEngines(const QList<model::SnapshotPtr>& snapshots, Engines engines)
{
    if (snapshots != m_snapshots || engines.size() != std::size_t(m_snapshots.size()))
        return;
    for (const auto& engine : engines)
        if (!engine)
            return;
    m_engines = std::move(engines);
}

void TraceView::trace()
{
    QString error;
    const std::optional<Packet> packet = m_form->packet(&error);
    if (!packet || m_snapshots.isEmpty()) {
        m_error->setText(packet ? QStringLiteral("Open a snapshot first.") : error);
        m_error->setVisible(true);
        return;
    }
    m_error->setVisible(false);
    if (m_engines.empty()) {
        const std::size_t rules = ruleCount(m_snapshots);
        if (rules > MaxRulesCompiledInline) {
            m_pending = packet;
            if (!m_compiling.isRunning()) {
                m_error->setText(QStringLiteral("Compiling %L1 rules for tracing…").arg(rules));
                m_error->setVisible(true);
                m_compilingFor = m_generation;
                m_compiling.setFuture(QtConcurrent::run(backgroundPool(), compile, m_snapshots));
            }
            return;
        }
        m_engines = compile(m_snapshots);
    }
    traceWith(*packet);
}

void TraceView::compiled()
{
    Engines engines = m_compiling.result();
    if (m_compilingFor != m_generation) { // the snapshots changed meanwhile: compile the current ones
        if (m_pending)
            trace();
        return;
    }
    m_error->setVisible(false);
    m_engines = std::move(engines);
    if (const std::optional<Packet> packet = std::exchange(m_pending, std::nullopt))
        traceWith(*packet);
}

void TraceView::traceWith(const Packet& packet)
{
    m_last.clear();
    for (std::size_t i = 0; i < m_engines.size(); ++i) {
        TracedFlow traced { m_labels.value(qsizetype(i)), m_engines[i]->traceFlow(packet) };
        showFlow(m_columns[i], traced.flow, *m_engines[i], *m_snapshots.value(qsizetype(i)));
        m_last << std::move(traced);
    }
    Q_EMIT flowTraced(m_last);
}

void TraceView::showFlow(
    Column& column, const FlowResult& flow, const Engine& engine, const model::Snapshot& snapshot)
{
    column.hops->clear();
    column.details->setText(noHopSelected());
    const model::Ruleset* rules
        = (flow.original.packet.family == model::Family::IPv6 ? snapshot.ipv6 : snapshot.ipv4).get();
    QPalette fatePalette = column.fate->palette();
    fatePalette.setColor(QPalette::Window, diffBackground(fateColour(flow.fate), false, palette()));
    column.fate->setPalette(fatePalette);
    QString fate = fateSummary(flow);
    const bool several = flow.original.outcomes.size() > 1 || (flow.reply && flow.reply->outcomes.size() > 1);
    if (several)
        fate += QStringLiteral("<br>Several possible paths: a match could not be decided, each answer is followed below.");
    column.fate->setText(fate);
    column.fate->setToolTip(QString::fromStdString(engine.host().describe(flow.original.packet.header.dst)));
    column.hops->setRootIsDecorated(several);

    QTreeWidgetItem* decidingItem = nullptr; // its rule is in the details until a hop is selected
    const auto emphasise = [&](QTreeWidgetItem* item, Fate decided) {
        if (!decidingItem)
            decidingItem = item;
        for (int c = 0; c < column.hops->columnCount(); ++c) {
            QFont bold = item->font(c);
            bold.setBold(true);
            item->setFont(c, bold);
            item->setBackground(c, diffBackground(fateColour(decided), false, palette()));
        }
        item->setText(VerdictColumn, item->text(VerdictColumn) + QStringLiteral("  ◀ decides"));
    };
    const auto addHops = [&](const TraceResult& result, bool decidingHere) {
        const std::size_t n = result.outcomes.size();
        for (std::size_t i = 0; i < n; ++i) {
            const Outcome& outcome = result.outcomes[i];
            QTreeWidgetItem* group = nullptr;
            if (n > 1) { // one group per possible path, named by what it assumed
                group = new QTreeWidgetItem;
                QStringList assumed;
                for (const std::string& c : outcome.conditions)
                    assumed << qs(c);
                group->setText(0, QStringLiteral("Possible path %1 of %2: %3 (%4)")
                                      .arg(i + 1)
                                      .arg(n)
                                      .arg(QString::fromUtf8(fateName(outcome.fate)),
                                          assumed.isEmpty() ? QStringLiteral("no assumption") : assumed.join(QStringLiteral("; "))));
                group->setFirstColumnSpanned(true);
                column.hops->addTopLevelItem(group);
                group->setFirstColumnSpanned(true);
                group->setExpanded(true);
            }
            for (const Hop& hop : outcome.hops) {
                QTreeWidgetItem* item = hopItem(hop, rules);
                // one path: the flow's deciding rule; several: each path's own
                if (n == 1 && decidingHere && decides(hop, flow.deciding))
                    emphasise(item, flow.fate);
                else if (n > 1 && decides(hop, outcome.deciding))
                    emphasise(item, outcome.fate);
                if (group)
                    group->addChild(item);
                else
                    column.hops->addTopLevelItem(item);
            }
        }
    };
    addHops(flow.original, !flow.decidedByReply);
    if (flow.reply) {
        auto* divider = new QTreeWidgetItem;
        divider->setText(0, QStringLiteral("Reply: %1").arg(qs(flow.reply->packet.describe())));
        divider->setFirstColumnSpanned(true);
        QFont bold = divider->font(0);
        bold.setBold(true);
        divider->setFont(0, bold);
        column.hops->addTopLevelItem(divider);
        divider->setFirstColumnSpanned(true);
        addHops(*flow.reply, flow.decidedByReply);
    }
    if (decidingItem)
        column.details->setText(decidingItem->data(HookColumn, HopDetailsRole).toString());
    for (int c = 0; c < RuleColumn; ++c)
        column.hops->resizeColumnToContents(c);
    column.hops->resizeColumnToContents(RuleColumn);
    column.hops->setColumnWidth(RuleColumn, std::min(column.hops->columnWidth(RuleColumn), 520));
}

void TraceView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange && !m_last.isEmpty()) {
        for (std::size_t i = 0; i < m_columns.size() && i < std::size_t(m_last.size()) && i < m_engines.size(); ++i)
            showFlow(m_columns[i], m_last[qsizetype(i)].flow, *m_engines[i], *m_snapshots.value(qsizetype(i)));
    }
    QWidget::changeEvent(event);
}

} // namespace views
