#include "views/diagramscene.h"

#include "views/colourblend.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QPainterPath>
#include <QPalette>
#include <QPen>

#include <cmath>

namespace views {

using model::diagram::Edge;
using model::diagram::Layout;
using model::diagram::Node;
namespace PathBit = model::diagram::PathBit;

DiagramColours DiagramColours::forPalette(const QPalette& palette)
{
    if (palette.color(QPalette::Base).lightness() < 128)
        return { QColor(0x56, 0xb4, 0xe9), QColor(0xe6, 0x9f, 0x00) };
    return { QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00) };
}

namespace {

    constexpr qreal kNodeZ = 1;
    constexpr qreal kEdgeZ = 2;
    constexpr qreal kPathZ = 3;

    struct Painter {
        QGraphicsScene& scene;
        const QPalette& palette;
        DiagramColours colours;
        QFont titleFont;
        QFont lineFont;

        Painter(QGraphicsScene& s, const QPalette& p)
            : scene(s)
            , palette(p)
            , colours(DiagramColours::forPalette(p))
            , titleFont(QApplication::font())
            , lineFont(QApplication::font())
        {
            titleFont.setPixelSize(12);
            titleFont.setBold(true);
            lineFont.setPixelSize(11);
        }

        QPen pathPen(std::uint8_t bit, qreal width) const
        {
            QPen pen(bit == PathBit::Before ? colours.before : colours.after, width);
            pen.setCapStyle(Qt::FlatCap);
            pen.setJoinStyle(Qt::MiterJoin);
            if (bit == PathBit::After)
                pen.setDashPattern({ 3, 2 });
            return pen;
        }

        QGraphicsSimpleTextItem* text(const QString& s, const QFont& font, const QColor& colour, QPointF at,
            qreal maxWidth)
        {
            // A font renders wider than the layout guessed: shrink a little first, elide only past that.
            QFont fitted = font;
            while (maxWidth > 0 && QFontMetricsF(fitted).horizontalAdvance(s) > maxWidth
                && fitted.pixelSize() > font.pixelSize() - 2)
                fitted.setPixelSize(fitted.pixelSize() - 1);
            const QFontMetricsF metrics(fitted);
            const QString shown = maxWidth > 0 ? metrics.elidedText(s, Qt::ElideRight, maxWidth) : s;
            auto* item = scene.addSimpleText(shown, fitted);
            item->setBrush(colour);
            item->setPos(at);
            item->setZValue(kNodeZ + 0.5);
            if (shown != s)
                item->setToolTip(s);
            return item;
        }

        // Borders and plain edges: the palette's Mid is nearly the window colour in dark schemes, so the folded
        // chains' dashed boxes and the pipeline's arrows vanished there; a mix of text into base shows in both.
        QColor strokeColour() const
        {
            return blendColours(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.4);
        }

        QColor lineColour(const std::string& line) const
        {
            if (line.rfind("before & after:", 0) == 0)
                return palette.color(QPalette::Text);
            if (line.rfind("before:", 0) == 0)
                return colours.before;
            if (line.rfind("after:", 0) == 0)
                return colours.after;
            return palette.color(QPalette::PlaceholderText);
        }

        QColor fillFor(const Node& n) const
        {
            switch (n.kind) {
            case Node::Kind::Hook:
            case Node::Kind::Network: return palette.color(QPalette::Window);
            case Node::Kind::BuiltinChain:
            case Node::Kind::UserChain: return palette.color(QPalette::Base);
            default: return palette.color(QPalette::AlternateBase);
            }
        }

