#include "views/rulesfilter.h"

#include "model/rulesetmodel.h"

namespace views {

using model::RulesetModel;

RulesFilter::RulesFilter(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setAutoAcceptChildRows(true);
}

void RulesFilter::setProvenance(std::optional<model::Provenance> provenance)
{
    m_provenance = provenance;
    invalidateFilter();
}

void RulesFilter::setText(const QString& text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

bool RulesFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!m_provenance && m_text.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const auto kind = RulesetModel::Kind(index.data(RulesetModel::KindRole).toInt());
    if (kind == RulesetModel::Kind::Table)
        return false; // shown through its chains and rules (recursive filtering)
    if (m_provenance && index.data(RulesetModel::ProvenanceRole).toInt() != int(*m_provenance))
        return false;
    return m_text.isEmpty()
        || index.data(RulesetModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace views
