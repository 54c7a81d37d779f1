#pragma once

#include "model/analysis/analysis.h"

#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>

class QAction;
class QWidget;

namespace views {

class FindingsView;
class FixScriptView;
class FlowsView;
class SyntaxSupport;

// The views that show an analysis (Findings, Flows, Fix script) and the analysis itself: started whenever
// snapshots open, run off the GUI thread with progress, cancelled when new snapshots arrive or on request.
// The window places the pages and relays progress; this class owns no layout.
class AnalysisPages final : public QObject {
    Q_OBJECT
public:
    AnalysisPages(const SyntaxSupport* syntax, QWidget* parentWidget);
    ~AnalysisPages() override;

    FindingsView* findings() const { return m_findings; }
    FlowsView* flows() const { return m_flows; }
    FixScriptView* fixScript() const { return m_fixScript; }
    const model::AnalysisPtr& analysis() const { return m_analysis; }
    bool busy() const { return m_watcher.isRunning(); }

    // One snapshot (before null) or a pair. Replaces (and cancels) any analysis in progress.
    void analyse(model::SnapshotPtr before, model::SnapshotPtr after, const QString& afterName);
    void clear();

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void started();
    void progressed(int percent);
    void finished(const model::AnalysisPtr& analysis);
    void cancelled();
    // A finding was chosen: the rules it rests on, for the Rules view (family, table, chain, 0-based index).
    void ruleChosen(model::Family family, const QString& table, const QString& chain, int index);
    // A flow class or a finding's flow was chosen: its first packet's traces (every possible path), for the
    // Diagram view.
    void flowChosen(const model::engine::Packet& packet, const std::optional<model::engine::TraceResult>& before,
        const std::optional<model::engine::TraceResult>& after);

private:
    void startPending();
    void onFinished();
    void linkFinding(const QString& id);

    FindingsView* m_findings = nullptr;
    FlowsView* m_flows = nullptr;
    FixScriptView* m_fixScript = nullptr;
    model::AnalysisPtr m_analysis;
    QFutureWatcher<model::AnalysisPtr> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::shared_ptr<std::atomic<int>> m_percent;
    QString m_afterName;
    model::SnapshotPtr m_pendingBefore;
    model::SnapshotPtr m_pendingAfter;
    quint64 m_generation = 0;
    quint64 m_running = 0;
};

} // namespace views
