// The main window's analysis pages (Findings, Flows, Fix script): their actions, the progress of the analysis
// that feeds them, and the links from a chosen finding to the other views.
#include "views/mainwindow.h"

#include "model/rulesdiffmodel.h"
#include "views/analysispages.h"
#include "views/diagramview.h"
#include "views/findingsview.h"
#include "views/fixscriptview.h"
#include "views/previewdialog.h"
#include "views/flowsview.h"
#include "views/rulesdiffview.h"
#include "views/traceview.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>

namespace views {

void MainWindow::createAnalysisActions()
{
    const auto page = [this](const char* name, const QString& text, int key, auto widget) {
        auto* action = new QAction(text, this);
        action->setObjectName(QString::fromLatin1(name));
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_0 + key)));
        connect(action, &QAction::triggered, this, [this, widget] {
            if (!m_snapshots.isEmpty())
                m_stack->setCurrentWidget((m_analysisPages->*widget)());
        });
        return action;
    };
    m_viewFindings = page("actionViewFindings", QStringLiteral("&Findings"), 1, &AnalysisPages::findings);
    m_viewFlows = page("actionViewFlows", QStringLiteral("F&lows"), 2, &AnalysisPages::flows);
    m_viewFixScript = page("actionViewFixScript", QStringLiteral("Fix &Script"), 6, &AnalysisPages::fixScript);
    m_previewUpgrade = new QAction(QStringLiteral("Preview Docker &Upgrade…"), this);
    m_previewUpgrade->setObjectName(QStringLiteral("actionPreviewUpgrade"));
    connect(m_previewUpgrade, &QAction::triggered, this, &MainWindow::previewUpgradeDialog);
}

void MainWindow::createAnalysisPages()
{
    m_analysisPages = new AnalysisPages(m_syntax, this);
    m_stack->addWidget(m_analysisPages->findings());
    m_stack->addWidget(m_analysisPages->flows());
    m_stack->addWidget(m_analysisPages->fixScript());
    connect(m_analysisPages, &AnalysisPages::started, this, &MainWindow::analysisStarted);
    connect(m_analysisPages, &AnalysisPages::progressed, m_progress, &QProgressBar::setValue);
    connect(m_analysisPages, &AnalysisPages::finished, this, &MainWindow::analysisFinished);
    connect(m_analysisPages, &AnalysisPages::cancelled, this, [this] {
        hideLoading();
        statusBar()->showMessage(QStringLiteral("Analysis stopped: findings and flows are not shown"), 5000);
        updateAnalysisActions();
    });
    connect(m_cancelLoad, &QToolButton::clicked, m_analysisPages, &AnalysisPages::cancel);
    connect(m_analysisPages, &AnalysisPages::ruleChosen, this, &MainWindow::selectRule);
    connect(m_analysisPages, &AnalysisPages::flowChosen, m_diagramView, &DiagramView::showTraces);
    connect(m_analysisPages->fixScript(), &FixScriptView::scriptChanged, this, &MainWindow::updateAnalysisActions);
    updateAnalysisActions();
}

void MainWindow::analysisStarted()
{
    statusBar()->showMessage(QStringLiteral("Analysing: tracing every flow through both rulesets…"));
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_cancelLoad->setVisible(true);
    updateAnalysisActions();
}

void MainWindow::analysisFinished(const model::AnalysisPtr& analysis)
{
    hideLoading();
    m_progress->setRange(0, 0);
    // The Trace view traces with the engines the analysis compiled instead of compiling its own.
    if (analysis->isPair())
        m_traceView->setEngines({ analysis->before, analysis->after }, { analysis->engineBefore, analysis->engineAfter });
    else
        m_traceView->setEngines({ analysis->after }, { analysis->engineAfter });
    const auto findings = analysis->findings.size();
    QString message = findings == 0 ? QStringLiteral("No findings")
                                    : QStringLiteral("%1 finding%2 (View ▸ Findings, Ctrl+1)").arg(findings).arg(QLatin1String(findings == 1 ? "" : "s"));
    if (analysis->flows)
        message += QStringLiteral("; %1 flow class%2 changed fate (Ctrl+2)")
                       .arg(analysis->flows->classes.size())
                       .arg(QLatin1String(analysis->flows->classes.size() == 1 ? "" : "es"));
    statusBar()->showMessage(message);
    updateAnalysisActions();
}

