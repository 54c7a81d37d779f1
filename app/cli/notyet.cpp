// Commands whose feature has not landed yet say so plainly and fail, rather than pretending.
#include "app/cli/commands.h"

#include <QTextStream>

namespace cli {

namespace {
int notAvailable(const char* name)
{
    QTextStream(stderr) << "chainsight-cli " << name << ": not available in this build yet\n";
    return 2;
}
}

int findingsCommand(const QStringList&) { return notAvailable("findings"); }
int fixCommand(const QStringList&) { return notAvailable("fix"); }
int previewCommand(const QStringList&) { return notAvailable("preview"); }

} // namespace cli
