#include "views/fixscriptview.h"
#include "views/backgroundpool.h"

#include "model/fix/scriptgenerator.h"
#include "model/fix/selection.h"
#include "model/fix/semanticverify.h"
#include "views/highlighting.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QSplitter>
#include <QSyntaxHighlighter>
#include <QTextEdit>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>

namespace views {

namespace {

    constexpr int FindingIdRole = Qt::UserRole + 1;

    // A finding's fix options sit on their own row under it, so the box has the list's whole width.
    QComboBox* optionBox(QTreeWidget* tree, QTreeWidgetItem* item)
    {
        const QWidget* row = item->childCount() > 0 ? tree->itemWidget(item->child(0), 0) : nullptr;
        return row ? row->findChild<QComboBox*>() : nullptr;
    }

    // A wrapped flow line continues under its own text, not under the heading: a hanging indent the width of the
    // line's leading spaces plus two more characters.
    void indentContinuationLines(QTextDocument* document)
    {
        const qreal space = QFontMetricsF(document->defaultFont()).horizontalAdvance(QLatin1Char(' '));
        QTextCursor cursor(document);
        for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
            const QString text = block.text();
            const auto lead = std::find_if(text.begin(), text.end(), [](QChar c) { return c != QLatin1Char(' '); });
            const qreal hang = space * qreal(std::distance(text.begin(), lead) + 2);
            QTextBlockFormat format = block.blockFormat();
            format.setLeftMargin(hang);
            format.setTextIndent(-hang);
            cursor.setPosition(block.position());
            cursor.setBlockFormat(format);
        }
    }

} // namespace

FixScriptView::FixScriptView(const SyntaxSupport* syntax, QWidget* parent)
    : QWidget(parent)
    , m_syntax(syntax)
{
    setObjectName(QStringLiteral("FixScriptView"));
    m_choices = new QTreeWidget(this);
    m_choices->setObjectName(QStringLiteral("FixChoices"));
    m_choices->setHeaderLabels({ QStringLiteral("Fix this finding") });
    m_choices->setRootIsDecorated(false);
    m_choices->setItemsExpandable(false);
    m_choices->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    connect(m_choices, &QTreeWidget::itemChanged, this, [this] {
        if (!m_filling)
            regenerate();
    });
    m_rollback = new QSpinBox(this);
    m_rollback->setObjectName(QStringLiteral("RollbackSeconds"));
    m_rollback->setRange(5, 3600);
    m_rollback->setValue(60);
    m_rollback->setSuffix(QStringLiteral(" s"));
    m_rollback->setToolTip(QStringLiteral("Unless you confirm within this time, the script restores the backup"));
    m_dryRun = new QCheckBox(QStringLiteral("Only print the commands unless run with --apply"), this);
    m_dryRun->setObjectName(QStringLiteral("DryRunDefault"));
    connect(m_rollback, &QSpinBox::valueChanged, this, &FixScriptView::regenerate);
    connect(m_dryRun, &QCheckBox::toggled, this, &FixScriptView::regenerate);
    m_verificationText = new QLabel(this);
    m_verificationText->setObjectName(QStringLiteral("FixVerification"));
    m_verificationText->setWordWrap(true);
    m_verificationText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verificationText->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_verificationDetails = new QTextEdit(this); // not plain: the hanging indents below need block margins
    m_verificationDetails->setObjectName(QStringLiteral("FixVerificationDetails"));
    m_verificationDetails->setReadOnly(true);
    // Each line is one flow with its fates at the end: wrap, so the fates are never scrolled out of sight.
    m_verificationDetails->setLineWrapMode(QTextEdit::WidgetWidth);
    m_editor = new QPlainTextEdit(this);
    m_editor->setObjectName(QStringLiteral("FixScriptEditor"));
    m_editor->setReadOnly(true);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_highlighter = m_syntax ? m_syntax->attachHighlighter(m_editor->document(), QStringLiteral("Bash"), palette()) : nullptr;

    auto* side = new QWidget(this);
    auto* form = new QFormLayout;
    form->addRow(QStringLiteral("Roll back after:"), m_rollback);
    form->addRow(m_dryRun);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_choices, 2);
    sideLayout->addLayout(form);
    sideLayout->addWidget(m_verificationText);
    sideLayout->addWidget(m_verificationDetails, 3);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(side);
    splitter->addWidget(m_editor);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    connect(&m_watcher, &QFutureWatcher<model::fix::FixVerification>::finished, this, &FixScriptView::showVerification);
    setAnalysis(nullptr, QString());
}

