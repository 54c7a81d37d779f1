#pragma once

#include "model/analysis/analysis.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace model {
class FlowClassesModel;
}

namespace views {

// The semantic diff's flow classes as a sortable, filterable table, with the witness of the current class
// traced through both snapshots side by side.
class FlowsView final : public QWidget {
    Q_OBJECT
public:
    explicit FlowsView(QWidget* parent = nullptr);
    ~FlowsView() override;

    void setAnalysis(model::AnalysisPtr analysis);
    // Selects the classes with these ids (the first becomes current); false when none is shown.
    bool selectClasses(const QList<int>& ids);
    const model::diff::FlowClass* currentClass() const;

    QTableView* table() const { return m_table; }
    QLineEdit* filter() const { return m_filter; }
    QTextBrowser* details() const { return m_details; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    model::FlowClassesModel* classesModel() const { return m_model; }

    // Both traces of a class's witness as HTML, side by side.
    static QString tracesHtml(const model::diff::FlowClass& flowClass);

Q_SIGNALS:
    // The current class changed: its witness's paths before and after (null when no class is current).
    void classSelected(const model::diff::FlowClass* flowClass);

private:
    void showCurrent();

    model::FlowClassesModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QLineEdit* m_filter = nullptr;
    QLabel* m_summary = nullptr;
    QTableView* m_table = nullptr;
    QTextBrowser* m_details = nullptr;
};

} // namespace views
