#include "views/mainwindow.h"

#include <QApplication>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    views::MainWindow window;
    window.show();
    return app.exec();
}
