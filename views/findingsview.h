#pragma once

#include "model/analysis/analysis.h"

#include <QWidget>

class QLabel;
class QSplitter;
class QTextBrowser;
class QTreeView;

namespace model {
class FindingsModel;
}

namespace views {

// The diagnoses, most severe first, with the chosen one's explanation, evidence (rules with their authors,
// flows before and after) and fix options. Choosing a finding tells the window, which selects its flows and
// rules in the other views.
class FindingsView final : public QWidget {
    Q_OBJECT
public:
    explicit FindingsView(QWidget* parent = nullptr);
    ~FindingsView() override;

    void setAnalysis(model::AnalysisPtr analysis);
    // Selects a finding by id; false when there is none.
    bool selectFinding(const QString& id);
    const model::findings::Finding* currentFinding() const;

    QTreeView* list() const { return m_list; }
    QTextBrowser* details() const { return m_details; }
    model::FindingsModel* findingsModel() const { return m_model; }

    // The details of a finding as HTML (also used by tests and exports).
    static QString detailsHtml(const model::findings::Finding& finding, bool pair);

Q_SIGNALS:
    // A finding was chosen (id), or the selection was cleared (empty id).
    void findingSelected(const QString& id);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void showCurrent();
    void fitListToFindings();

    model::FindingsModel* m_model = nullptr;
    QTreeView* m_list = nullptr;
    QTextBrowser* m_details = nullptr;
    QLabel* m_summary = nullptr;
    QSplitter* m_splitter = nullptr;
    bool m_fitPending = false; // the list's height follows the next analysis shown
};

} // namespace views
