#pragma once

// One ruleset as a read-only tree for item views: table ▸ chain ▸ rule, with columns for the rule text,
// who wrote it (provenance) and its packet/byte counters. Colours are the view's business: the model only
// exposes ProvenanceRole, so it stays free of Qt GUI types. Lives on the GUI thread like any item model;
// the ruleset itself is an immutable shared value, so swapping it is cheap.

#include "model/reachability.h"
#include "model/ruleset.h"

#include <QAbstractItemModel>

#include <memory>

namespace model {

class RulesetModel final : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { RuleColumn, ProvenanceColumn, PacketsColumn, BytesColumn, ColumnCount };
    enum class Kind { Table, Chain, Rule };
    enum Role {
        KindRole = Qt::UserRole + 1, // int(Kind)
        ProvenanceRole, // int(Provenance), for chains and rules
        LineRole, // 1-based line in the source text (0 when unknown)
        TableNameRole,
        ChainNameRole, // for chains and rules
        SearchTextRole, // what a text filter should look at: the rule line, or the chain/table name
        UnreachableRole, // for rules: why no packet reaches it, empty when one can
    };

    explicit RulesetModel(QObject* parent = nullptr);

    // Finds the unreachable rules on this thread.
    void setRuleset(RulesetPtr ruleset);
    // With the unreachable rules found elsewhere (findUnreachableRules() on the same ruleset).
    void setRuleset(RulesetPtr ruleset, std::shared_ptr<const Reachability> reachability);
    const RulesetPtr& ruleset() const { return m_ruleset; }
    std::size_t unreachableCount() const { return m_reachability->unreachableCount; }

    // The chain or rule declared on a source line; invalid when no item starts there.
    QModelIndex indexForLine(int line) const;

    static QString provenanceLabel(Provenance provenance); // "Docker", "UFW", "Other", ...

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    // Where an index points; decoded from its internal id (see rulesetmodel.cpp).
    struct Location {
        Kind kind = Kind::Table;
        int table = -1;
        int chain = -1;
        int rule = -1;
    };
    Location locate(const QModelIndex& index) const;
    QVariant tableData(const Table& table, int column, int role) const;
    QVariant chainData(const Table& table, const Chain& chain, int column, int role) const;
    QVariant ruleData(const Table& table, const Chain& chain, const Rule& rule, int column, int role) const;

    RulesetPtr m_ruleset;
    std::shared_ptr<const Reachability> m_reachability;
};

} // namespace model
