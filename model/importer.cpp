#include "model/importer.h"

#include "model/fileio.h"
#include "model/parse/detect.h"
#include "model/snapshotbuilder.h"
#include "model/snapshotfile.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <map>

namespace model {

namespace {

ParseError error(ErrorCode code, const QString& where, std::string message)
{
    return ParseError { code, 0, 0, std::move(message), where.toStdString() };
}

SnapshotMeta importMeta(const QString& path, const QDateTime& newest)
{
    SnapshotMeta meta;
    meta.takenAt = newest.toUTC().toString(Qt::ISODate).toStdString();
    meta.takenFrom = "import " + QDir::cleanPath(path).toStdString();
    meta.chainsightVersion = CHAINSIGHT_VERSION;
    return meta;
}

std::string describe(const parse::DetectedKind& kind)
{
    return kind.format + " (" + kind.kind + ')';
}

Result<SnapshotPtr> importFile(const QString& path)
{
    auto data = readWholeFile(path);
    if (!data)
        return data.error();
    if (looksLikeSnapshotFile(data.value()))
        return snapshotFromJson(data.value(), path.toStdString());
    const auto kind = parse::detectSourceKind(data.value());
    if (!kind)
        return error(ErrorCode::UnknownFormat, path,
            "not a dump Chainsight recognises (expected iptables-save, iptables -S or -L, ipset save, docker or ip -j JSON, "
            "resolv.conf, daemon.json, sysctl output, or a *.chainsight.json snapshot)");
    std::vector<SourceRecord> sources;
    sources.push_back(makeSource(kind->kind, QFileInfo(path).fileName().toStdString(), std::move(data).value()));
    return snapshotFromSources(importMeta(path, QFileInfo(path).lastModified()), std::move(sources), BuildOptions { true });
}

Result<SnapshotPtr> importFolder(const QString& path)
{
    const QDir dir(path);
    const auto entries = dir.entryInfoList(QDir::Files | QDir::Readable | QDir::NoDotAndDotDot, QDir::Name);
    std::vector<SourceRecord> sources;
    std::vector<std::string> notes;
    std::map<std::string, QString> claimedBy; // kind -> file name
    QDateTime newest;
    for (const QFileInfo& info : entries) {
        const std::string name = info.fileName().toStdString();
        auto data = readWholeFile(info.filePath());
        if (!data) {
            notes.push_back(name + ": " + data.error().message + "; ignored");
            continue;
        }
        if (looksLikeSnapshotFile(data.value())) {
            notes.push_back(name + ": a Chainsight snapshot, not a raw dump; ignored");
            continue;
        }
        const auto kind = parse::detectSourceKind(data.value());
        if (!kind) {
            notes.push_back(name + ": not a recognised dump; ignored");
            continue;
        }
        if (const auto it = claimedBy.find(kind->kind); it != claimedBy.end())
            return error(ErrorCode::Conflict, path,
                "two files claim the same source " + describe(*kind) + ": " + it->second.toStdString() + " and " + name);
        claimedBy.emplace(kind->kind, info.fileName());
        newest = std::max(newest, info.lastModified());
        sources.push_back(makeSource(kind->kind, name, std::move(data).value()));
    }
    if (sources.empty())
        return error(ErrorCode::UnknownFormat, path, "the folder holds no dump Chainsight recognises");
    auto built = snapshotFromSources(importMeta(path, newest), std::move(sources), BuildOptions { true });
    if (!built) {
        ParseError failure = built.error();
        failure.where = dir.filePath(QString::fromStdString(failure.where)).toStdString();
        return failure;
    }
    auto snapshot = std::make_shared<Snapshot>(*built.value());
    snapshot->notes.insert(snapshot->notes.begin(), notes.begin(), notes.end());
    return SnapshotPtr(std::move(snapshot));
}

} // namespace

Result<SnapshotPtr> importPath(const QString& path) noexcept
{
    try {
        const QFileInfo info(path);
        if (!info.exists())
            return error(ErrorCode::Io, path, "no such file or folder");
        if (info.isDir())
            return importFolder(path);
        return importFile(path);
    } catch (const std::exception& e) {
        return error(ErrorCode::Io, path, std::string("import failed: ") + e.what());
    }
}

} // namespace model
