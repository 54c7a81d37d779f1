#pragma once

#include "model/ruleset.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace views {

// Filters a RulesetModel by who wrote a rule and by text. A chain that matches keeps all its rules; a table
// or chain stays visible while anything inside it matches.
class RulesFilter final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RulesFilter(QObject* parent = nullptr);

    void setProvenance(std::optional<model::Provenance> provenance); // nullopt: every author
    void setText(const QString& text); // case-insensitive substring of the rule line or chain name
    bool isActive() const { return m_provenance.has_value() || !m_text.isEmpty(); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    std::optional<model::Provenance> m_provenance;
    QString m_text;
};

} // namespace views
