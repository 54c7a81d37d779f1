#include "views/about.h"

#include "views/highlighting.h"

#include <QtGlobal>

namespace views {

QString aboutText(const SyntaxSupport& syntax)
{
    const QString highlighting = syntax.available()
        ? QStringLiteral("available, %1").arg(syntax.description().toHtmlEscaped())
        : QStringLiteral("%1").arg(syntax.description().toHtmlEscaped());
    return QStringLiteral("<h3>Chainsight %1</h3>"
                          "<p>Explains what a Docker upgrade did to a host's iptables firewall: what changed, "
                          "which packets it breaks, which rule is responsible, and how to fix it.</p>"
                          "<table>"
                          "<tr><td>Qt (running):</td><td>%2</td></tr>"
                          "<tr><td>Qt (built with):</td><td>%3</td></tr>"
                          "<tr><td>Syntax highlighting:&nbsp;</td><td>%4</td></tr>"
                          "</table>")
        .arg(QStringLiteral(CHAINSIGHT_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
            highlighting);
}

} // namespace views
