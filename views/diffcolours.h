#pragma once

#include "model/rulesdiffmodel.h"

#include <QColor>

class QPalette;

namespace views {

// Background of a side-by-side diff line, blended into the palette's base colour so that it reads in light and
// dark palettes alike. Invalid for unchanged lines. filler: this side has no line here (the other side does).
QColor diffBackground(model::RulesDiffModel::LineDiff diff, bool filler, const QPalette& palette);

// A short word for the legend and accessibility: "added", "removed", ...
QString diffLabel(model::RulesDiffModel::LineDiff diff);

} // namespace views
