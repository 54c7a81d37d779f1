#include "views/provenancecolours.h"

#include "model/rulesetmodel.h"

#include "views/colourblend.h"

#include <QPalette>

namespace views {

namespace {

    QColor hue(model::Provenance provenance)
    {
        using model::Provenance;
        switch (provenance) {
        case Provenance::Docker:
            return QColor(0x24, 0x96, 0xed);
        case Provenance::Tailscale:
            return QColor(0x8e, 0x5c, 0xd9);
        case Provenance::Ufw:
            return QColor(0xe9, 0x54, 0x20);
        case Provenance::Firewalld:
            return QColor(0xcc, 0x33, 0x33);
        case Provenance::KubeProxy:
            return QColor(0x32, 0xa8, 0x5a);
        case Provenance::Fail2ban:
            return QColor(0xb0, 0x80, 0x00);
        case Provenance::CloudImage:
            return QColor(0x1a, 0xa3, 0xa3);
        case Provenance::Unknown:
            break;
        }
        return {};
    }

} // namespace

QColor provenanceTint(model::Provenance provenance, const QPalette& palette)
{
    const QColor colour = hue(provenance);
    if (!colour.isValid())
        return {};
    const QColor base = palette.color(QPalette::Base);
    // Dark backgrounds need a stronger tint to be noticed at all.
    return blendColours(base, colour, base.lightness() < 128 ? 0.24 : 0.16);
}

void ProvenanceDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    // Rules no packet can reach read as struck out and faded; the tooltip says why.
    if (!index.data(model::RulesetModel::UnreachableRole).toString().isEmpty()) {
        option->font.setStrikeOut(true);
        option->font.setItalic(true);
        option->palette.setColor(QPalette::Text, option->palette.color(QPalette::PlaceholderText));
    }
    const QVariant provenance = index.data(model::RulesetModel::ProvenanceRole);
    if (!provenance.isValid())
        return;
    const QColor tint = provenanceTint(model::Provenance(provenance.toInt()), option->palette);
    if (tint.isValid())
        option->backgroundBrush = tint;
}

} // namespace views
