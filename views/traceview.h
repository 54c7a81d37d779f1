#pragma once

#include "model/engine/trace.h"
#include "model/snapshot.h"

#include <QWidget>

#include <memory>

class QLabel;
class QTreeWidget;

namespace model::engine {
class Engine;
}

namespace views {

class TraceForm;

// One traced connection attempt in one snapshot, as the Trace view emits it.
struct TracedFlow {
    QString label; // "Before: before.chainsight.json"
    model::engine::FlowResult flow;
};

// A packet form and, for each open snapshot side by side, the hop list of its path (iptables-tracer style:
// hook, table/chain, rule number, rule text, verdict), header rewrites, the deciding rule marked and the final
// fate. A trace takes microseconds, so it runs on the GUI thread.
class TraceView final : public QWidget {
    Q_OBJECT
public:
    explicit TraceView(QWidget* parent = nullptr);
    ~TraceView() override;

    void setSnapshots(const QList<model::SnapshotPtr>& snapshots, const QStringList& labels);

    TraceForm* form() const { return m_form; }
    int columnCount() const { return int(m_columns.size()); }
    QTreeWidget* hops(int column) const;
    QString fateText(int column) const;
    QString errorText() const;
    const QList<TracedFlow>& lastTrace() const { return m_last; }

public Q_SLOTS:
    // Traces the packet in the form through every open snapshot.
    void trace();

Q_SIGNALS:
    // After every successful trace: one flow per open snapshot, in the order they were given.
    void flowTraced(const QList<views::TracedFlow>& flows);

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Column {
        QWidget* box = nullptr;
        QLabel* title = nullptr;
        QLabel* fate = nullptr;
        QTreeWidget* hops = nullptr;
    };
    Column makeColumn(QWidget* parent);
    void showFlow(Column& column, const model::engine::FlowResult& flow, const model::engine::Engine& engine);

    TraceForm* m_form = nullptr;
    QLabel* m_error = nullptr;
    QWidget* m_results = nullptr;
    std::vector<Column> m_columns;
    QList<model::SnapshotPtr> m_snapshots;
    QStringList m_labels;
    std::vector<std::shared_ptr<const model::engine::Engine>> m_engines;
    QList<TracedFlow> m_last;
};

} // namespace views
