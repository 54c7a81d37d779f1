#pragma once

// The one place that knows whether KSyntaxHighlighting is part of the build. Views ask a SyntaxSupport
// for highlighters and never test for KF6 themselves; without KF6 every request degrades to plain text.

#include <QColor>
#include <QString>

#include <functional>

class QObject;
class QPalette;
class QPlainTextEdit;
class QSyntaxHighlighter;
class QTextDocument;

namespace KSyntaxHighlighting {
class Repository;
}

namespace views {

class SyntaxSupport final {
public:
    // repository: owned by the caller (app) and outliving this object; nullptr means "no highlighting".
    explicit SyntaxSupport(KSyntaxHighlighting::Repository* repository = nullptr);

    // True when highlighting is compiled in and a repository was given.
    bool available() const;
    bool hasDefinition(const QString& definitionName) const;

    // One line for the About box and logs, e.g. "KSyntaxHighlighting 6.13.0 (393 definitions)".
    QString description() const;

    // Highlights document with the named definition in a theme matching palette. The highlighter is a child
    // of document and is returned so the caller may re-theme it; nullptr when unavailable or the definition
    // is unknown, in which case the document is left untouched.
    QSyntaxHighlighter* attachHighlighter(
        QTextDocument* document, const QString& definitionName, const QPalette& palette) const;

    // The background colour of a line by its block number; invalid for none.
    using LineBackground = std::function<QColor(int blockNumber)>;

    // For a side-by-side diff: syntax colours as attachHighlighter gives them, with each line's diff background
    // laid over whatever background the theme gives a token, so that the two never fight. nullptr when
    // highlighting is unavailable: the caller then colours lines itself (block formats) and text stays plain.
    QSyntaxHighlighter* attachDiffHighlighter(QTextDocument* document, const QString& definitionName,
        const QPalette& palette, LineBackground background) const;

    // For large read-only text (a whole ruleset): highlights only the lines of edit that are on screen, when
    // they come into view, so that opening and scrolling cost what the visible lines cost, never the whole
    // document. Each line is highlighted from the definition's initial state, which is exact for line-based
    // syntaxes such as iptables-save. A line's background, when valid, lies under its syntax colours as with
    // attachDiffHighlighter. The highlighter is a child of edit; nullptr when unavailable.
    QObject* highlightVisibleLines(QPlainTextEdit* edit, const QString& definitionName, const QPalette& palette,
        LineBackground background = {}) const;

    // Re-applies the palette's theme to a highlighter returned by any of the above (after a palette change).
    void applyTheme(QObject* highlighter, const QPalette& palette) const;

private:
    KSyntaxHighlighting::Repository* m_repository = nullptr;
};

} // namespace views
