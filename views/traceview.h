#pragma once

#include "model/engine/trace.h"
#include "model/snapshot.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

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
// fate; every possible path when a match could not be decided. A trace takes microseconds, so it runs on the GUI
// thread; compiling a large ruleset does not: it happens off the GUI thread at the first trace, unless the
// analysis has already handed its engines over (setEngines).
class TraceView final : public QWidget {
    Q_OBJECT
public:
    explicit TraceView(QWidget* parent = nullptr);
    ~TraceView() override;

    using Engines = std::vector<std::shared_ptr<const model::engine::Engine>>;
    // Up to this many rules in all are compiled on the GUI thread at the first trace (a few milliseconds).
    static constexpr std::size_t MaxRulesCompiledInline = 5000;

    void setSnapshots(const QList<model::SnapshotPtr>& snapshots, const QStringList& labels);
    // Engines already compiled for the open snapshots (one each, in order); ignored when they do not fit.
    void setEngines(const QList<model::SnapshotPtr>& snapshots, Engines engines);
    // Compiling the rules off the GUI thread; the trace follows when it is done.
    bool busy() const { return m_compiling.isRunning(); }

    TraceForm* form() const { return m_form; }
    int columnCount() const { return int(m_columns.size()); }
    QTreeWidget* hops(int column) const;
    QString fateText(int column) const;
    // The details line under a hop list: the selected hop's whole rule with its table, chain and line.
    QString hopDetails(int column) const;
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
        QLabel* details = nullptr;
    };
    Column makeColumn(QWidget* parent);
    void showFlow(Column& column, const model::engine::FlowResult& flow, const model::engine::Engine& engine,
        const model::Snapshot& snapshot);
    void traceWith(const model::engine::Packet& packet);
    void compiled();

    TraceForm* m_form = nullptr;
    QLabel* m_error = nullptr;
    QWidget* m_results = nullptr;
    std::vector<Column> m_columns;
    QList<model::SnapshotPtr> m_snapshots;
    QStringList m_labels;
    Engines m_engines;
    QList<TracedFlow> m_last;
    QFutureWatcher<Engines> m_compiling;
    std::optional<model::engine::Packet> m_pending; // traced when the compilation is done
    int m_generation = 0; // bumped by setSnapshots: a compilation for older snapshots is dropped
    int m_compilingFor = -1;
};

} // namespace views
