#include "views/analysiscolours.h"

#include "model/analysis/findingsmodel.h"

#include "views/colourblend.h"

#include <QPalette>

namespace views {

namespace {

    QColor tinted(const QColor& hue, const QPalette& palette)
    {
        const QColor base = palette.color(QPalette::Base);
        return blendColours(base, hue, base.lightness() < 128 ? 0.40 : 0.30);
    }

} // namespace

QColor severityTint(model::findings::Severity severity, const QPalette& palette)
{
    using model::findings::Severity;
    switch (severity) {
    case Severity::Critical: return tinted(QColor(0xd0, 0x20, 0x20), palette);
    case Severity::High: return tinted(QColor(0xe8, 0x70, 0x10), palette);
    case Severity::Medium: return tinted(QColor(0xe0, 0xb0, 0x00), palette);
    case Severity::Low: return tinted(QColor(0x30, 0x80, 0xd0), palette);
    case Severity::Info: break;
    }
    return tinted(QColor(0x80, 0x80, 0x80), palette);
}

QColor changeTint(model::FlowClassesModel::Change change, const QPalette& palette)
{
    using Change = model::FlowClassesModel::Change;
    switch (change) {
    case Change::Closed: return tinted(QColor(0xd0, 0x20, 0x20), palette);
    case Change::Opened: return tinted(QColor(0xa0, 0x40, 0xd0), palette);
    case Change::Changed: return tinted(QColor(0xe0, 0xb0, 0x00), palette);
    case Change::Depends: break;
    }
    return tinted(QColor(0x80, 0x80, 0x80), palette);
}

AnalysisDelegate::AnalysisDelegate(Kind kind, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_kind(kind)
{
}

void AnalysisDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (m_kind == Kind::Findings) {
        if (index.column() != model::FindingsModel::SeverityColumn)
            return;
        const QVariant s = index.data(model::FindingsModel::SeverityRole);
        if (s.isValid())
            option->backgroundBrush = severityTint(model::findings::Severity(s.toInt()), option->palette);
        return;
    }
    const int column = index.column();
    if (column != model::FlowClassesModel::ChangeColumn && column != model::FlowClassesModel::AfterColumn)
        return;
    const QVariant c = index.data(model::FlowClassesModel::ChangeRole);
    if (c.isValid())
        option->backgroundBrush = changeTint(model::FlowClassesModel::Change(c.toInt()), option->palette);
}

} // namespace views
