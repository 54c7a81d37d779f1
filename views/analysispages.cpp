#include "views/analysispages.h"
#include "views/backgroundpool.h"

#include "views/findingsview.h"
#include "views/fixscriptview.h"
#include "views/flowsview.h"

#include <QTimer>
#include <QtConcurrent>

namespace views {

AnalysisPages::AnalysisPages(const SyntaxSupport* syntax, QWidget* parentWidget)
    : QObject(parentWidget)
{
    m_findings = new FindingsView(parentWidget);
    m_flows = new FlowsView(parentWidget);
    m_fixScript = new FixScriptView(syntax, parentWidget);
    connect(&m_watcher, &QFutureWatcher<model::AnalysisPtr>::finished, this, &AnalysisPages::onFinished);
    connect(m_findings, &FindingsView::findingSelected, this, &AnalysisPages::linkFinding);
    connect(m_flows, &FlowsView::classSelected, this, [this](const model::diff::FlowClass* c) {
        if (c)
            Q_EMIT flowChosen(c->witness, c->witnessBefore.original, c->witnessAfter.original);
    });
    // Progress is polled, so the worker never touches a QObject: at most five updates a second.
    auto* poll = new QTimer(this);
    poll->setInterval(200);
    connect(poll, &QTimer::timeout, this, [this] {
        if (m_percent)
            Q_EMIT progressed(m_percent->load());
    });
    connect(this, &AnalysisPages::started, poll, qOverload<>(&QTimer::start));
    connect(this, &AnalysisPages::finished, poll, &QTimer::stop);
    connect(this, &AnalysisPages::cancelled, poll, &QTimer::stop);
}

AnalysisPages::~AnalysisPages()
{
    if (m_cancel)
        m_cancel->store(true);
    m_watcher.waitForFinished();
}

void AnalysisPages::analyse(model::SnapshotPtr before, model::SnapshotPtr after, const QString& afterName)
{
    cancel();
    ++m_generation;
    m_afterName = afterName;
    m_pendingBefore = std::move(before);
    m_pendingAfter = std::move(after);
    if (!m_watcher.isRunning()) // else onFinished() starts it once the cancelled run has stopped
        startPending();
}

void AnalysisPages::startPending()
{
    m_running = m_generation;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_percent = std::make_shared<std::atomic<int>>(0);
    Q_EMIT started();
    m_watcher.setFuture(QtConcurrent::run(backgroundPool(),
        [before = std::move(m_pendingBefore), after = std::move(m_pendingAfter), stop = m_cancel, percent = m_percent] {
            return model::analyse(before, after, [&](double f) {
                percent->store(static_cast<int>(f * 100));
                return !stop->load();
            });
        }));
}

void AnalysisPages::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void AnalysisPages::clear()
{
    cancel();
    m_analysis.reset();
    m_findings->setAnalysis(nullptr);
    m_flows->setAnalysis(nullptr);
    m_fixScript->setAnalysis(nullptr, QString());
}

void AnalysisPages::onFinished()
{
    if (m_running != m_generation) {
        startPending();
        return;
    }
    model::AnalysisPtr result = m_watcher.result();
    if (!result) {
        Q_EMIT cancelled();
        return;
    }
    m_analysis = std::move(result);
    m_flows->setAnalysis(m_analysis);
    m_fixScript->setAnalysis(m_analysis, m_afterName);
    m_findings->setAnalysis(m_analysis);
    Q_EMIT progressed(100);
    Q_EMIT finished(m_analysis);
}

void AnalysisPages::linkFinding(const QString& id)
{
    if (!m_analysis || id.isEmpty())
        return;
    const auto& all = m_analysis->findings;
    const auto f = std::find_if(all.begin(), all.end(), [&](const auto& x) { return QString::fromStdString(x.id) == id; });
    if (f == all.end())
        return;
    bool classShown = false;
    if (m_analysis->flows) {
        QList<int> ids;
        for (const auto& flow : f->flows)
            if (const auto* c = m_analysis->flows->classOf(flow.probe.packet); c && !ids.contains(c->id))
                ids << c->id;
        classShown = m_flows->selectClasses(ids);
        // Emitted here too: choosing the finding again keeps the same current class, which signals nothing.
        if (const model::diff::FlowClass* c = classShown ? m_flows->currentClass() : nullptr)
            Q_EMIT flowChosen(c->witness, c->witnessBefore.original, c->witnessAfter.original);
    }
    // Without a flow class to show (one snapshot, or no class holds it), the first flow's own paths.
    if (!f->flows.empty() && !classShown) {
        const auto& packet = f->flows.front().probe.packet;
        std::optional<model::engine::TraceResult> before;
        if (m_analysis->engineBefore)
            before = m_analysis->engineBefore->trace(packet);
        Q_EMIT flowChosen(packet, before, m_analysis->engineAfter->trace(packet));
    }
    for (const auto& rule : f->rules) {
        if (rule.index > 0) {
            Q_EMIT ruleChosen(rule.family, QString::fromStdString(rule.table), QString::fromStdString(rule.chain),
                rule.index - 1);
            break;
        }
    }
}

} // namespace views
