#include "views/diffcolours.h"

#include "views/colourblend.h"

#include <QPalette>

namespace views {

using LineDiff = model::RulesDiffModel::LineDiff;

namespace {

    QColor hue(LineDiff diff)
    {
        switch (diff) {
        case LineDiff::Added:
            return QColor(0x2e, 0xa0, 0x43);
        case LineDiff::Removed:
            return QColor(0xd7, 0x3a, 0x49);
        case LineDiff::Changed:
            return QColor(0xe0, 0x9a, 0x10);
        case LineDiff::Moved:
            return QColor(0x3d, 0x7e, 0xdb);
        case LineDiff::Same:
            break;
        }
        return {};
    }

} // namespace

QColor diffBackground(LineDiff diff, bool filler, const QPalette& palette)
{
    const QColor colour = hue(diff);
    if (!colour.isValid())
        return {};
    const QColor base = palette.color(QPalette::Base);
    const bool dark = base.lightness() < 128;
    // The empty side of an added or removed line is a lighter wash of the same colour, as in Meld.
    const double amount = filler ? (dark ? 0.12 : 0.08) : (dark ? 0.32 : 0.22);
    return blendColours(base, colour, amount);
}

QString diffLabel(LineDiff diff)
{
    switch (diff) {
    case LineDiff::Added:
        return QStringLiteral("added");
    case LineDiff::Removed:
        return QStringLiteral("removed");
    case LineDiff::Changed:
        return QStringLiteral("changed");
    case LineDiff::Moved:
        return QStringLiteral("moved");
    case LineDiff::Same:
        break;
    }
    return QStringLiteral("unchanged");
}

} // namespace views
