#include "views/mainwindow.h"

namespace views {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Chainsight"));
}

} // namespace views
