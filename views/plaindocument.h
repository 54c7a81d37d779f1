#pragma once

#include <QString>

#include <array>
#include <functional>
#include <memory>

class QFont;
class QPlainTextEdit;
class QTextDocument;

namespace views {

// The text of a large read-only pane, made ready off the GUI thread: splitting 70k lines into text blocks takes a
// noticeable fraction of a second, and a QTextDocument that no widget shows yet may be built on any thread.
// The documents are handed to the GUI thread, unparented, for adoptDocument().
struct PlainDocuments {
    std::array<std::unique_ptr<QTextDocument>, 2> documents;
};

// Runs on any thread; makes one document per text (at most two) in the given font. Asks stopped() now and then
// while laying out and returns null as soon as it says yes.
std::shared_ptr<PlainDocuments> makePlainDocuments(
    const std::array<QString, 2>& texts, const QFont& font, const std::function<bool()>& stopped = {});

// GUI thread: edit shows and owns document from now on; the document it owned before is deleted.
void adoptDocument(QPlainTextEdit* edit, std::unique_ptr<QTextDocument> document);

} // namespace views
