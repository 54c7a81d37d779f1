#pragma once

#include "model/diagram/layout.h"
#include "model/engine/packet.h"
#include "model/engine/trace.h"
#include "model/snapshot.h"

#include <QWidget>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QAction;
class QComboBox;
class QGraphicsScene;
class QLabel;

namespace views {

class DiagramCanvas;

// The Diagram view: the netfilter pipeline of the open snapshot (the "after" one of a pair) with one flow's
// before and after paths drawn over it. Layouts are computed off the GUI thread; only the items are made here.
// Without a chosen flow it traces a default one (the first published container port, see defaultFlow()).
class DiagramView final : public QWidget {
    Q_OBJECT
public:
    explicit DiagramView(QWidget* parent = nullptr);
    ~DiagramView() override;

    // One snapshot, or a before/after pair.
    void setSnapshots(const QList<model::SnapshotPtr>& snapshots);

    DiagramCanvas* canvas() const { return m_canvas; }
    QGraphicsScene* scene() const { return m_scene; }
    const model::diagram::Layout& layout() const { return *m_layout; }
    QString flowText() const;
    bool busy() const { return m_pending > 0; }
    QAction* exportAction() const { return m_export; }

    // Writes the diagram as SVG or PNG (by the file's suffix); on failure returns false and says why in *error.
    bool exportTo(const QString& path, QString* error) const;

public Q_SLOTS:
    // Draws a flow's paths: `before` in the before snapshot, `after` in the after one (either may be absent;
    // with a single snapshot pass its outcome as `before`). The packet says where the flow came in.
    void showFlow(const model::engine::Packet& packet, const std::optional<model::engine::Outcome>& before,
        const std::optional<model::engine::Outcome>& after);
    // The same from whole traces: when a match could not be decided and a side has several possible paths, a
    // chooser per side picks the path drawn (the first at the start).
    void showTraces(const model::engine::Packet& packet, const std::optional<model::engine::TraceResult>& before,
        const std::optional<model::engine::TraceResult>& after);
    void zoomIn();
    void zoomOut();
    void fitToWindow();
    void exportDialog();

Q_SIGNALS:
    // A new layout is on screen.
    void diagramShown();

protected:
    void changeEvent(QEvent* event) override;

public:
    // Handed from the worker to the GUI thread; the layout is shared, never copied.
    struct Computed {
        std::shared_ptr<const model::diagram::Layout> layout;
        QString flow;
    };

private:
    void createActions();
    void compute(std::function<Computed(const std::function<bool()>& stale)> work);
    void present(int generation, Computed computed);
    void rebuildScene();
    QStringList pathNames() const;
    void draw(const model::engine::Packet& packet, const std::optional<model::engine::Outcome>& before,
        const std::optional<model::engine::Outcome>& after);
    void drawChosenPaths();
    void setChooser(QComboBox* box, const std::optional<model::engine::TraceResult>& trace, const QString& side);

public:
    // The path choosers (hidden unless a side has several possible paths), for tests.
    QComboBox* pathChooser(int side) const { return side == 0 ? m_pathBefore : m_pathAfter; }
    bool pathChooserShown(int side) const { return m_chooserActions[side == 0 ? 0 : 1]->isVisible(); }

private:
    DiagramCanvas* m_canvas = nullptr;
    QGraphicsScene* m_scene = nullptr;
    QLabel* m_flowLabel = nullptr;
    QAction* m_zoomIn = nullptr;
    QAction* m_zoomOut = nullptr;
    QAction* m_fit = nullptr;
    QAction* m_export = nullptr;
    QComboBox* m_pathBefore = nullptr;
    QComboBox* m_pathAfter = nullptr;
    std::array<QAction*, 2> m_chooserActions {};
    std::optional<model::engine::Packet> m_tracedPacket;
    std::optional<model::engine::TraceResult> m_tracedBefore;
    std::optional<model::engine::TraceResult> m_tracedAfter;
    model::SnapshotPtr m_before;
    model::SnapshotPtr m_after;
    std::shared_ptr<const model::diagram::Layout> m_layout = std::make_shared<const model::diagram::Layout>();
    QString m_flow;
    int m_generation = 0;
    std::shared_ptr<std::atomic_int> m_latest = std::make_shared<std::atomic_int>(0); // read by the jobs
    int m_pending = 0;
    bool m_fitNext = true;
};

} // namespace views
