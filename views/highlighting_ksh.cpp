#include "views/highlighting.h"

#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#include <ksyntaxhighlighting_version.h>

#include <QPalette>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QTimer>

#include <vector>

namespace views {

namespace {

    // Kate's diff view does the same: highlight the line as the syntax says, then lay the diff colour over
    // every character's background.
    class DiffSyntaxHighlighter final : public KSyntaxHighlighting::SyntaxHighlighter {
    public:
        DiffSyntaxHighlighter(QTextDocument* document, SyntaxSupport::LineBackground background)
            : KSyntaxHighlighting::SyntaxHighlighter(document)
            , m_background(std::move(background))
        {
        }

    protected:
        void highlightBlock(const QString& text) override
        {
            KSyntaxHighlighting::SyntaxHighlighter::highlightBlock(text);
            const QColor background = m_background ? m_background(currentBlock().blockNumber()) : QColor();
            if (!background.isValid())
                return;
            for (int i = 0; i < int(text.size()); ++i) {
                QTextCharFormat merged = format(i);
                merged.setBackground(background);
                setFormat(i, 1, merged);
            }
        }

    private:
        SyntaxSupport::LineBackground m_background;
    };

    // The character format KSyntaxHighlighting's own SyntaxHighlighter gives a token; the foreground is always
    // set so that plain text follows the theme rather than the widget palette.
    QTextCharFormat charFormat(const KSyntaxHighlighting::Format& format, const KSyntaxHighlighting::Theme& theme)
    {
        QTextCharFormat result;
        result.setForeground(format.textColor(theme));
        if (format.hasBackgroundColor(theme))
            result.setBackground(format.backgroundColor(theme));
        if (format.isBold(theme))
            result.setFontWeight(QFont::Bold);
        if (format.isItalic(theme))
            result.setFontItalic(true);
        if (format.isUnderline(theme))
            result.setFontUnderline(true);
        if (format.isStrikeThrough(theme))
            result.setFontStrikeOut(true);
        return result;
    }

    // A QSyntaxHighlighter walks the whole document when it is attached and again after every change: seconds on
    // the GUI thread for a 70k-rule ruleset. This one sets the same per-line formats (QTextLayout's additional
    // formats, as QSyntaxHighlighter does) only on lines that are about to be painted.
    class VisibleLinesHighlighter final : public QObject, public KSyntaxHighlighting::AbstractHighlighter {
    public:
        VisibleLinesHighlighter(QPlainTextEdit* edit, SyntaxSupport::LineBackground background)
            : QObject(edit)
            , m_edit(edit)
            , m_background(std::move(background))
        {
            m_pending.setSingleShot(true);
            m_pending.setInterval(0);
            connect(&m_pending, &QTimer::timeout, this, &VisibleLinesHighlighter::highlightVisible);
            // Before the repaint that updateRequest announces, so that newly shown lines never flash plain.
            connect(edit, &QPlainTextEdit::updateRequest, this, [this] {
                if (!m_applying)
                    highlightVisible();
            });
            connect(edit->document(), &QTextDocument::contentsChange, this, [this] {
                if (!m_applying)
                    forget();
            });
            m_pending.start();
        }

        // After a theme change every line is highlighted afresh as it comes into view.
        void forget()
        {
            m_done.clear();
            m_pending.start();
        }

    protected:
        void applyFormat(int offset, int length, const KSyntaxHighlighting::Format& format) override
        {
            if (length == 0)
                return;
            QTextLayout::FormatRange range;
            range.start = offset;
            range.length = length;
            range.format = charFormat(format, theme());
            if (m_lineBackground.isValid())
                range.format.setBackground(m_lineBackground);
            m_formats.append(range);
        }

