#include "views/appicon.h"

#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>

namespace views {

QIcon applicationIcon()
{
    QSvgRenderer renderer(QStringLiteral(":/icons/chainsight.svg"));
    if (!renderer.isValid())
        return {};
    QIcon icon;
    for (const int size : { 16, 22, 24, 32, 48, 64, 96, 128, 256 }) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        renderer.render(&painter);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace views
