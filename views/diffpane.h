#pragma once

#include <QPlainTextEdit>

#include <functional>

namespace views {

// One side of the side-by-side rules: read-only text with a gutter that shows, for each line, the line number
// it has in its own source file (blank for filler lines), as Meld and KDiff3 do.
class DiffPane final : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit DiffPane(QWidget* parent = nullptr);

    // The gutter text of a line (by block number); empty for none.
    void setLineLabels(std::function<QString(int blockNumber)> labels);

    int gutterWidth() const;
    void paintGutter(QPaintEvent* event);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateGutterGeometry();

    QWidget* m_gutter = nullptr;
    std::function<QString(int)> m_labels;
};

} // namespace views
