#include "views/diffpane.h"

#include <QPainter>
#include <QTextBlock>

namespace views {

namespace {

    class Gutter final : public QWidget {
    public:
        explicit Gutter(DiffPane* pane)
            : QWidget(pane)
            , m_pane(pane)
        {
        }
        QSize sizeHint() const override { return { m_pane->gutterWidth(), 0 }; }

    protected:
        void paintEvent(QPaintEvent* event) override { m_pane->paintGutter(event); }

    private:
        DiffPane* m_pane;
    };

} // namespace

DiffPane::DiffPane(QWidget* parent)
    : QPlainTextEdit(parent)
    , m_gutter(new Gutter(this))
{
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
        if (dy != 0)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    updateGutterGeometry();
}

void DiffPane::setLineLabels(std::function<QString(int)> labels)
{
    m_labels = std::move(labels);
    m_gutter->update();
}

void DiffPane::setLineBackgrounds(std::function<QColor(int)> backgrounds)
{
    m_backgrounds = std::move(backgrounds);
    viewport()->update();
}

QColor DiffPane::lineBackground(int blockNumber) const { return m_backgrounds ? m_backgrounds(blockNumber) : QColor(); }

// Line colours go under the text: QPlainTextEdit draws text, block formats and extra selections over them.
void DiffPane::paintEvent(QPaintEvent* event)
{
    if (m_backgrounds) {
        QPainter painter(viewport());
        const QRect area = event->rect();
        QTextBlock block = firstVisibleBlock();
        QRectF line = blockBoundingGeometry(block).translated(contentOffset());
        while (block.isValid() && line.top() <= area.bottom()) {
            line.setHeight(blockBoundingRect(block).height());
            const QColor colour = block.isVisible() ? m_backgrounds(block.blockNumber()) : QColor();
            if (colour.isValid())
                painter.fillRect(QRectF(area.left(), line.top(), area.width(), line.height()), colour);
            line.translate(0, line.height());
            block = block.next();
        }
    }
    QPlainTextEdit::paintEvent(event);
}

int DiffPane::gutterWidth() const { return fontMetrics().horizontalAdvance(QStringLiteral("00000")) + 10; }

void DiffPane::resizeEvent(QResizeEvent* event)
{
    QPlainTextEdit::resizeEvent(event);
    updateGutterGeometry();
}

void DiffPane::updateGutterGeometry()
{
    setViewportMargins(gutterWidth(), 0, 0, 0);
    const QRect area = contentsRect();
    m_gutter->setGeometry(area.left(), area.top(), gutterWidth(), area.height());
}

void DiffPane::paintGutter(QPaintEvent* event)
{
    QPainter painter(m_gutter);
    painter.fillRect(event->rect(), palette().color(QPalette::Window));
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.setFont(font());
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    const int lineHeight = fontMetrics().height();
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = qRound(blockBoundingRect(block).height());
        if (block.isVisible() && top + height >= event->rect().top() && m_labels) {
            const QString label = m_labels(block.blockNumber());
            if (!label.isEmpty())
                painter.drawText(0, top, m_gutter->width() - 5, lineHeight, Qt::AlignRight | Qt::AlignVCenter, label);
        }
        top += height;
        block = block.next();
    }
}

} // namespace views
