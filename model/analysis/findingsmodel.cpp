#include "model/analysis/findingsmodel.h"

#include "model/fix/selection.h"

namespace model {

FindingsModel::FindingsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void FindingsModel::setAnalysis(AnalysisPtr analysis)
{
    beginResetModel();
    m_analysis = std::move(analysis);
    endResetModel();
}

const findings::Finding* FindingsModel::finding(const QModelIndex& index) const
{
    if (!m_analysis || !index.isValid() || index.model() != this)
        return nullptr;
    const auto row = static_cast<std::size_t>(index.row());
    return row < m_analysis->findings.size() ? &m_analysis->findings[row] : nullptr;
}

QModelIndex FindingsModel::indexOfId(const QString& id) const
{
    if (!m_analysis)
        return {};
    const std::string wanted = id.toStdString();
    for (std::size_t i = 0; i < m_analysis->findings.size(); ++i)
        if (m_analysis->findings[i].id == wanted)
            return index(static_cast<int>(i), TitleColumn);
    return {};
}

int FindingsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_analysis ? 0 : static_cast<int>(m_analysis->findings.size());
}

int FindingsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant FindingsModel::data(const QModelIndex& index, int role) const
{
    const findings::Finding* f = finding(index);
    if (!f)
        return {};
    switch (role) {
    case SeverityRole: return static_cast<int>(f->severity);
    case IdRole: return QString::fromStdString(f->id);
    case HasFixRole: return fix::defaultOption(*f) != nullptr;
    case Qt::ToolTipRole: return QString::fromStdString(f->impact.empty() ? f->explanation : f->impact);
    case Qt::DisplayRole: break;
    default: return {};
    }
    switch (index.column()) {
    case SeverityColumn: return QString::fromLatin1(findings::severityName(f->severity));
    case TitleColumn: return QString::fromStdString(f->title);
    case FlowsColumn: return static_cast<qulonglong>(f->flows.size());
    case IdColumn: return QString::fromStdString(f->id);
    default: return {};
    }
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn: return QStringLiteral("Severity");
    case TitleColumn: return QStringLiteral("Finding");
    case FlowsColumn: return QStringLiteral("Flows");
    case IdColumn: return QStringLiteral("Id");
    default: return {};
    }
}

} // namespace model
