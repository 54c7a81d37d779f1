#include "views/plaindocument.h"

#include <QCoreApplication>
#include <QFont>
#include <QPlainTextDocumentLayout>
#include <QPlainTextEdit>
#include <QPointer>
#include <QTextDocument>
#include <QTextBlock>
#include <QTextLayout>
#include <QTextOption>

namespace views {

namespace {

    // Blocks laid out between two questions whether the work is still wanted.
    constexpr int BlocksBetweenChecks = 4096;

} // namespace

std::shared_ptr<PlainDocuments> makePlainDocuments(
    const std::array<QString, 2>& texts, const QFont& font, const std::function<bool()>& stopped)
{
    const auto stop = [&stopped] { return stopped && stopped(); };
    auto result = std::make_shared<PlainDocuments>();
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (stop())
            return nullptr;
        auto document = std::make_unique<QTextDocument>();
        // QPlainTextEdit only takes documents with its own layout; it is set before the text so the text is
        // split into blocks once.
        auto* layout = new QPlainTextDocumentLayout(document.get());
        document->setDocumentLayout(layout);
        document->setDefaultFont(font);
        document->setUndoRedoEnabled(false);
        // The panes do not wrap; with the same option here, the edit has no reason to lay the text out again.
        QTextOption option = document->defaultTextOption();
        option.setWrapMode(QTextOption::NoWrap);
        document->setDefaultTextOption(option);
        document->setPlainText(texts[i]);
        // Every block gets its text layout object here rather than when the edit first lays the document out.
        int count = 0;
        for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
            block.layout();
            if (++count % BlocksBetweenChecks == 0 && stop())
                return nullptr;
        }
        document->moveToThread(QCoreApplication::instance()->thread());
        result->documents[i] = std::move(document);
    }
    return result;
}

void adoptDocument(QPlainTextEdit* edit, std::unique_ptr<QTextDocument> document)
{
    const QPointer<QTextDocument> previous = edit->document(); // setDocument() may delete it
    QTextDocument* adopted = document.release();
    adopted->setParent(edit);
    edit->setDocument(adopted); // deletes the edit's initial document, which its internal control owns
    if (previous && previous->parent() == edit)
        delete previous;
}

} // namespace views
