#include "views/highlighting.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#include <ksyntaxhighlighting_version.h>

#include <QPalette>
#include <QTextDocument>

namespace views {

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

void SyntaxSupport::applyTheme(QSyntaxHighlighter* highlighter, const QPalette& palette) const
{
    auto* syntax = dynamic_cast<KSyntaxHighlighting::SyntaxHighlighter*>(highlighter);
    if (!available() || !syntax)
        return;
    syntax->setTheme(m_repository->themeForPalette(palette));
    syntax->rehighlight();
}

} // namespace views
