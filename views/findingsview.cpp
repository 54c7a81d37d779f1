#include "views/findingsview.h"

#include "model/analysis/findingsmodel.h"
#include "model/rulesetmodel.h"
#include "views/analysiscolours.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace views {

namespace {

    QString h(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }

    QString fateText(const model::findings::FlowFate& f)
    {
        QString text = QStringLiteral("<b>%1</b>").arg(QString::fromLatin1(model::engine::fateName(f.fate)));
        if (!f.deciding.empty())
            text += QStringLiteral("<br><code>%1</code>").arg(h(f.deciding));
        return text;
    }

    QString rulesHtml(const model::findings::Finding& f)
    {
        if (f.rules.empty())
            return {};
        QString out = QStringLiteral("<h3>Rules</h3><table cellspacing=0 cellpadding=3 border=1 width=100%>"
                                     "<tr><th>Where</th><th>Rule</th><th>Written by</th><th>Role</th></tr>");
        for (const auto& r : f.rules) {
            const QString where = QStringLiteral("%1/%2%3").arg(h(r.table), h(r.chain),
                r.index > 0 ? QStringLiteral(" #%1").arg(r.index) : QString());
            out += QStringLiteral("<tr><td>%1%2</td><td><code>%3</code></td><td>%4</td><td>%5</td></tr>")
                       .arg(where, r.family == model::Family::IPv6 ? QStringLiteral(" (IPv6)") : QString(), h(r.text),
                           model::RulesetModel::provenanceLabel(r.provenance), h(r.role));
        }
        return out + QStringLiteral("</table>");
    }

    QString flowsHtml(const model::findings::Finding& f, bool pair)
    {
        if (f.flows.empty())
            return {};
        QString out = QStringLiteral("<h3>Flows</h3><table cellspacing=0 cellpadding=3 border=1 width=100%><tr><th>Flow</th>");
        out += pair ? QStringLiteral("<th>Before</th><th>After</th></tr>") : QStringLiteral("<th>Fate</th></tr>");
        for (const auto& flow : f.flows) {
            out += QStringLiteral("<tr><td>%1</td>").arg(h(flow.probe.label));
            if (pair)
                out += QStringLiteral("<td>%1</td>").arg(flow.before ? fateText(*flow.before) : QStringLiteral("-"));
            out += QStringLiteral("<td>%1</td></tr>").arg(fateText(flow.after));
        }
        return out + QStringLiteral("</table>");
    }

    QString fixesHtml(const model::findings::Finding& f)
    {
        if (f.fixes.empty())
            return {};
        QString out = QStringLiteral("<h3>How to fix it</h3>");
        for (const auto& o : f.fixes) {
            out += QStringLiteral("<p><b>%1</b>%2<br>%3</p>")
                       .arg(h(o.title), o.recommended ? QStringLiteral(" (recommended)") : QString(), h(o.tradeoffs));
            QStringList lines;
            for (const auto& r : o.rules) {
                QString line = QStringLiteral("%1 -t %2 %3 %4")
                                   .arg(r.family == model::Family::IPv6 ? QStringLiteral("ip6tables") : QStringLiteral("iptables"),
                                       h(r.table),
                                       r.where == model::fix::RuleChange::Where::Insert ? QStringLiteral("-I") : QStringLiteral("-A"),
                                       h(r.chain));
                for (const auto& word : r.spec)
                    line += QLatin1Char(' ') + h(word);
                lines << line;
            }
            for (const auto& m : o.manual) {
                lines << QStringLiteral("# by hand: ") + h(m.title);
                for (const auto& c : m.commands)
                    lines << QStringLiteral("#   ") + h(c);
            }
            if (!lines.isEmpty())
                out += QStringLiteral("<pre>%1</pre>").arg(lines.join(QLatin1Char('\n')));
        }
        return out;
    }

} // namespace

