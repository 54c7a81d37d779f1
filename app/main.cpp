#include "views/appicon.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"

#include <QApplication>

#include <memory>

#ifdef CHAINSIGHT_HAVE_KSH
#include <KSyntaxHighlighting/Repository>
#endif

namespace {

// The composition root owns the single syntax repository; views only ever see it through SyntaxSupport.
#ifdef CHAINSIGHT_HAVE_KSH
using SyntaxRepository = KSyntaxHighlighting::Repository;
#else
struct SyntaxRepository { };
#endif

KSyntaxHighlighting::Repository* repositoryPointer([[maybe_unused]] SyntaxRepository& repository)
{
#ifdef CHAINSIGHT_HAVE_KSH
    return &repository;
#else
    return nullptr;
#endif
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Chainsight"));
    QApplication::setOrganizationDomain(QStringLiteral("chainsight.invalid"));
    QApplication::setApplicationName(QStringLiteral("chainsight"));
    QApplication::setApplicationDisplayName(QStringLiteral("Chainsight"));
    QApplication::setApplicationVersion(QStringLiteral(CHAINSIGHT_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.chainsight.Chainsight"));
    QApplication::setWindowIcon(views::applicationIcon());

    auto repository = std::make_unique<SyntaxRepository>();
    const views::SyntaxSupport syntax(repositoryPointer(*repository));

    views::MainWindow window(&syntax);
    window.show();
    return app.exec();
}