FixScriptView::~FixScriptView()
{
    m_watcher.waitForFinished();
}

void FixScriptView::setAnalysis(model::AnalysisPtr analysis, const QString& afterName)
{
    m_analysis = std::move(analysis);
    m_afterName = afterName;
    fillChoices();
    regenerate();
}

void FixScriptView::fillChoices()
{
    m_filling = true;
    m_choices->clear();
    if (m_analysis) {
        for (const auto& f : m_analysis->findings) {
            const model::fix::FixOption* preferred = model::fix::defaultOption(f);
            if (!preferred)
                continue;
            auto* item = new QTreeWidgetItem(m_choices, { QString::fromStdString(f.title) });
            item->setData(0, FindingIdRole, QString::fromStdString(f.id));
            item->setToolTip(0, QStringLiteral("<b>%1</b><br>%2").arg(QString::fromStdString(f.title).toHtmlEscaped(),
                                    QString::fromStdString(f.impact).toHtmlEscaped()));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(0, preferred->recommended ? Qt::Checked : Qt::Unchecked);
            auto* withItem = new QTreeWidgetItem(item);
            withItem->setFlags(Qt::ItemIsEnabled);
            m_choices->setItemWidget(withItem, 0, optionRow(f, preferred->id));
            item->setExpanded(true);
        }
    }
    m_filling = false;
    fitChoices();
}

// A host has a handful of findings: the list is as tall as its rows (each finding and its options; at least three
// lines, at most twelve, then it scrolls), and the verification gets the rest instead of an empty band under it.
void FixScriptView::fitChoices()
{
    const int line = std::max(m_choices->sizeHintForRow(0), m_choices->fontMetrics().height() + 6);
    int rows = 0;
    for (int i = 0; i < m_choices->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_choices->topLevelItem(i);
        rows += line;
        for (int c = 0; c < item->childCount(); ++c) {
            const QWidget* row = m_choices->itemWidget(item->child(c), 0);
            rows += row ? std::max(row->sizeHint().height(), line) : line;
        }
    }
    rows = std::clamp(rows, 3 * line, 12 * line);
    m_choices->setMaximumHeight(m_choices->header()->sizeHint().height() + rows + 2 * m_choices->frameWidth() + 2);
}

QWidget* FixScriptView::optionRow(const model::findings::Finding& finding, const std::string& preferredId)
{
    auto* row = new QWidget(m_choices);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 2, 2);
    auto* box = new QComboBox(row);
    box->setObjectName(QStringLiteral("FixOption"));
    for (const auto& o : finding.fixes)
        if (!o.rules.empty() || !o.manual.empty())
            box->addItem(QString::fromStdString(o.title), QString::fromStdString(o.id));
    box->setCurrentIndex(std::max(0, box->findData(QString::fromStdString(preferredId))));
    // As wide as the longest option, so the closed box shows it whole where the list is wide enough; the
    // tooltip still has the whole title where it is not.
    box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    box->setToolTip(box->currentText());
    connect(box, &QComboBox::currentTextChanged, box, &QComboBox::setToolTip);
    connect(box, &QComboBox::currentIndexChanged, this, &FixScriptView::regenerate);
    auto* with = new QLabel(QStringLiteral("with"), row);
    with->setBuddy(box);
    layout->addWidget(with);
    layout->addWidget(box, 1);
    return row;
}

bool FixScriptView::chooseOnly(const QString& findingId)
{
    bool found = false;
    m_filling = true;
    for (int i = 0; i < m_choices->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_choices->topLevelItem(i);
        const bool match = item->data(0, FindingIdRole).toString() == findingId;
        item->setCheckState(0, match ? Qt::Checked : Qt::Unchecked);
        found = found || match;
    }
    m_filling = false;
    regenerate();
    return found;
}

