#pragma once

// The rule-level diff of two rulesets as aligned lines for a side-by-side view: one row per line, the before
// text in LeftColumn and the after text in RightColumn, each side reading like iptables-save output ("*table",
// ":CHAIN POLICY", "-A ..."), with empty text where only the other side has something. Rows carry how they
// differ and, for a moved rule, the row of the place it moved to or from. Changes are grouped into runs of
// adjacent differing rows for next/previous navigation. Options (counters, unchanged chains, a provenance
// filter) rebuild the rows with a model reset. Lives on the GUI thread like any item model; the diff is an
// immutable shared value.

#include "model/diff/rulediff.h"

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
    enum class LineKind { Table, Chain, Rule };
    enum class LineDiff { Same, Added, Removed, Changed, Moved };
    enum Role {
        LineKindRole = Qt::UserRole + 1, // int(LineKind)
        LineDiffRole, // int(LineDiff)
        PartnerRowRole, // the row of the same rule on the other side: this row, a moved rule's new place, or -1
        ProvenanceRole, // int(Provenance)
        SourceLineRole, // 1-based line in this column's source text, 0 for none
        ChangeRole, // index of the change (run of differing rows) this row belongs to, or -1
    };

    explicit RulesDiffModel(QObject* parent = nullptr);

    void setDiff(std::shared_ptr<const diff::RuleDiff> diff);
    const std::shared_ptr<const diff::RuleDiff>& diff() const { return m_diff; }

    void setShowCounters(bool show);
    bool showCounters() const { return m_showCounters; }
    void setHideUnchangedChains(bool hide);
    bool hideUnchangedChains() const { return m_hideUnchanged; }
    // Only rules (and chains) written by one of these; empty: everyone.
    void setProvenanceFilter(std::set<Provenance> authors);

    // The first row of each change, in order.
    const std::vector<int>& changeStarts() const { return m_changeStarts; }
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
    struct Side {
        QString text;
        int sourceLine = 0;
        std::optional<diff::RuleLocation> location; // for rules: where this side's rule sits
        std::optional<diff::RuleLocation> movedTo; // for a moved rule: its place on the other side
    };
    struct Line {
        LineKind kind = LineKind::Rule;
        LineDiff diff = LineDiff::Same;
        Provenance provenance = Provenance::Unknown;
        Side side[2];
        int partner[2] = { -1, -1 };
        int change = -1;
        QString toolTip;
    };

    void rebuild();
    void addChain(const diff::ChainDiff& chain, std::vector<Line>& lines) const;
    Line ruleLine(const diff::ChainDiff& chain, const diff::RuleRow& row) const;
    bool accepts(Provenance provenance) const;
    QString ruleText(const Rule& rule) const;
    void linkPartners();
    void groupChanges();

    std::shared_ptr<const diff::RuleDiff> m_diff;
    std::vector<Line> m_lines;
    std::vector<int> m_changeStarts;
    bool m_showCounters = true;
    bool m_hideUnchanged = false;
    std::set<Provenance> m_authors;
};

} // namespace model