        void node(const Node& n)
        {
            const QRectF r(n.rect.x, n.rect.y, n.rect.width, n.rect.height);
            const bool frame = n.kind == Node::Kind::Hook || n.kind == Node::Kind::Network;
            QPainterPath shape;
            shape.addRoundedRect(r, 4, 4);
            QPen border(strokeColour(), frame ? 1.5 : 1);
            if (n.kind == Node::Kind::Collapsed || n.kind == Node::Kind::More || n.onlyIn)
                border.setStyle(Qt::DashLine);
            auto* box = scene.addPath(shape, border, fillFor(n));
            box->setZValue(frame ? 0 : kNodeZ);
            box->setData(DiagramData::Role, QStringLiteral("node"));
            box->setData(DiagramData::Id, QString::fromStdString(n.id));
            box->setData(DiagramData::Paths, n.paths);
            if (!n.members.empty()) {
                QStringList names;
                for (const std::string& m : n.members)
                    names << QString::fromStdString(m);
                box->setToolTip(names.join(QLatin1Char('\n')));
            }
            decide(n, r);
            outline(n, r, frame);
            const qreal width = r.width() - 12;
            text(QString::fromStdString(n.title), titleFont, palette.color(QPalette::Text), r.topLeft() + QPointF(8, 4),
                width);
            qreal y = r.top() + 4 + model::diagram::kLineHeight;
            for (const std::string& line : n.lines) {
                text(QString::fromStdString(line), lineFont, lineColour(line), QPointF(r.left() + 8, y + 1), width);
                y += model::diagram::kLineHeight;
            }
        }

        // The chain holding a path's deciding rule: tinted, with a bar in the path's colour down its left side
        // (two thin bars when it decided both paths).
        void decide(const Node& n, const QRectF& r)
        {
            if (!n.decidedHere)
                return;
            QColor tint = (n.decidedHere & PathBit::After) ? colours.after : colours.before;
            tint.setAlpha(36);
            auto* wash = scene.addRect(r.adjusted(1, 1, -1, -1), Qt::NoPen, tint);
            wash->setZValue(kNodeZ + 0.1);
            int slot = 0;
            for (std::uint8_t bit : { PathBit::Before, PathBit::After }) {
                if (!(n.decidedHere & bit))
                    continue;
                auto* bar = scene.addRect(QRectF(r.left() + 1 + 3 * slot, r.top() + 1, 3, r.height() - 2), Qt::NoPen,
                    bit == PathBit::Before ? colours.before : colours.after);
                bar->setZValue(kNodeZ + 0.2);
                bar->setData(DiagramData::Role, QStringLiteral("decision"));
                bar->setData(DiagramData::Paths, bit);
                ++slot;
            }
        }

        void outline(const Node& n, const QRectF& r, bool frame)
        {
            qreal inset = 0;
            for (std::uint8_t bit : { PathBit::Before, PathBit::After }) {
                if (!(n.paths & bit))
                    continue;
                QPainterPath ring;
                ring.addRoundedRect(r.adjusted(inset, inset, -inset, -inset), 4, 4);
                auto* item = scene.addPath(ring, pathPen(bit, frame ? 2 : 2.5), Qt::NoBrush);
                item->setZValue(frame ? 0.5 : kNodeZ + 0.3);
                item->setData(DiagramData::Role, QStringLiteral("path"));
                item->setData(DiagramData::Paths, bit);
                item->setData(DiagramData::Id, QString::fromStdString(n.id));
                inset += 3;
            }
        }

        static QPainterPath line(const std::vector<model::diagram::Point>& points, QPointF offset)
        {
            QPainterPath path(QPointF(points.front().x, points.front().y) + offset);
            for (std::size_t i = 1; i < points.size(); ++i)
                path.lineTo(QPointF(points[i].x, points[i].y) + offset);
            return path;
        }

        void arrowHead(const std::vector<model::diagram::Point>& points, const QColor& colour, qreal size, qreal z)
        {
            const QPointF tip(points.back().x, points.back().y);
            const QPointF from(points[points.size() - 2].x, points[points.size() - 2].y);
            const qreal angle = std::atan2(tip.y() - from.y(), tip.x() - from.x());
            const QPointF a = tip - QPointF(std::cos(angle - 0.45), std::sin(angle - 0.45)) * size;
            const QPointF b = tip - QPointF(std::cos(angle + 0.45), std::sin(angle + 0.45)) * size;
            auto* head = scene.addPolygon(QPolygonF({ tip, a, b }), Qt::NoPen, colour);
            head->setZValue(z);
        }

