#include "views/highlighting.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#include <ksyntaxhighlighting_version.h>

#include <QPalette>
#include <QTextBlock>
#include <QTextDocument>

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
    const auto definition = m_repository->definitionForName(definitionName);
    if (!definition.isValid())
        return nullptr;
    auto* highlighter = new KSyntaxHighlighting::SyntaxHighlighter(document);
    highlighter->setTheme(m_repository->themeForPalette(palette));
    highlighter->setDefinition(definition);
    return highlighter;
}

QSyntaxHighlighter* SyntaxSupport::attachDiffHighlighter(
    QTextDocument* document, const QString& definitionName, const QPalette& palette, LineBackground background) const
{
    if (!available() || !document)
        return nullptr;
    const auto definition = m_repository->definitionForName(definitionName);
    if (!definition.isValid())
        return nullptr;
    auto* highlighter = new DiffSyntaxHighlighter(document, std::move(background));
    highlighter->setTheme(m_repository->themeForPalette(palette));
    highlighter->setDefinition(definition);
    return highlighter;
}

void SyntaxSupport::applyTheme(QSyntaxHighlighter* highlighter, const QPalette& palette) const
{
    auto* syntax = dynamic_cast<KSyntaxHighlighting::SyntaxHighlighter*>(highlighter);
    if (!available() || !syntax)
        return;
    syntax->setTheme(m_repository->themeForPalette(palette));
    syntax->rehighlight();
}

} // namespace views
