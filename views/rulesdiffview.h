#pragma once

#include "model/snapshot.h"
#include "views/diffpreparation.h"

#include <QWidget>

#include <optional>
#include <string>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace model {
class RulesDiffModel;
}

namespace views {

class SyntaxSupport;

// Two rulesets side by side, Meld-style: before on the left, after on the right, aligned by table and chain,
// added / removed / changed / moved lines coloured, the current line linked across the panes (a moved rule
// links to where it went), next/previous change with F7 / Shift+F7 or Alt+Down / Alt+Up.
class RulesDiffView final : public QWidget {
    Q_OBJECT
public:
    enum Side { Before = 0, After = 1 };

    explicit RulesDiffView(const SyntaxSupport* syntax, QWidget* parent = nullptr);
    ~RulesDiffView() override;

    void setSnapshots(model::SnapshotPtr before, model::SnapshotPtr after, const QString& beforeLabel,
        const QString& afterLabel);
    bool showFamily(model::Family family);

    model::RulesDiffModel* model() const { return m_model; }
    QPlainTextEdit* pane(Side side) const { return m_panes[side]; }
    int currentRow() const;
    // Puts the cursor on a row of one pane; the other pane's cursor goes to the partner row (for a moved rule,
    // where it went) without scrolling away.
    void selectRow(int row, Side side = Before);
    // Shows a family's ruleset and selects one of its rules on one side. While a large pair is being compared
    // the rule is remembered and selected once the rows arrive. False when neither snapshot has the family.
    bool selectRule(model::Family family, Side side, const std::string& table, const std::string& chain, int index);
    // Whether a large pair's rows are still being prepared off the GUI thread.
    bool isPreparing() const { return m_preparing; }
    // A moved rule: shows and selects where it went (Return or a double click in the pane).
    void jumpToPartner(Side side);
    QString changeText() const;
    QString summary() const;
    QString rowInfo() const;

    // Larger pairs (rules on both sides together) are compared, aligned and laid out off the GUI thread.
    static constexpr std::size_t MaxRulesComparedInline = 4000;
    // The thread that made the lines shown for a large pair (null until one is shown).
    QThread* preparedOn() const { return m_preparedOn; }

public Q_SLOTS:
    void nextChange();
    void previousChange();

Q_SIGNALS:
    void currentRowChanged(int row);

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* buildToolbar();
    void buildPanes();
    void showRuleset(int comboIndex);
    void applyOptions();
    model::RulesDiffOptions currentOptions() const;
    void clearPanes();
    void render();
    void showPrepared(const PreparedDiff& prepared);
    void finishRender();
    void selectPendingRule();
    void followCursor(Side side);
    void markRows(int leftRow, int rightRow);
    void goToChange(int change);
    void updateChangeText();
    void updateSummary();

    const SyntaxSupport* m_syntax = nullptr;
    model::RulesDiffModel* m_model = nullptr;
    model::SnapshotPtr m_before;
    model::SnapshotPtr m_after;
    QComboBox* m_familyBox = nullptr;
    QComboBox* m_provenanceBox = nullptr;
    QCheckBox* m_hideUnchanged = nullptr;
    QCheckBox* m_showCounters = nullptr;
    QToolButton* m_previous = nullptr;
    QToolButton* m_next = nullptr;
    QLabel* m_changeLabel = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_rowInfo = nullptr; // what the current line is: who wrote it, where a moved rule went
    QLabel* m_titles[2] = {};
    QString m_labels[2];
    QPlainTextEdit* m_panes[2] = {};
    QObject* m_highlighters[2] = {};
    bool m_syncing = false;
    bool m_large = false; // the pair shown is compared off the GUI thread
    bool m_preparing = false; // a job for the pair shown has not delivered yet
    struct PendingRule {
        model::Family family;
        Side side;
        std::string table;
        std::string chain;
        int index;
    };
    std::optional<PendingRule> m_pendingRule;
    DiffPreparation m_preparation;
    QThread* m_preparedOn = nullptr;
};

} // namespace views
