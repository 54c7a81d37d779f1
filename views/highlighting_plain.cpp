#include "views/highlighting.h"

// Built when KF6 SyntaxHighlighting is not available: text stays plain, diff colouring elsewhere still works.

namespace views {

SyntaxSupport::SyntaxSupport(KSyntaxHighlighting::Repository* repository)
    : m_repository(repository)
{
}

bool SyntaxSupport::available() const { return false; }

bool SyntaxSupport::hasDefinition(const QString&) const { return false; }

QString SyntaxSupport::description() const
{
    return QStringLiteral("not available (built without KF6 SyntaxHighlighting)");
}

QSyntaxHighlighter* SyntaxSupport::attachHighlighter(QTextDocument*, const QString&, const QPalette&) const
{
    return nullptr;
}

QSyntaxHighlighter* SyntaxSupport::attachDiffHighlighter(
    QTextDocument*, const QString&, const QPalette&, LineBackground) const
{
    return nullptr;
}

QObject* SyntaxSupport::highlightVisibleLines(QPlainTextEdit*, const QString&, const QPalette&, LineBackground) const
{
    return nullptr;
}

void SyntaxSupport::applyTheme(QObject*, const QPalette&) const { }

} // namespace views
