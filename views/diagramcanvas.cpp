#include "views/diagramcanvas.h"

#include <QWheelEvent>

#include <algorithm>

namespace views {

namespace {
    constexpr qreal kMinZoom = 0.1;
    constexpr qreal kMaxZoom = 6.0;
}

DiagramCanvas::DiagramCanvas(QWidget* parent)
    : QGraphicsView(parent)
{
    setObjectName(QStringLiteral("DiagramCanvas"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
}

void DiagramCanvas::zoomBy(qreal factor)
{
    const qreal target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    const qreal step = target / zoom();
    scale(step, step);
}

void DiagramCanvas::fit()
{
    if (!scene())
        return;
    fitInView(sceneRect(), Qt::KeepAspectRatio);
    if (zoom() > 1.5) // a small pipeline stays at a readable size rather than blown up
        zoomBy(1.5 / zoom());
}

void DiagramCanvas::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const int delta = event->angleDelta().y();
        if (delta != 0)
            zoomBy(delta > 0 ? 1.15 : 1 / 1.15);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

} // namespace views
