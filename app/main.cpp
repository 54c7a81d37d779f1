#include "app/sshconnector.h"
#include "app/stallwatch.h"
#include "views/appicon.h"
#include "views/backgroundpool.h"
#include "views/highlighting.h"
#include "views/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QThreadPool>

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

    QCommandLineParser options;
    options.setApplicationDescription(
        QStringLiteral("Explains what a Docker upgrade did to a host's iptables firewall."));
    options.addHelpOption();
    options.addVersionOption();
    options.addPositionalArgument(QStringLiteral("snapshot"),
        QStringLiteral("A snapshot file, a raw iptables-save / -S dump, or a folder of dumps; two of them "
                       "open as a before/after pair."),
        QStringLiteral("[before] [after]"));
    options.process(app);

    int status = 0;
    {
        app::SshConnector connector;
        views::MainWindow window(&syntax);
        window.setHostConnector(&connector);
        window.show();
        const QStringList paths = options.positionalArguments();
        // A measuring aid: the value is how many seconds the opening phase lasts before scrolling starts.
        std::unique_ptr<app::StallWatch> stallWatch;
        if (const int openSeconds = qEnvironmentVariableIntValue("CHAINSIGHT_STALL_WATCH"); openSeconds > 0)
            stallWatch = std::make_unique<app::StallWatch>(&window, openSeconds);
        window.openPaths(paths);
        status = app.exec();
    }
    // Closing the window made its views' jobs stale; those still running stop at their next step. They lay out
    // text and use the application's fonts, so they end before the application object does.
    views::backgroundPool()->waitForDone();
    return status;
}