FindingsView::FindingsView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("FindingsView"));
    m_model = new model::FindingsModel(this);
    m_list = new QTreeView(this);
    m_list->setObjectName(QStringLiteral("FindingsList"));
    m_list->setModel(m_model);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setItemDelegate(new AnalysisDelegate(AnalysisDelegate::Kind::Findings, m_list));
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(model::FindingsModel::TitleColumn, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(model::FindingsModel::SeverityColumn, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(model::FindingsModel::FlowsColumn, QHeaderView::ResizeToContents);
    m_list->setColumnHidden(model::FindingsModel::IdColumn, true);
    m_details = new QTextBrowser(this);
    m_details->setObjectName(QStringLiteral("FindingDetails"));
    m_details->setOpenLinks(false);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("FindingsSummary"));
    m_summary->setWordWrap(true);

    m_summary->setContentsMargins(8, 4, 8, 4);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_list);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_splitter, 1);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &FindingsView::showCurrent);
    setAnalysis(nullptr);
}

FindingsView::~FindingsView() = default;

void FindingsView::setAnalysis(model::AnalysisPtr analysis)
{
    m_model->setAnalysis(analysis);
    if (!analysis) {
        m_summary->setText(QStringLiteral("Open a snapshot (or a before/after pair) to see what its rules do to Docker's traffic."));
    } else if (analysis->findings.empty()) {
        m_summary->setText(QStringLiteral("No findings: nothing in these rules breaks the flows Chainsight checks."));
    } else {
        const auto n = analysis->findings.size();
        m_summary->setText(QStringLiteral("%1 finding%2%3. Choose one to see its evidence and fixes; its flows and rules "
                                          "are selected in the other views.")
                               .arg(n)
                               .arg(n == 1 ? QString() : QStringLiteral("s"),
                                   analysis->isPair() ? QStringLiteral(" comparing before and after") : QString()));
    }
    if (m_model->rowCount() > 0)
        m_list->setCurrentIndex(m_model->index(0, model::FindingsModel::TitleColumn));
    else
        showCurrent();
    m_fitPending = true;
    if (isVisible())
        fitListToFindings();
}

void FindingsView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_fitPending)
        fitListToFindings();
}

// A host has a handful of findings: the list gets the height of its rows (at least three, at most eight, then it
// scrolls) and the details the rest, instead of a fixed share that left an empty band under one finding.
void FindingsView::fitListToFindings()
{
    m_fitPending = false;
    const int rows = std::clamp(m_model->rowCount(), 3, 8);
    const int rowHeight = std::max(m_list->sizeHintForRow(0), m_list->fontMetrics().height() + 4);
    const int wanted = m_list->header()->sizeHint().height() + rows * rowHeight + 2 * m_list->frameWidth() + 2;
    const int total = m_splitter->height() - m_splitter->handleWidth();
    if (total <= 0)
        return;
    const int list = std::min(wanted, total / 2);
    m_splitter->setSizes({ list, total - list });
}

bool FindingsView::selectFinding(const QString& id)
{
    const QModelIndex index = m_model->indexOfId(id);
    if (!index.isValid())
        return false;
    m_list->setCurrentIndex(index);
    return true;
}

const model::findings::Finding* FindingsView::currentFinding() const
{
    return m_model->finding(m_list->currentIndex());
}

void FindingsView::showCurrent()
{
    const model::findings::Finding* f = currentFinding();
    if (!f) {
        m_details->clear();
        Q_EMIT findingSelected(QString());
        return;
    }
    const bool pair = m_model->analysis() && m_model->analysis()->isPair();
    m_details->setHtml(detailsHtml(*f, pair));
    Q_EMIT findingSelected(QString::fromStdString(f->id));
}

QString FindingsView::detailsHtml(const model::findings::Finding& f, bool pair)
{
    QString out = QStringLiteral("<h2>%1</h2><p><i>%2 &middot; %3</i></p>")
                      .arg(h(f.title), QString::fromLatin1(model::findings::severityName(f.severity)), h(f.id));
    if (!f.impact.empty())
        out += QStringLiteral("<p><b>What it breaks:</b> %1</p>").arg(h(f.impact));
    if (!f.explanation.empty())
        out += QStringLiteral("<p>%1</p>").arg(h(f.explanation));
    return out + rulesHtml(f) + flowsHtml(f, pair) + fixesHtml(f);
}

} // namespace views
