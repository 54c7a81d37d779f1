#pragma once

#include "model/ruleset.h"

#include <QColor>
#include <QStyledItemDelegate>

class QPalette;

namespace views {

// A tint per rule author that stays readable in light and dark palettes (blended into the base colour).
// Invalid for Provenance::Unknown: the host's own rules keep the plain background.
QColor provenanceTint(model::Provenance provenance, const QPalette& palette);

// Paints rows of a RulesetModel (or a proxy of one) with their provenance tint.
class ProvenanceDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;
};

} // namespace views
