#pragma once

// The rule-level diff of two rulesets as aligned lines for a side-by-side view: one row per line, the before
// text in LeftColumn and the after text in RightColumn, each side reading like iptables-save output ("*table",
// ":CHAIN POLICY", "-A ..."), with empty text where only the other side has something. Rows carry how they
// differ and, for a moved rule, the row of the place it moved to or from. Changes are grouped into runs of
// adjacent differing rows for next/previous navigation. Options (counters, unchanged chains, a provenance
// filter) rebuild the rows with a model reset. Lives on the GUI thread like any item model; the diff and its
// rows (see rulesdiffrows.h) are immutable shared values, so a large pair's rows can be built elsewhere and
// handed over with setRows().

#include "model/rulesdiffrows.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace model {

class RulesDiffModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LeftColumn, RightColumn, ColumnCount };
    using LineKind = RulesDiffRows::LineKind;
    using LineDiff = RulesDiffRows::LineDiff;
    enum Role {
        LineKindRole = Qt::UserRole + 1, // int(LineKind)
        LineDiffRole, // int(LineDiff)
        PartnerRowRole, // the row of the same rule on the other side: this row, a moved rule's new place, or -1
        ProvenanceRole, // int(Provenance)
        SourceLineRole, // 1-based line in this column's source text, 0 for none
        ChangeRole, // index of the change (run of differing rows) this row belongs to, or -1
    };

    explicit RulesDiffModel(QObject* parent = nullptr);

    // Builds the rows on this thread with the current options.
    void setDiff(std::shared_ptr<const diff::RuleDiff> diff);
    const std::shared_ptr<const diff::RuleDiff>& diff() const { return m_rows->diff; }
    // Shows rows built elsewhere (buildRulesDiffRows()); their options become the model's.
    void setRows(RulesDiffRowsPtr rows);
    const RulesDiffRowsPtr& rows() const { return m_rows; }
    const RulesDiffOptions& options() const { return m_rows->options; }

    void setShowCounters(bool show);
    bool showCounters() const { return options().showCounters; }
    void setHideUnchangedChains(bool hide);
    bool hideUnchangedChains() const { return options().hideUnchanged; }
    // Only rules (and chains) written by one of these; empty: everyone.
    void setProvenanceFilter(std::set<Provenance> authors);
    void setOptions(const RulesDiffOptions& options);

    // The first row of each change, in order.
    const std::vector<int>& changeStarts() const { return m_rows->changeStarts; }
    int changeAt(int row) const; // -1 when the row is unchanged
    int partnerRow(int row, int column) const; // as PartnerRowRole, seen from one column
    LineDiff lineDiff(int row) const;
    QString text(int row, int column) const;
    // The row showing a rule (0-based index in its chain) on one side; -1 when it is not shown (filtered out).
    int rowOfRule(int column, const std::string& table, const std::string& chain, int index) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild(const RulesDiffOptions& options);
    const RulesDiffRows::Line* line(int row) const;

    RulesDiffRowsPtr m_rows;
};

} // namespace model
