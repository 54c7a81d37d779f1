#pragma once

#include <QIcon>

namespace views {

// Chainsight's icon, rendered from the bundled SVG with QtSvg directly so it shows even where the SVG icon
// engine plugin is not installed (Debian ships it in a separate package).
QIcon applicationIcon();

} // namespace views
