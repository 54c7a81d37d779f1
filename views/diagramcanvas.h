#pragma once

#include <QGraphicsView>

namespace views {

// A QGraphicsView that zooms with Ctrl+wheel (around the mouse), pans by dragging and scrolls with the wheel.
class DiagramCanvas final : public QGraphicsView {
    Q_OBJECT
public:
    explicit DiagramCanvas(QWidget* parent = nullptr);

    qreal zoom() const { return transform().m11(); }
    void zoomBy(qreal factor);
    void fit();

protected:
    void wheelEvent(QWheelEvent* event) override;
};

} // namespace views