        void edge(const Edge& e)
        {
            QPen pen(strokeColour(), e.kind == Edge::Kind::Flow ? 1.4 : 1.1);
            if (e.kind == Edge::Kind::Goto)
                pen.setStyle(Qt::DotLine);
            if (e.kind == Edge::Kind::Collapsed)
                pen.setStyle(Qt::DashLine);
            auto* item = scene.addPath(line(e.points, {}), pen);
            item->setZValue(kEdgeZ);
            item->setData(DiagramData::Role, QStringLiteral("edge"));
            item->setData(DiagramData::Id, QString::fromStdString(e.from + '>' + e.to));
            arrowHead(e.points, strokeColour(), 7, kEdgeZ);
            // Both paths on one edge: two lines side by side, so neither hides the other.
            const bool both = (e.paths & PathBit::Before) && (e.paths & PathBit::After);
            for (std::uint8_t bit : { PathBit::Before, PathBit::After }) {
                if (!(e.paths & bit))
                    continue;
                const qreal shift = both ? (bit == PathBit::Before ? -2 : 2) : 0;
                auto* path = scene.addPath(line(e.points, { shift, shift }), pathPen(bit, both ? 2.5 : 3));
                path->setZValue(kPathZ);
                path->setData(DiagramData::Role, QStringLiteral("path"));
                path->setData(DiagramData::Paths, bit);
                path->setData(DiagramData::Id, QString::fromStdString(e.from + '>' + e.to));
                arrowHead(e.points, bit == PathBit::Before ? colours.before : colours.after, 10, kPathZ);
            }
        }

        void legend(const Layout& layout, const QStringList& names)
        {
            qreal y = layout.bounds.bottom() + 28;
            const QColor textColour = palette.color(QPalette::Text);
            for (std::uint8_t bit : { PathBit::Before, PathBit::After }) {
                const QString name = names.value(bit == PathBit::Before ? 0 : 1);
                if (name.isEmpty())
                    continue;
                auto* sample = scene.addLine(QLineF(0, y + 8, 40, y + 8), pathPen(bit, 3));
                sample->setData(DiagramData::Role, QStringLiteral("legend"));
                text(name, lineFont, textColour, QPointF(50, y), 0)->setData(DiagramData::Role, QStringLiteral("legend"));
                y += 20;
            }
            auto* bar = scene.addRect(QRectF(0, y + 1, 5, 14), Qt::NoPen, textColour);
            bar->setData(DiagramData::Role, QStringLiteral("legend"));
            text(QStringLiteral("chain holding the rule that decided (bar in the path's colour)"), lineFont, textColour,
                QPointF(50, y), 0);
            y += 20;
            text(QStringLiteral("dashed box: chains folded away or not in this snapshot; hover for names"), lineFont,
                textColour, QPointF(50, y), 0);
            y += 28;
            for (const std::string& caption : layout.captions) {
                auto* item = text(QString::fromStdString(caption), lineFont, lineColour(caption), QPointF(0, y), 0);
                item->setData(DiagramData::Role, QStringLiteral("caption"));
                y += 18;
            }
        }
    };

} // namespace

void fillDiagramScene(QGraphicsScene& scene, const Layout& layout, const QPalette& palette, const QStringList& pathNames)
{
    scene.clear();
    scene.setBackgroundBrush(palette.color(QPalette::Base));
    Painter painter(scene, palette);
    for (const Node& n : layout.nodes)
        painter.node(n);
    for (const Edge& e : layout.edges)
        painter.edge(e);
    painter.legend(layout, pathNames);
    scene.setSceneRect(scene.itemsBoundingRect().adjusted(-24, -24, 24, 24));
}

} // namespace views
