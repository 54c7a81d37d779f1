#include "model/analysis/flowclassesmodel.h"

namespace model {

namespace {

    QString q(const std::string& s) { return QString::fromStdString(s); }

    FlowClassesModel::Change changeOf(const diff::FlowClass& c, bool depends)
    {
        if (depends)
            return FlowClassesModel::Change::Depends;
        if (c.opened)
            return FlowClassesModel::Change::Opened;
        if (c.closed)
            return FlowClassesModel::Change::Closed;
        return FlowClassesModel::Change::Changed;
    }

    QString ports(const diff::ClassText& t)
    {
        if (t.dport.empty())
            return {};
        if (t.sport.empty() || t.sport == "any")
            return q(t.dport);
        return q(t.dport) + QStringLiteral(" from ") + q(t.sport);
    }

} // namespace

FlowClassesModel::FlowClassesModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

QString FlowClassesModel::changeName(Change change)
{
    switch (change) {
    case Change::Closed: return QStringLiteral("closed");
    case Change::Opened: return QStringLiteral("opened");
    case Change::Changed: return QStringLiteral("changed");
    case Change::Depends: return QStringLiteral("depends");
    }
    return {};
}

void FlowClassesModel::setAnalysis(AnalysisPtr analysis)
{
    beginResetModel();
    m_analysis = std::move(analysis);
    m_rows.clear();
    if (m_analysis && m_analysis->flows && m_analysis->engineBefore && m_analysis->engineAfter) {
        const diff::FlowDiff& d = *m_analysis->flows;
        for (const auto* list : { &d.classes, &d.depends }) {
            for (const diff::FlowClass& c : *list) {
                Row row;
                row.flowClass = &c;
                row.text = diff::describeClass(d, c, m_analysis->engineBefore->host(), m_analysis->engineAfter->host());
                row.change = changeOf(c, list == &d.depends);
                m_rows.push_back(std::move(row));
            }
        }
        for (Row& row : m_rows) {
            QStringList parts;
            for (int col = 0; col < ColumnCount; ++col)
                parts << cellText(row, col);
            row.search = parts.join(QLatin1Char('\n'));
        }
    }
    endResetModel();
}

const diff::FlowClass* FlowClassesModel::flowClass(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this || index.row() >= static_cast<int>(m_rows.size()))
        return nullptr;
    return m_rows[static_cast<std::size_t>(index.row())].flowClass;
}

const diff::ClassText* FlowClassesModel::classText(const QModelIndex& index) const
{
    if (!flowClass(index))
        return nullptr;
    return &m_rows[static_cast<std::size_t>(index.row())].text;
}

QModelIndex FlowClassesModel::indexOfClass(int classId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].flowClass->id == classId)
            return index(static_cast<int>(i), IdColumn);
    return {};
}

int FlowClassesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FlowClassesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString FlowClassesModel::cellText(const Row& row, int column) const
{
    const diff::FlowClass& c = *row.flowClass;
    switch (column) {
    case IdColumn: return QString::number(c.id);
    case ChangeColumn: return changeName(row.change);
    case IngressColumn: return q(row.text.ingress);
    case SourceColumn: return q(row.text.src);
    case DestinationColumn: return q(row.text.dst);
    case ProtocolColumn: return q(row.text.protocol);
    case PortsColumn: return ports(row.text);
    case BeforeColumn: return q(diff::describeFate(c.before));
    case AfterColumn: return q(diff::describeFate(c.after));
    case RuleBeforeColumn: return q(diff::describeRule(c.before));
    case RuleAfterColumn: return q(diff::describeRule(c.after));
    default: return {};
    }
}

QVariant FlowClassesModel::data(const QModelIndex& index, int role) const
{
    if (!flowClass(index) || index.column() >= ColumnCount)
        return {};
    const Row& row = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole: return cellText(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == RuleBeforeColumn || index.column() == RuleAfterColumn
            || index.column() == SourceColumn || index.column() == DestinationColumn)
            return cellText(row, index.column());
        return {};
    case ChangeRole: return static_cast<int>(row.change);
    case ClassIdRole: return row.flowClass->id;
    case SortRole:
        if (index.column() == IdColumn)
            return row.flowClass->id;
        if (index.column() == ChangeColumn)
            return static_cast<int>(row.change);
        return cellText(row, index.column());
    case SearchTextRole: return row.search;
    default: return {};
    }
}

QVariant FlowClassesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const names[ColumnCount] = { "#", "Change", "Ingress", "Source", "Destination", "Protocol",
        "Ports", "Before", "After", "Decided before by", "Decided after by" };
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

} // namespace model
