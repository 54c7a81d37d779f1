#pragma once

// The semantic diff's flow classes as a flat, read-only table for item views: the changed classes in the
// diff's order, then those whose fate depends on something not captured. Texts are computed once when the
// analysis is set. ChangeRole tells views how to colour a row. Lives on the GUI thread.

#include "model/analysis/analysis.h"
#include "model/diff/flowtext.h"

#include <QAbstractTableModel>

namespace model {

class FlowClassesModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        ChangeColumn,
        IngressColumn,
        SourceColumn,
        DestinationColumn,
        ProtocolColumn,
        PortsColumn,
        BeforeColumn,
        AfterColumn,
        RuleBeforeColumn,
        RuleAfterColumn,
        ColumnCount
    };
    enum class Change { Closed, Opened, Changed, Depends };
    enum Role {
        ChangeRole = Qt::UserRole + 1, // int(Change)
        ClassIdRole, // the class id
        SortRole, // what sorting compares (numbers as numbers)
        SearchTextRole, // every column's text, for a filter
    };

    explicit FlowClassesModel(QObject* parent = nullptr);

    void setAnalysis(AnalysisPtr analysis);
    const AnalysisPtr& analysis() const { return m_analysis; }
    const diff::FlowClass* flowClass(const QModelIndex& index) const;
    const diff::ClassText* classText(const QModelIndex& index) const;
    QModelIndex indexOfClass(int classId) const;
    static QString changeName(Change change); // "closed", "opened", ...

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        const diff::FlowClass* flowClass = nullptr;
        diff::ClassText text;
        Change change = Change::Changed;
        QString search;
    };
    QString cellText(const Row& row, int column) const;

    AnalysisPtr m_analysis;
    std::vector<Row> m_rows;
};

} // namespace model
