#pragma once

class QThreadPool;

namespace views {

// The threads the views' long work (loading, analysis, diffs, layouts) runs on. Not QThreadPool::globalInstance():
// Qt's raster paint engine borrows global-pool threads while it paints, so a GUI thread painting behind a
// seconds-long analysis would wait for it to finish.
QThreadPool* backgroundPool();

} // namespace views
