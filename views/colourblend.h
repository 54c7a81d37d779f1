#pragma once

#include <QColor>

namespace views {

// tint mixed into base by amount (0: base, 1: tint); how every tint in the views stays readable on both palettes.
inline QColor blendColours(const QColor& base, const QColor& tint, double amount)
{
    return QColor::fromRgbF(float(base.redF() * (1 - amount) + tint.redF() * amount),
        float(base.greenF() * (1 - amount) + tint.greenF() * amount),
        float(base.blueF() * (1 - amount) + tint.blueF() * amount));
}

} // namespace views
