#pragma once

#include <QPlainTextEdit>

#include <functional>

namespace views {

// One side of the side-by-side rules: read-only text with a gutter that shows, for each line, the line number
// it has in its own source file (blank for filler lines), as Meld and KDiff3 do. Line backgrounds (the diff
// colours) are painted for the visible lines only, so that a 70k-line pane costs nothing per line up front.
class DiffPane final : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit DiffPane(QWidget* parent = nullptr);

    // The gutter text of a line (by block number); empty for none.
    void setLineLabels(std::function<QString(int blockNumber)> labels);

    // The background of a line across the pane's full width (by block number); invalid for none.
    void setLineBackgrounds(std::function<QColor(int blockNumber)> backgrounds);
    QColor lineBackground(int blockNumber) const;

    int gutterWidth() const;
    void paintGutter(QPaintEvent* event);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateGutterGeometry();

    QWidget* m_gutter = nullptr;
    std::function<QString(int)> m_labels;
    std::function<QColor(int)> m_backgrounds;
};

} // namespace views
