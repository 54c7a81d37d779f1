#pragma once

// The findings of an analysis as a flat, read-only table for item views, most severe first (the order
// findings::analyse gives). Colours are the view's business: SeverityRole carries the severity as an int.
// Lives on the GUI thread; the analysis is an immutable shared value.

#include "model/analysis/analysis.h"

#include <QAbstractTableModel>

namespace model {

class FindingsModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SeverityColumn, TitleColumn, FlowsColumn, IdColumn, ColumnCount };
    enum Role {
        SeverityRole = Qt::UserRole + 1, // int(findings::Severity)
        IdRole, // the finding's id
        HasFixRole, // bool: the finding offers a fix that changes rules or has manual steps
    };

    explicit FindingsModel(QObject* parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    const AnalysisPtr& analysis() const { return m_analysis; }
    // The finding of a row; null for an invalid index.
    const findings::Finding* finding(const QModelIndex& index) const;
    QModelIndex indexOfId(const QString& id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    AnalysisPtr m_analysis;
};

} // namespace model
