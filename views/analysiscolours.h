#pragma once

#include "model/analysis/flowclassesmodel.h"
#include "model/findings/finding.h"

#include <QColor>
#include <QStyledItemDelegate>

class QPalette;

namespace views {

// Tints that stay readable in light and dark palettes (blended into the base colour).
QColor severityTint(model::findings::Severity severity, const QPalette& palette);
QColor changeTint(model::FlowClassesModel::Change change, const QPalette& palette);

// Colours a FindingsModel's severity column, or a FlowClassesModel's change and fate columns.
class AnalysisDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    enum class Kind { Findings, FlowClasses };
    AnalysisDelegate(Kind kind, QObject* parent);

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;

private:
    Kind m_kind;
};

} // namespace views
