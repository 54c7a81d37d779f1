#pragma once

#include <QWidget>

class QAction;

namespace views {

// What the window shows before anything is open: where to start, with buttons that mirror the menu actions
// (and their enabled state), so the window is never a blank grey area.
class EmptyState final : public QWidget {
    Q_OBJECT
public:
    EmptyState(QAction* openSnapshot, QAction* connectToHost, QWidget* parent = nullptr);

    QString message() const;

private:
    QString m_message;
};

} // namespace views
