#pragma once

#include "model/diagram/layout.h"

#include <QColor>
#include <QStringList>

class QGraphicsScene;
class QPalette;

namespace views {

// The two path colours: Okabe-Ito blue and vermillion (sky blue and orange on dark backgrounds), which
// colour-blind readers tell apart; "before" is also drawn solid and "after" dashed.
struct DiagramColours {
    QColor before;
    QColor after;
    static DiagramColours forPalette(const QPalette& palette);
};

// What a scene item stands for, kept in QGraphicsItem::data() so tests and tooltips can find items.
namespace DiagramData {
    inline constexpr int Role = 0; // QString: "node", "edge", "path", "legend", "caption"
    inline constexpr int Paths = 1; // int: model::diagram::PathBit values the item belongs to
    inline constexpr int Id = 2; // QString: node id, or "from>to" for edges
}

// Turns a layout into items, on the GUI thread. pathNames: how the legend calls the two paths
// ("before: docker 27", ...); a legend and the layout's captions go below the pipeline.
void fillDiagramScene(QGraphicsScene& scene, const model::diagram::Layout& layout, const QPalette& palette,
    const QStringList& pathNames);

} // namespace views
