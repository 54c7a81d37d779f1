// chainsight-cli fix: a remediation script for the chosen findings, verified in the model before it is written.
#include "app/cli/commands.h"
#include "app/cli/commandline.h"

#include "model/findings/finding.h"
#include "model/fix/scriptgenerator.h"
#include "model/fix/selection.h"
#include "model/fix/semanticverify.h"
#include "model/fix/verify.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

namespace cli {

namespace {

void addOptions(QCommandLineParser& p)
{
    p.setApplicationDescription(QStringLiteral(
        "Writes a bash script that fixes the chosen findings of the after snapshot. Before writing it, the fix is "
        "applied to the after snapshot in the model and compared with the before snapshot: the flows it targets "
        "must get through, and no other flow may change fate (in particular nothing may open that was closed "
        "before). An unverified script is not written unless --allow-unverified is given."));
    p.addPositionalArgument(QStringLiteral("before"), QStringLiteral("the snapshot from before the change"));
    p.addPositionalArgument(QStringLiteral("after"), QStringLiteral("the snapshot to fix"));
    p.addOption({ QStringLiteral("finding"),
        QStringLiteral("a finding to fix, as ID or ID:OPTION (repeatable; default: every finding with a fix)"),
        QStringLiteral("id") });
    p.addOption({ { QStringLiteral("o"), QStringLiteral("output") }, QStringLiteral("the script to write (mode 0755)"),
        QStringLiteral("file") });
    p.addOption({ QStringLiteral("rollback-seconds"),
        QStringLiteral("roll back unless confirmed within this many seconds (default 60)"), QStringLiteral("n") });
    p.addOption({ QStringLiteral("dry-run-default"), QStringLiteral("the script only prints unless run with --apply") });
    p.addOption({ QStringLiteral("verify"), QStringLiteral("exact (default: the semantic diff) or probes"),
        QStringLiteral("how") });
    p.addOption({ QStringLiteral("allow-unverified"), QStringLiteral("write the script even if verification fails") });
    p.addHelpOption();
}

std::vector<model::fix::FixChoice> choicesOf(const QStringList& values)
{
    std::vector<model::fix::FixChoice> choices;
    for (const QString& v : values) {
        const qsizetype colon = v.indexOf(QLatin1Char(':'));
        choices.push_back({ v.left(colon).toStdString(), colon < 0 ? std::string() : v.mid(colon + 1).toStdString() });
    }
    return choices;
}

struct FixArgs {
    QString before, after, output, verify = QStringLiteral("exact");
    int rollbackSeconds = 60;
};

bool readArgs(const QCommandLineParser& p, FixArgs& a, QTextStream& err)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || !p.isSet(QStringLiteral("output"))) {
        err << "usage: chainsight-cli fix <before> <after> [--finding ID[:OPTION] ...] -o fix.sh\n";
        return false;
    }
    a.before = pos[0];
    a.after = pos[1];
    a.output = p.value(QStringLiteral("output"));
    if (p.isSet(QStringLiteral("verify")))
        a.verify = p.value(QStringLiteral("verify"));
    if (a.verify != QLatin1String("exact") && a.verify != QLatin1String("probes")) {
        err << "chainsight-cli fix: --verify takes exact or probes, not " << a.verify << '\n';
        return false;
    }
    if (p.isSet(QStringLiteral("rollback-seconds"))) {
        bool ok = false;
        a.rollbackSeconds = p.value(QStringLiteral("rollback-seconds")).toInt(&ok);
        if (!ok || a.rollbackSeconds < 1 || a.rollbackSeconds > 3600) {
            err << "chainsight-cli fix: --rollback-seconds takes 1 to 3600\n";
            return false;
        }
    }
    return true;
}

} // namespace

int fixCommand(const QStringList& args)
{
    QTextStream err(stderr);
    QTextStream out(stdout);
    QCommandLineParser parser;
    addOptions(parser);
    if (const auto exit = parseCommandLine(parser, "fix", args, err))
        return *exit;
    FixArgs a;
    if (!readArgs(parser, a, err))
        return 2;
    const model::SnapshotPtr before = loadInput(a.before, "fix", err);
    const model::SnapshotPtr after = before ? loadInput(a.after, "fix", err) : nullptr;
    if (!after)
        return 2;
    const auto findings = model::findings::analyse(*after, before.get());
    auto plans = model::fix::plansFor(findings, choicesOf(parser.values(QStringLiteral("finding"))));
    if (!plans) {
        err << "chainsight-cli fix: " << QString::fromStdString(plans.error().message) << '\n';
        return 2;
    }
    if (plans->empty()) {
        err << "chainsight-cli fix: nothing to fix: no finding of " << a.after << " has a fix\n";
        return 2;
    }
    const model::fix::FixVerification v = a.verify == QLatin1String("exact")
        ? model::fix::verifyPlans(*before, *after, *plans, model::fix::semanticFlowDiff())
        : model::fix::verifyPlans(*before, *after, *plans);
    out << QString::fromStdString(v.summary);
    if (!v.ok() && !parser.isSet(QStringLiteral("allow-unverified"))) {
        err << "chainsight-cli fix: the fix did not verify; no script written (--allow-unverified writes it anyway)\n";
        return 1;
    }
    auto request = model::fix::scriptRequestFor(
        *after, QFileInfo(a.after).fileName().toStdString(), *plans, CHAINSIGHT_VERSION);
    request.rollbackSeconds = a.rollbackSeconds;
    request.dryRunDefault = parser.isSet(QStringLiteral("dry-run-default"));
    const auto written = model::fix::writeScript(a.output, model::fix::generateScript(request));
    if (!written) {
        err << "chainsight-cli fix: " << QString::fromStdString(written.error().toString()) << '\n';
        return 2;
    }
    out << "wrote " << a.output << (v.ok() ? " (verified)" : " (NOT verified)") << '\n';
    return v.ok() ? 0 : 1;
}

} // namespace cli
