#include "views/plaindocument.h"

#include <QCoreApplication>
#include <QFont>
#include <QPlainTextDocumentLayout>
#include <QPlainTextEdit>
#include <QPointer>
#include <QTextDocument>

namespace views {

std::shared_ptr<PlainDocuments> makePlainDocuments(const std::array<QString, 2>& texts, const QFont& font)
{
    auto result = std::make_shared<PlainDocuments>();
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto document = std::make_unique<QTextDocument>();
        // QPlainTextEdit only takes documents with its own layout; it is set before the text so the text is
        // split into blocks once.
        document->setDocumentLayout(new QPlainTextDocumentLayout(document.get()));
        document->setDefaultFont(font);
        document->setUndoRedoEnabled(false);
        document->setPlainText(texts[i]);
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
