#pragma once

#include "model/analysis/analysis.h"
#include "model/fix/verify.h"

#include <QFutureWatcher>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QTextEdit;
class QSpinBox;
class QSyntaxHighlighter;
class QTreeWidget;

namespace views {

class SyntaxSupport;

// The remediation script for the findings the user ticks (each with one of its fix options), its
// verification against the before snapshot (run off the GUI thread whenever the choice changes) and its
// options. File ▸ Export Remediation Script… writes what is shown here.
class FixScriptView final : public QWidget {
    Q_OBJECT
public:
    explicit FixScriptView(const SyntaxSupport* syntax, QWidget* parent = nullptr);
    ~FixScriptView() override;

    void setAnalysis(model::AnalysisPtr analysis, const QString& afterName);
    // Ticks only this finding (with its default option); false when it has no fix.
    bool chooseOnly(const QString& findingId);

    QString script() const;
    bool hasScript() const { return !m_script.isEmpty(); }
    bool verifying() const { return m_watcher.isRunning(); }
    // The last finished verification; empty when none ran.
    const model::fix::FixVerification& verification() const { return m_verification; }
    // Writes the script (mode 0755); on failure returns false and says why in *error.
    bool exportTo(const QString& path, QString* error) const;

    QTreeWidget* choices() const { return m_choices; }
    QPlainTextEdit* editor() const { return m_editor; }
    QLabel* verificationLabel() const { return m_verificationText; }
    QSpinBox* rollbackSeconds() const { return m_rollback; }
    QCheckBox* dryRunDefault() const { return m_dryRun; }

Q_SIGNALS:
    // The script was regenerated; available: there is one to export.
    void scriptChanged(bool available);
    void verificationFinished(bool ok);

protected:
    void changeEvent(QEvent* event) override;

private:
    void fillChoices();
    void fitChoices();
    QWidget* optionRow(const model::findings::Finding& finding, const std::string& preferredId);
    std::vector<model::fix::FixPlan> chosenPlans() const;
    void regenerate();
    void verify(std::vector<model::fix::FixPlan> plans);
    void showVerification();

    const SyntaxSupport* m_syntax = nullptr;
    model::AnalysisPtr m_analysis;
    QString m_afterName;
    QTreeWidget* m_choices = nullptr;
    QSpinBox* m_rollback = nullptr;
    QCheckBox* m_dryRun = nullptr;
    QLabel* m_verificationText = nullptr;
    QTextEdit* m_verificationDetails = nullptr;
    QPlainTextEdit* m_editor = nullptr;
    QSyntaxHighlighter* m_highlighter = nullptr;
    QString m_script;
    bool m_filling = false;
    quint64 m_generation = 0;
    QFutureWatcher<model::fix::FixVerification> m_watcher;
    quint64 m_watchedGeneration = 0;
    model::fix::FixVerification m_verification;
};

} // namespace views
