#pragma once

#include "model/snapshot.h"

#include <QWidget>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QPlainTextEdit;
class QThread;
class QTimer;
class QTreeView;

namespace model {
class RulesetModel;
}

namespace views {

class RulesFilter;
class SyntaxSupport;

// One snapshot's firewall rules: a table ▸ chain ▸ rule tree tinted by who wrote each rule, filters for
// author and text, and the source text (syntax highlighted where available) kept in step with the tree.
class RulesView final : public QWidget {
    Q_OBJECT
public:
    explicit RulesView(const SyntaxSupport* syntax, QWidget* parent = nullptr);
    ~RulesView() override;

    void setSnapshot(model::SnapshotPtr snapshot);
    // Several snapshots (a before/after pair): a switch picks which one is shown, the last one at first.
    void setSnapshots(const QList<model::SnapshotPtr>& snapshots, const QStringList& labels);
    bool showSnapshot(int index);
    int currentSnapshotIndex() const;
    const model::SnapshotPtr& currentSnapshot() const { return m_snapshot; }

    // Which ruleset is shown: IPv4 or IPv6 (only those the snapshot has are offered).
    bool showFamily(model::Family family);
    std::optional<model::Family> family() const;

    QTreeView* tree() const { return m_tree; }
    QPlainTextEdit* source() const { return m_source; }
    RulesFilter* filter() const { return m_filter; }
    QString summary() const;

    // Sources with more lines (or rulesets with more than 5000 rules) are prepared off the GUI thread: the
    // source text laid out, the unreachable rules found.
    static constexpr int MaxLinesLaidOutInline = 20000;
    // The thread that prepared the large ruleset shown last (null until one is shown).
    QThread* preparedOn() const { return m_preparedOn; }

Q_SIGNALS:
    void currentSnapshotChanged(int index);

protected:
    void changeEvent(QEvent* event) override;

private:
    void buildToolbar();
    void useSnapshot(int index);
    void showRuleset(int comboIndex);
    void applyFilters();
    void updateCounterColumns();
    bool showFilteredTree(bool filtered);
    void sizeColumns();
    void followTreeSelections();
    QModelIndex treeIndex(const QModelIndex& source) const;
    void followTreeSelection(const QModelIndex& current);
    void followSourceCursor();
    void markSourceLine(int line);
    QString sourceText(model::Family family) const;
    void showModelRuleset();

    const SyntaxSupport* m_syntax = nullptr;
    QList<model::SnapshotPtr> m_snapshots;
    model::SnapshotPtr m_snapshot; // the one shown
    QComboBox* m_snapshotBox = nullptr;
    QWidget* m_snapshotPart = nullptr;
    model::RulesetModel* m_model = nullptr;
    RulesFilter* m_filter = nullptr;
    QComboBox* m_familyBox = nullptr;
    QComboBox* m_provenanceBox = nullptr;
    QLineEdit* m_textFilter = nullptr;
    QTimer* m_filterDelay = nullptr;
    QCheckBox* m_showCounters = nullptr;
    QLabel* m_summary = nullptr;
    QTreeView* m_tree = nullptr;
    QPlainTextEdit* m_source = nullptr;
    QObject* m_highlighter = nullptr;
    bool m_syncing = false;
    // Numbers the rulesets shown; a job preparing an older one is stale.
    std::shared_ptr<std::atomic_int> m_latestSource = std::make_shared<std::atomic_int>(0);
    QThread* m_preparedOn = nullptr;
};

} // namespace views
