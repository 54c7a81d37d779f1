#include "model/rulesdiffmodel.h"

namespace model {

RulesDiffModel::RulesDiffModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_rows(buildRulesDiffRows(nullptr, {}))
{
}

void RulesDiffModel::setDiff(std::shared_ptr<const diff::RuleDiff> diff)
{
    setRows(buildRulesDiffRows(std::move(diff), options()));
}

void RulesDiffModel::setRows(RulesDiffRowsPtr rows)
{
    Q_ASSERT(rows);
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void RulesDiffModel::setOptions(const RulesDiffOptions& options)
{
    if (options != m_rows->options)
        rebuild(options);
}

void RulesDiffModel::setShowCounters(bool show)
{
    RulesDiffOptions changed = options();
    changed.showCounters = show;
    setOptions(changed);
}

void RulesDiffModel::setHideUnchangedChains(bool hide)
{
    RulesDiffOptions changed = options();
    changed.hideUnchanged = hide;
    setOptions(changed);
}

void RulesDiffModel::setProvenanceFilter(std::set<Provenance> authors)
{
    RulesDiffOptions changed = options();
    changed.authors = std::move(authors);
    setOptions(changed);
}

void RulesDiffModel::rebuild(const RulesDiffOptions& options) { setRows(buildRulesDiffRows(m_rows->diff, options)); }

const RulesDiffRows::Line* RulesDiffModel::line(int row) const
{
    return row >= 0 && std::size_t(row) < m_rows->lines.size() ? &m_rows->lines[std::size_t(row)] : nullptr;
}

int RulesDiffModel::changeAt(int row) const
{
    const RulesDiffRows::Line* found = line(row);
    return found ? found->change : -1;
}

int RulesDiffModel::partnerRow(int row, int column) const
{
    const RulesDiffRows::Line* found = line(row);
    return found && column >= 0 && column < ColumnCount ? found->partner[column] : -1;
}

RulesDiffModel::LineDiff RulesDiffModel::lineDiff(int row) const
{
    const RulesDiffRows::Line* found = line(row);
    return found ? found->diff : LineDiff::Same;
}

QString RulesDiffModel::text(int row, int column) const
{
    const RulesDiffRows::Line* found = line(row);
    return found && column >= 0 && column < ColumnCount ? found->side[column].text : QString();
}

int RulesDiffModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows->lines.size());
}

int RulesDiffModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RulesDiffModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RulesDiffRows::Line& line = m_rows->lines[std::size_t(index.row())];
    const RulesDiffRows::Side& side = line.side[index.column()];
    switch (role) {
    case Qt::DisplayRole:
        return side.text;
    case Qt::ToolTipRole:
        return line.toolTip.isEmpty() ? QVariant() : QVariant(line.toolTip);
    case LineKindRole:
        return int(line.kind);
    case LineDiffRole:
        return int(line.diff);
    case PartnerRowRole:
        return line.partner[index.column()];
    case ProvenanceRole:
        return int(line.provenance);
    case SourceLineRole:
        return side.sourceLine;
    case ChangeRole:
        return line.change;
    default:
        return {};
    }
}

QVariant RulesDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (section == LeftColumn)
        return QStringLiteral("Before");
    if (section == RightColumn)
        return QStringLiteral("After");
    return {};
}

int RulesDiffModel::rowOfRule(int column, const std::string& table, const std::string& chain, int index) const
{
    if (column < 0 || column >= ColumnCount)
        return -1;
    const auto& rowOf = m_rows->rowOf[column];
    const auto found = rowOf.find({ table, chain, index });
    return found == rowOf.end() ? -1 : found->second;
}

} // namespace model