    private:
        void highlightVisible()
        {
            QTextDocument* document = m_edit->document();
            if (m_done.size() != std::size_t(document->blockCount()))
                m_done.assign(std::size_t(document->blockCount()), false);
            QTextBlock block = m_edit->cursorForPosition(QPoint(0, 0)).block();
            const QTextBlock last = m_edit->cursorForPosition(QPoint(0, m_edit->viewport()->height())).block();
            // At least a screenful from the top line, so that a pane not shown or laid out yet is ready for
            // its first paint.
            constexpr int MinimumLines = 120;
            m_applying = true;
            const int lastNumber = std::max(last.blockNumber(), block.blockNumber() + MinimumLines - 1);
            for (; block.isValid() && block.blockNumber() <= lastNumber; block = block.next()) {
                const auto number = std::size_t(block.blockNumber());
                if (!m_done[number]) {
                    m_done[number] = true;
                    highlight(block);
                }
            }
            m_applying = false;
        }

        void highlight(const QTextBlock& block)
        {
            m_formats.clear();
            m_lineBackground = m_background ? m_background(block.blockNumber()) : QColor();
            highlightLine(block.text(), KSyntaxHighlighting::State());
            block.layout()->setFormats(m_formats);
            m_edit->document()->markContentsDirty(block.position(), block.length());
        }

        QPlainTextEdit* m_edit;
        SyntaxSupport::LineBackground m_background;
        QTimer m_pending;
        std::vector<bool> m_done; // by block number
        QList<QTextLayout::FormatRange> m_formats;
        QColor m_lineBackground;
        bool m_applying = false;
    };

// Builds a highlighter with `make` when the repository knows the definition, and gives it the definition and the
// theme for the palette; nullptr when the definition is unknown.
template <typename Make>
auto configured(const KSyntaxHighlighting::Repository& repository, const QString& definitionName,
    const QPalette& palette, Make make) -> decltype(make())
{
    const auto definition = repository.definitionForName(definitionName);
    if (!definition.isValid())
        return nullptr;
    auto* highlighter = make();
    highlighter->setTheme(repository.themeForPalette(palette));
    highlighter->setDefinition(definition);
    return highlighter;
}

} // namespace

SyntaxSupport::SyntaxSupport(KSyntaxHighlighting::Repository* repository)
    : m_repository(repository)
{
}

bool SyntaxSupport::available() const { return m_repository != nullptr; }

bool SyntaxSupport::hasDefinition(const QString& definitionName) const
{
    return available() && m_repository->definitionForName(definitionName).isValid();
}

QString SyntaxSupport::description() const
{
    if (!available())
        return QStringLiteral("not available (no syntax repository loaded)");
    return QStringLiteral("KSyntaxHighlighting %1 (%2 definitions)")
        .arg(QStringLiteral(KSYNTAXHIGHLIGHTING_VERSION_STRING))
        .arg(m_repository->definitions().size());
}

QSyntaxHighlighter* SyntaxSupport::attachHighlighter(
    QTextDocument* document, const QString& definitionName, const QPalette& palette) const
{
    if (!available() || !document)
        return nullptr;
    return configured(*m_repository, definitionName, palette, [&] { return new KSyntaxHighlighting::SyntaxHighlighter(document); });
}

QSyntaxHighlighter* SyntaxSupport::attachDiffHighlighter(
    QTextDocument* document, const QString& definitionName, const QPalette& palette, LineBackground background) const
{
    if (!available() || !document)
        return nullptr;
    return configured(*m_repository, definitionName, palette, [&] { return new DiffSyntaxHighlighter(document, std::move(background)); });
}

QObject* SyntaxSupport::highlightVisibleLines(
    QPlainTextEdit* edit, const QString& definitionName, const QPalette& palette, LineBackground background) const
{
    if (!available() || !edit)
        return nullptr;
    return configured(*m_repository, definitionName, palette, [&] { return new VisibleLinesHighlighter(edit, std::move(background)); });
}

void SyntaxSupport::applyTheme(QObject* highlighter, const QPalette& palette) const
{
    if (!available())
        return;
    if (auto* visible = dynamic_cast<VisibleLinesHighlighter*>(highlighter)) {
        visible->setTheme(m_repository->themeForPalette(palette));
        visible->forget();
    } else if (auto* syntax = dynamic_cast<KSyntaxHighlighting::SyntaxHighlighter*>(highlighter)) {
        syntax->setTheme(m_repository->themeForPalette(palette));
        syntax->rehighlight();
    }
}

} // namespace views