void MainWindow::updateAnalysisActions()
{
    const bool ready = m_analysisPages && m_analysisPages->analysis() && !m_analysisPages->busy();
    const QString why = m_snapshots.isEmpty() ? QStringLiteral("Open a snapshot first")
                                              : QStringLiteral("The analysis is still running");
    m_viewFindings->setEnabled(ready);
    m_viewFindings->setStatusTip(ready ? QStringLiteral("What is wrong, in Docker's terms, with fixes") : why);
    const bool pair = ready && m_analysisPages->analysis()->isPair();
    m_viewFlows->setEnabled(pair);
    m_viewFlows->setStatusTip(pair ? QStringLiteral("Every flow whose fate changed between before and after")
                                   : (ready ? QStringLiteral("Open a before/after pair: flows compare two snapshots") : why));
    m_viewFixScript->setEnabled(ready);
    m_viewFixScript->setStatusTip(ready ? QStringLiteral("A verified script for the findings you choose") : why);
    const bool docker = !m_snapshots.isEmpty() && m_snapshots.back()->docker.has_value();
    m_previewUpgrade->setEnabled(docker);
    m_previewUpgrade->setStatusTip(docker ? QStringLiteral("Predict what another Docker release does to this host's firewall")
                                          : QStringLiteral("Open a snapshot with Docker's state (docker network inspect) first"));
    const bool script = ready && m_analysisPages->fixScript()->hasScript();
    m_exportScript->setEnabled(script);
    m_exportScript->setStatusTip(script ? QStringLiteral("Write the Fix script view's script to an executable file")
                                        : QStringLiteral("Choose a finding with a fix in the Fix script view first"));
}

void MainWindow::selectRule(model::Family family, const QString& table, const QString& chain, int index)
{
    if (m_snapshots.size() == 2)
        m_rulesDiff->selectRule(family, RulesDiffView::After, table.toStdString(), chain.toStdString(), index);
}

void MainWindow::previewUpgradeDialog()
{
    if (m_snapshots.isEmpty())
        return;
    auto* dialog = new PreviewDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const model::SnapshotPtr base = m_snapshots.back();
        const QString basePath = m_paths.back();
        QString error;
        const model::SnapshotPtr predicted = dialog->predict(*base, QFileInfo(basePath).fileName(), &error);
        if (!predicted) {
            QMessageBox::warning(this, QStringLiteral("Preview Docker Upgrade"), error);
            return;
        }
        const QString name = QStringLiteral("predicted for Docker %1%2")
                                 .arg(dialog->version(), dialog->inPlace() ? QStringLiteral(" (in place)") : QString());
        showSnapshots({ base, predicted }, { basePath, name });
    });
    dialog->open();
}

void MainWindow::exportScriptDialog()
{
    if (!m_analysisPages->fixScript()->hasScript())
        return;
    const model::SnapshotPtr after = m_analysisPages->analysis()->after;
    const QString host = QString::fromStdString(after->meta.hostname);
    const QString suggested = QDir(QFileInfo(windowFilePath()).absolutePath())
                                  .filePath(QStringLiteral("chainsight-fix-%1.sh").arg(host.isEmpty() ? QStringLiteral("host") : host));
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Export Remediation Script"), suggested, QStringLiteral("Shell scripts (*.sh)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportScriptTo(path, &error))
        QMessageBox::warning(this, QStringLiteral("Export Remediation Script"), error);
}

bool MainWindow::exportScriptTo(const QString& path, QString* error)
{
    if (!m_analysisPages->fixScript()->exportTo(path, error))
        return false;
    const bool verified = m_analysisPages->fixScript()->verification().ok();
    statusBar()->showMessage(QStringLiteral("Wrote %1%2").arg(QDir::toNativeSeparators(path),
                                 verified ? QString() : QStringLiteral(" (not verified: read the Fix script view)")),
        8000);
    return true;
}

} // namespace views