std::vector<model::fix::FixPlan> FixScriptView::chosenPlans() const
{
    std::vector<model::fix::FixChoice> choices;
    for (int i = 0; i < m_choices->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_choices->topLevelItem(i);
        if (item->checkState(0) != Qt::Checked)
            continue;
        const QComboBox* box = optionBox(m_choices, item);
        choices.push_back({ item->data(0, FindingIdRole).toString().toStdString(),
            box ? box->currentData().toString().toStdString() : std::string() });
    }
    if (choices.empty() || !m_analysis)
        return {};
    auto plans = model::fix::plansFor(m_analysis->findings, choices);
    return plans ? std::move(plans).value() : std::vector<model::fix::FixPlan>();
}

void FixScriptView::regenerate()
{
    ++m_generation;
    std::vector<model::fix::FixPlan> plans = chosenPlans();
    if (plans.empty() || !m_analysis) {
        m_script.clear();
        m_editor->setPlainText(m_analysis ? QStringLiteral("# Tick a finding on the left to get a script that fixes it.")
                                          : QStringLiteral("# Open a snapshot: its findings with fixes are listed here."));
        m_verificationText->clear();
        m_verificationDetails->clear();
        Q_EMIT scriptChanged(false);
        return;
    }
    auto request = model::fix::scriptRequestFor(*m_analysis->after, m_afterName.toStdString(), plans, CHAINSIGHT_VERSION);
    request.rollbackSeconds = m_rollback->value();
    request.dryRunDefault = m_dryRun->isChecked();
    m_script = QString::fromStdString(model::fix::generateScript(request));
    m_editor->setPlainText(m_script);
    Q_EMIT scriptChanged(true);
    verify(std::move(plans));
}

void FixScriptView::verify(std::vector<model::fix::FixPlan> plans)
{
    m_verificationText->setText(QStringLiteral("Verifying the fix against the %1 …")
                                    .arg(m_analysis->isPair() ? QStringLiteral("before snapshot") : QStringLiteral("snapshot")));
    if (m_watcher.isRunning())
        return; // showVerification() starts the newest choice when the running one finishes
    m_watchedGeneration = m_generation;
    const model::SnapshotPtr after = m_analysis->after;
    const model::SnapshotPtr before = m_analysis->before ? m_analysis->before : after;
    m_watcher.setFuture(QtConcurrent::run(backgroundPool(), [before, after, plans = std::move(plans)] {
        return model::fix::verifyPlans(*before, *after, plans, model::fix::semanticFlowDiff());
    }));
}

void FixScriptView::showVerification()
{
    if (m_watchedGeneration != m_generation) {
        auto plans = chosenPlans();
        if (!plans.empty())
            verify(std::move(plans));
        return;
    }
    m_verification = m_watcher.result();
    const bool ok = m_verification.ok();
    // The headline is the summary's count line; the whole summary goes below it.
    QString counts;
    for (const QString& line : QString::fromStdString(m_verification.summary).split(QLatin1Char('\n')))
        if (line.contains(QLatin1String("target flows")))
            counts = line.trimmed();
    if (!m_verification.error.empty())
        counts = QString::fromStdString(m_verification.error);
    m_verificationText->setText((ok ? QStringLiteral("<b>Verified.</b> ") : QStringLiteral("<b>Not verified.</b> "))
        + counts.toHtmlEscaped());
    m_verificationDetails->setPlainText(QString::fromStdString(m_verification.summary));
    indentContinuationLines(m_verificationDetails->document());
    Q_EMIT verificationFinished(ok);
}

QString FixScriptView::script() const { return m_script; }

bool FixScriptView::exportTo(const QString& path, QString* error) const
{
    if (m_script.isEmpty()) {
        if (error)
            *error = QStringLiteral("There is no script: tick at least one finding.");
        return false;
    }
    const auto written = model::fix::writeScript(path, m_script.toStdString());
    if (!written && error)
        *error = QString::fromStdString(written.error().toString());
    return written.ok();
}

void FixScriptView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_highlighter && m_syntax)
        m_syntax->applyTheme(m_highlighter, palette());
}

} // namespace views
