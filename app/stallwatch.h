#pragma once

#include <QElapsedTimer>
#include <QObject>

class QTimer;
class QWidget;

namespace app {

// A measuring aid for responsiveness (CHAINSIGHT_STALL_WATCH=1): a 5 ms heartbeat on the GUI thread records the
// longest gap between beats while the window opens its files, then shows the Rules view and pages every visible
// scroll area from top to bottom and back, and prints the longest gap of each phase before quitting.
// Every gap over 100 ms is printed as it happens, so a stall can be matched to what the window was doing.
class StallWatch final : public QObject {
    Q_OBJECT
public:
    // window: the main window (outliving this object); openSeconds: how long the opening phase lasts.
    StallWatch(QWidget* window, int openSeconds, QObject* parent = nullptr);

private:
    void beat();
    void startScrolling();
    void scrollStep();
    void finish();

    QWidget* m_window;
    QTimer* m_heartbeat;
    QTimer* m_scroller;
    QElapsedTimer m_clock;
    qint64 m_lastBeat = 0;
    qint64 m_longest = 0;
    qint64 m_longestOpening = -1;
    int m_step = 0;
};

} // namespace app
