#include "views/flowsview.h"

#include "model/analysis/flowclassesmodel.h"
#include "views/analysiscolours.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace views {

namespace {

    namespace me = model::engine;

    QString h(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }

    QString hopRow(const me::Hop& hop, const me::RuleRef& deciding)
    {
        const bool decidingHop = hop.kind == me::Hop::Kind::Rule && !deciding.empty() && hop.table == deciding.table
            && hop.chain == deciding.chain && hop.ruleNumber == deciding.index;
        QString what = hop.ruleText.empty() ? h(hop.note) : QStringLiteral("<code>%1</code>").arg(h(hop.ruleText));
        if (hop.before && hop.after)
            what += QStringLiteral("<br><i>%1 &rarr; %2</i>").arg(h(hop.before->toString()), h(hop.after->toString()));
        const QString where = hop.table.empty()
            ? QString::fromLatin1(me::hookName(hop.hook))
            : QStringLiteral("%1 %2/%3%4").arg(QString::fromLatin1(me::hookName(hop.hook)), h(hop.table), h(hop.chain),
                  hop.ruleNumber > 0 ? QStringLiteral(" #%1").arg(hop.ruleNumber) : QString());
        const QString verdict = decidingHop ? QStringLiteral("<b>%1 &#9664;</b>").arg(h(hop.verdict)) : h(hop.verdict);
        return QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td></tr>").arg(where, what, verdict);
    }

    QString traceHtml(const char* title, const me::TraceResult& t)
    {
        QString out = QStringLiteral("<p><b>%1</b> %2</p><table cellspacing=0 cellpadding=2 border=1 width=100%>")
                          .arg(QString::fromLatin1(title), h(t.packet.describe()));
        for (const me::Hop& hop : t.hops())
            out += hopRow(hop, t.deciding);
        out += QStringLiteral("</table><p>Fate: <b>%1</b> %2</p>")
                   .arg(QString::fromLatin1(me::fateName(t.fate)), h(t.deciding.qualified()));
        return out;
    }

    QString flowHtml(const char* side, const me::FlowResult& flow)
    {
        QString out = QStringLiteral("<h3>%1: %2</h3>").arg(QString::fromLatin1(side), QString::fromLatin1(me::fateName(flow.fate)));
        out += traceHtml("First packet", flow.original);
        if (flow.reply)
            out += traceHtml("Reply", *flow.reply);
        return out;
    }

} // namespace

FlowsView::FlowsView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("FlowsView"));
    m_model = new model::FlowClassesModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(model::FlowClassesModel::SortRole);
    m_proxy->setFilterRole(model::FlowClassesModel::SearchTextRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(0);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("FlowsFilter"));
    m_filter->setPlaceholderText(QStringLiteral("Filter flows: address, container, interface, rule …"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("FlowsSummary"));
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("FlowsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(model::FlowClassesModel::IdColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setItemDelegate(new AnalysisDelegate(AnalysisDelegate::Kind::FlowClasses, m_table));
    m_details = new QTextBrowser(this);
    m_details->setObjectName(QStringLiteral("FlowDetails"));

    auto* top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_summary);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &FlowsView::showCurrent);
    setAnalysis(nullptr);
}

FlowsView::~FlowsView() = default;

void FlowsView::setAnalysis(model::AnalysisPtr analysis)
{
    m_model->setAnalysis(analysis);
    if (!analysis || !analysis->flows) {
        m_summary->setText(QStringLiteral("Open a before/after pair to see which flows changed fate."));
    } else {
        const auto& d = *analysis->flows;
        m_summary->setText(QStringLiteral("%1 changed, %2 depend on what was not captured (%3 boxes traced)")
                               .arg(d.classes.size())
                               .arg(d.depends.size())
                               .arg(d.boxes));
    }
    m_table->resizeColumnsToContents();
    // Addresses are long and elided anyway (the details pane has them whole); capping them keeps the fate
    // columns, the point of the table, on screen in a window of ordinary width.
    using Flows = model::FlowClassesModel;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        const bool address = c == Flows::IngressColumn || c == Flows::SourceColumn || c == Flows::DestinationColumn;
        m_table->setColumnWidth(c, std::min(m_table->columnWidth(c), address ? 220 : 320));
    }
    if (m_proxy->rowCount() > 0)
        m_table->setCurrentIndex(m_proxy->index(0, 0));
    else
        showCurrent();
}

bool FlowsView::selectClasses(const QList<int>& ids)
{
    auto* selection = m_table->selectionModel();
    selection->clearSelection();
    bool first = true;
    for (int id : ids) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->indexOfClass(id));
        if (!index.isValid())
            continue;
        if (first)
            m_table->setCurrentIndex(index);
        selection->select(index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        first = false;
    }
    return !first;
}

const model::diff::FlowClass* FlowsView::currentClass() const
{
    return m_model->flowClass(m_proxy->mapToSource(m_table->currentIndex()));
}

void FlowsView::showCurrent()
{
    const model::diff::FlowClass* c = currentClass();
    m_details->setHtml(c ? tracesHtml(*c) : QString());
    Q_EMIT classSelected(c);
}

QString FlowsView::tracesHtml(const model::diff::FlowClass& c)
{
    return QStringLiteral("<p>Witness: <b>%1</b></p><table width=100%><tr><td valign=top width=50%>%2</td>"
                          "<td valign=top width=50%>%3</td></tr></table>")
        .arg(h(c.witness.describe()), flowHtml("Before", c.witnessBefore), flowHtml("After", c.witnessAfter));
}

} // namespace views
