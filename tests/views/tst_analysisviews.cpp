// The Findings, Flows and Fix script pages in the window, on the demo pair: the analysis arrives off the GUI
// thread, choosing a finding selects its flows, the Rules view and the Diagram follow, and the script exports.
#include "views/analysispages.h"
#include "views/diagramview.h"
#include "views/findingsview.h"
#include "views/fixscriptview.h"
#include "views/flowsview.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"
#include "views/previewdialog.h"
#include "views/rulesdiffview.h"

#include "model/analysis/findingsmodel.h"
#include "model/rulesdiffmodel.h"

#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextEdit>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>
#include <QTreeWidget>

using views::MainWindow;

class TestAnalysisViews final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_window = std::make_unique<MainWindow>(&m_plain);
        m_window->resize(1400, 900);
        QSignalSpy done(m_window->analysisPages(), &views::AnalysisPages::finished);
        m_window->openPaths({ QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json"),
            QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/after.chainsight.json") });
        QVERIFY(done.wait(60000));
    }

    void cleanup() { m_window.reset(); }

    void findingsListShowsTheDirectRoutingFinding()
    {
        auto* findings = m_window->analysisPages()->findings();
        QVERIFY(findings->findingsModel()->rowCount() >= 1);
        QCOMPARE(findings->currentFinding()->id, std::string("direct-routing-raw-drop"));
        QVERIFY(findings->details()->toPlainText().contains(QStringLiteral("raw/PREROUTING")));
        // The rule's author is named as everywhere else in the window ("Docker", not the file format's "docker").
        QVERIFY(findings->details()->toHtml().contains(QStringLiteral(">Docker<")));
        QVERIFY(m_window->findChild<QAction*>(QStringLiteral("actionViewFindings"))->isEnabled());
        QVERIFY(m_window->findChild<QAction*>(QStringLiteral("actionViewFlows"))->isEnabled());
    }

    // One finding: the list is a few rows tall and the details get the rest of the page.
    void theFindingsListIsAsTallAsItsFindings()
    {
        m_window->resize(1280, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->findChild<QAction*>(QStringLiteral("actionViewFindings"))->trigger();
        auto* findings = m_window->analysisPages()->findings();
        QTRY_VERIFY(findings->isVisible());
        QCOMPARE(findings->findingsModel()->rowCount(), 1);
        const int row = findings->list()->visualRect(findings->findingsModel()->index(0, 0)).height();
        QVERIFY(row > 0);
        QVERIFY2(findings->list()->viewport()->height() <= 4 * row, qPrintable(QString::number(findings->list()->height())));
        QVERIFY(findings->list()->viewport()->height() >= 3 * row);
        QVERIFY(findings->details()->height() > 3 * findings->list()->height());
    }

    void choosingAFindingSelectsItsFlowsRulesAndDiagram()
    {
        auto* pages = m_window->analysisPages();
        QSignalSpy diagram(m_window->diagramView(), &views::DiagramView::diagramShown);
        QVERIFY(pages->findings()->selectFinding(QStringLiteral("direct-routing-raw-drop")));
        // re-emit by choosing it again through the list, as a user would
        pages->findings()->list()->setCurrentIndex({});
        QVERIFY(pages->findings()->selectFinding(QStringLiteral("direct-routing-raw-drop")));
        const model::diff::FlowClass* c = pages->flows()->currentClass();
        QVERIFY(c);
        QCOMPARE(c->after.deciding.table, std::string("raw"));
        QVERIFY(pages->flows()->table()->selectionModel()->selectedRows().size() >= 1);
        // the Rules view's after pane sits on the raw rule the finding rests on
        const int row = m_window->rulesDiffView()->currentRow();
        QVERIFY(row >= 0);
        QVERIFY(m_window->rulesDiffView()->model()->text(row, 1).contains(QStringLiteral("-j DROP")));
        QVERIFY(diagram.count() > 0 || diagram.wait(15000));
    }

    void flowsFilterNarrowsTheTable()
    {
        auto* flows = m_window->analysisPages()->flows();
        const int all = flows->proxy()->rowCount();
        QVERIFY(all > 1);
        flows->filter()->setText(QStringLiteral("tailscale0"));
        QVERIFY(flows->proxy()->rowCount() < all);
        QVERIFY(flows->proxy()->rowCount() > 0);
        QVERIFY(flows->details()->toPlainText().contains(QStringLiteral("Before")));
    }

    // Each finding's fix options on their own row under it, the box as wide as its longest option: in a
    // 1280x800 window the chosen option reads whole, and the tooltip still has it.
    void fixOptionsAreAsWideAsTheirLongestEntry()
    {
        m_window->resize(1280, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->findChild<QAction*>(QStringLiteral("actionViewFixScript"))->trigger();
        auto* fix = m_window->analysisPages()->fixScript();
        const QList<QComboBox*> boxes = fix->choices()->findChildren<QComboBox*>(QStringLiteral("FixOption"));
        QVERIFY(!boxes.isEmpty());
        QCOMPARE(boxes.size(), fix->choices()->topLevelItemCount());
        for (QComboBox* box : boxes) {
            int longest = 0;
            for (int i = 0; i < box->count(); ++i)
                longest = std::max(longest, box->fontMetrics().horizontalAdvance(box->itemText(i)));
            QVERIFY2(box->sizeHint().width() > longest, qPrintable(box->itemText(0)));
            QVERIFY2(box->minimumSizeHint().width() > longest, qPrintable(box->itemText(0)));
            QCOMPARE(box->toolTip(), box->currentText());
            QTRY_VERIFY2(box->isVisible() && box->width() > box->fontMetrics().horizontalAdvance(box->currentText()),
                qPrintable(QStringLiteral("%1 px for %2").arg(box->width()).arg(box->currentText())));
        }
        // One finding: the list is as tall as its finding and options row (three lines at least), not a band of
        // empty rows; the verification below gets the room.
        const int line = fix->choices()->fontMetrics().height();
        QVERIFY2(fix->choices()->height() < 9 * line, qPrintable(QString::number(fix->choices()->height())));
        QVERIFY(fix->choices()->viewport()->height() >= 3 * line);
        auto* details = fix->findChild<QTextEdit*>(QStringLiteral("FixVerificationDetails"));
        QVERIFY(details);
        QVERIFY(details->height() > 2 * fix->choices()->height());
    }

    void fixScriptIsVerifiedAndExportsAnExecutable()
    {
        auto* fix = m_window->analysisPages()->fixScript();
        QVERIFY(fix->chooseOnly(QStringLiteral("direct-routing-raw-drop")));
        QVERIFY(fix->hasScript());
        QVERIFY(fix->editor()->toPlainText().contains(QStringLiteral("chainsight:direct-routing-raw-drop")));
        QSignalSpy verified(fix, &views::FixScriptView::verificationFinished);
        QVERIFY(verified.wait(60000));
        QCOMPARE(verified.last().at(0).toBool(), true);
        QVERIFY(fix->verificationLabel()->text().startsWith(QStringLiteral("<b>Verified.</b>")));
        auto* exportAction = m_window->findChild<QAction*>(QStringLiteral("actionExportRemediationScript"));
        QVERIFY(exportAction->isEnabled());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fix.sh"));
        QString error;
        QVERIFY2(m_window->exportScriptTo(path, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).permissions() & QFileDevice::ExeOwner);
        QCOMPARE(QProcess::execute(QStringLiteral("bash"), { QStringLiteral("-n"), path }), 0);
        // unticking everything leaves nothing to export
        fix->chooseOnly(QStringLiteral("no-such-finding"));
        QVERIFY(!fix->hasScript());
        QVERIFY(!exportAction->isEnabled());
    }

    // Snapshot ▸ Preview Docker Upgrade… on the demo's before snapshot alone: the prediction for 28.5.2 opens as
    // the after of a pair and shows the real upgrade's finding.
    void previewOpensThePredictionAsAPair()
    {
        MainWindow window(&m_plain);
        QSignalSpy first(window.analysisPages(), &views::AnalysisPages::finished);
        window.openPaths({ QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/before.chainsight.json") });
        QVERIFY(first.wait(60000));
        auto* preview = window.findChild<QAction*>(QStringLiteral("actionPreviewUpgrade"));
        QVERIFY(preview->isEnabled());
        preview->trigger();
        views::PreviewDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<views::PreviewDialog*>()));
        QCOMPARE(dialog->version(), QStringLiteral("28.5.2"));
        QSignalSpy second(window.analysisPages(), &views::AnalysisPages::finished);
        dialog->accept();
        QVERIFY(second.wait(60000));
        const auto& analysis = window.analysisPages()->analysis();
        QVERIFY(analysis->isPair());
        QVERIFY(analysis->after->meta.predicted);
        QCOMPARE(analysis->findings.front().id, std::string("direct-routing-raw-drop"));
    }

private:
    views::SyntaxSupport m_plain;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestAnalysisViews)
#include "tst_analysisviews.moc"
