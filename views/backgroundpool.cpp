#include "views/backgroundpool.h"

#include <QThread>
#include <QThreadPool>

namespace views {

QThreadPool* backgroundPool()
{
    static QThreadPool* pool = [] {
        auto* created = new QThreadPool; // lives as long as the process: jobs may outlive every view
        created->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        return created;
    }();
    return pool;
}

} // namespace views
