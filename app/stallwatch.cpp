#include "app/stallwatch.h"

#include <QAbstractScrollArea>
#include <QAction>
#include <QApplication>
#include <QScrollBar>
#include <QTimer>
#include <QWidget>

#include <cstdio>

namespace app {

namespace {

    constexpr int HeartbeatMs = 5;
    constexpr int ScrollIntervalMs = 15;
    constexpr qint64 ReportedStallMs = 100;

    // The Rules view is where the whole ruleset is on screen; it is reached through its menu shortcut.
    void showRulesView(QWidget* window)
    {
        const QKeySequence rules(Qt::CTRL | Qt::Key_3);
        for (QAction* action : window->findChildren<QAction*>()) {
            if (action->shortcut() == rules) {
                action->trigger();
                return;
            }
        }
    }

    QList<QScrollBar*> visibleScrollBars(QWidget* window)
    {
        QList<QScrollBar*> bars;
        for (QAbstractScrollArea* area : window->findChildren<QAbstractScrollArea*>()) {
            if (area->isVisible() && area->verticalScrollBar()->maximum() > 0)
                bars << area->verticalScrollBar();
        }
        return bars;
    }

} // namespace

StallWatch::StallWatch(QWidget* window, int openSeconds, QObject* parent)
    : QObject(parent)
    , m_window(window)
    , m_heartbeat(new QTimer(this))
    , m_scroller(new QTimer(this))
{
    m_clock.start();
    m_heartbeat->setTimerType(Qt::PreciseTimer);
    m_heartbeat->setInterval(HeartbeatMs);
    connect(m_heartbeat, &QTimer::timeout, this, &StallWatch::beat);
    m_heartbeat->start();
    m_scroller->setInterval(ScrollIntervalMs);
    connect(m_scroller, &QTimer::timeout, this, &StallWatch::scrollStep);
    QTimer::singleShot(openSeconds * 1000, this, &StallWatch::startScrolling);
}

void StallWatch::beat()
{
    const qint64 now = m_clock.elapsed();
    const qint64 gap = now - m_lastBeat;
    m_lastBeat = now;
    if (gap > ReportedStallMs)
        std::fprintf(stderr, "stall: %lld ms ending at %.2f s\n", static_cast<long long>(gap), double(now) / 1000.0);
    m_longest = std::max(m_longest, gap);
}

void StallWatch::startScrolling()
{
    m_longestOpening = m_longest;
    m_longest = 0;
    std::fprintf(stderr, "stall watch: scrolling from %.2f s\n", double(m_clock.elapsed()) / 1000.0);
    showRulesView(m_window);
    m_scroller->start();
}

// Pages down through every visible scroll area, jumps to the end, pages back up, then jumps to the middle.
void StallWatch::scrollStep()
{
    constexpr int PagesEachWay = 150;
    const QList<QScrollBar*> bars = visibleScrollBars(m_window);
    ++m_step;
    for (QScrollBar* bar : bars) {
        if (m_step <= PagesEachWay)
            bar->triggerAction(QAbstractSlider::SliderPageStepAdd);
        else if (m_step == PagesEachWay + 1)
            bar->setValue(bar->maximum());
        else if (m_step <= 2 * PagesEachWay + 1)
            bar->triggerAction(QAbstractSlider::SliderPageStepSub);
        else
            bar->setValue(bar->maximum() / 2);
    }
    if (m_step > 2 * PagesEachWay + 1)
        finish();
}

void StallWatch::finish()
{
    m_scroller->stop();
    // One more beat's worth of time so that the last scroll's repaint is inside the measurement.
    QTimer::singleShot(200, this, [this] {
        std::printf("longest GUI-thread stall: opening %lld ms, scrolling %lld ms (%d scroll areas)\n",
            static_cast<long long>(m_longestOpening), static_cast<long long>(m_longest),
            int(visibleScrollBars(m_window).size()));
        std::fflush(stdout);
        QApplication::quit();
    });
}

} // namespace app
