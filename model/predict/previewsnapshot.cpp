// The predicted snapshot: like a captured one, so diff, findings and the fix script take it as an "after".
#include "model/predict/upgradepreview.h"

#include "model/parse/iptables.h"
#include "model/snapshotbuilder.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

namespace model::predict {

namespace {

std::string ipsetSaveText(const std::vector<IpSet>& sets)
{
    std::string out;
    for (const auto& set : sets) {
        out += "create " + set.name + ' ' + set.type;
        for (const auto& o : set.createOptions)
            out += ' ' + o;
        out += '\n';
        for (const auto& m : set.members)
            out += "add " + set.name + ' ' + m + '\n';
    }
    return out;
}

// docker version / docker info name the daemon's release; the predicted host runs the target release.
std::string withServerVersion(const SourceRecord& source, const std::string& version)
{
    try {
        auto doc = nlohmann::json::parse(source.text);
        if (source.kind == SourceKind::DockerVersion && doc.contains("Server") && doc["Server"].is_object())
            doc["Server"]["Version"] = version;
        else if (source.kind == SourceKind::DockerInfo && doc.is_object())
            doc["ServerVersion"] = version;
        else
            return source.text;
        return doc.dump() + '\n';
    } catch (const std::exception&) {
        return source.text;
    }
}

std::string predictedOrigin(const PreviewRequest& request)
{
    return "predicted: Docker " + request.target.text() + (request.inPlace ? " in-place upgrade" : " fresh boot");
}

} // namespace

Result<SnapshotPtr> predictSnapshot(const Snapshot& snapshot, const PreviewRequest& request,
    std::string_view sourceName, PreviewResult* details) noexcept
{
    try {
        auto predicted = predictRulesets(snapshot, request);
        if (!predicted)
            return predicted.error();
        const std::string origin = predictedOrigin(request);
        std::vector<SourceRecord> sources;
        for (const auto& src : snapshot.sources) {
            if (src.kind == SourceKind::IptablesV4 || src.kind == SourceKind::IptablesV6
                || src.kind == SourceKind::IpsetSave)
                continue;
            SourceRecord copy = src;
            if (src.kind == SourceKind::DockerVersion || src.kind == SourceKind::DockerInfo) {
                copy = makeSource(src.kind, origin + " (from " + src.origin + ')',
                    withServerVersion(src, request.target.text()), src.exitStatus);
            }
            sources.push_back(std::move(copy));
        }
        sources.push_back(makeSource(SourceKind::IptablesV4, origin, parse::printIptablesSave(predicted->ipv4), 0));
        if (predicted->ipv6)
            sources.push_back(
                makeSource(SourceKind::IptablesV6, origin, parse::printIptablesSave(*predicted->ipv6), 0));
        if (!predicted->ipsets.empty())
            sources.push_back(makeSource(SourceKind::IpsetSave, origin, ipsetSaveText(predicted->ipsets), 0));
        SnapshotMeta meta = snapshot.meta;
        meta.takenAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
        meta.takenFrom = "predicted from " + std::string(sourceName) + " for Docker " + request.target.text();
        meta.chainsightVersion = CHAINSIGHT_VERSION;
        meta.predicted = true;
        meta.label = "predicted: Docker " + request.target.text()
            + (request.inPlace ? " (in-place upgrade)" : " (fresh boot)");
        auto built = snapshotFromSources(std::move(meta), std::move(sources));
        if (!built)
            return built.error();
        auto out = std::make_shared<Snapshot>(**built);
        for (const auto& n : predicted->notes)
            out->notes.push_back("preview: " + n);
        if (details)
            *details = std::move(predicted).value();
        return SnapshotPtr(std::move(out));
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Syntax, 0, 0, e.what(), "preview" };
    }
}

} // namespace model::predict
