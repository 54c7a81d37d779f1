#include "model/snapshotfile.h"

#include "model/fileio.h"
#include "model/parse/jsonreader.h"
#include "model/snapshotbuilder.h"

#include <QByteArray>

#include <nlohmann/json.hpp>

namespace model {

using parse::detail::JsonView;
using parse::detail::ShapeError;

namespace {

// Exactly the check nlohmann applies when writing, so that text written as UTF-8 reads back byte for byte.
bool dumpsAsUtf8(const std::string& s)
{
    try {
        (void)nlohmann::json(s).dump();
        return true;
    } catch (const nlohmann::json::type_error&) {
        return false;
    }
}

nlohmann::json sourceToJson(const SourceRecord& r)
{
    nlohmann::json j;
    j["kind"] = r.kind;
    j["origin"] = r.origin;
    j["variant"] = r.variant;
    j["exitStatus"] = r.exitStatus ? nlohmann::json(*r.exitStatus) : nlohmann::json(nullptr);
    j["absent"] = r.absent;
    j["sha256"] = r.sha256.empty() ? sha256Hex(r.text) : r.sha256;
    if (dumpsAsUtf8(r.text)) {
        j["encoding"] = "utf-8";
        j["text"] = r.text;
    } else {
        j["encoding"] = "base64";
        j["text"] = QByteArray::fromStdString(r.text).toBase64().toStdString();
    }
    return j;
}

SnapshotMeta readMeta(const JsonView& m)
{
    SnapshotMeta meta;
    meta.hostname = m["hostname"].string();
    meta.takenAt = m["takenAt"].string();
    meta.takenFrom = m["takenFrom"].string();
    meta.chainsightVersion = m["chainsightVersion"].string();
    meta.predicted = m["predicted"].boolean(false);
    meta.label = m["label"].string();
    return meta;
}

// Reads one source and checks its text against its checksum.
Result<SourceRecord> readSource(const JsonView& s, std::size_t index)
{
    s.requireObject("an object (one source)");
    SourceRecord r;
    r.kind = s["kind"].string();
    if (r.kind.empty())
        throw ShapeError { s.path() + "/kind", "a source needs a kind" };
    r.origin = s["origin"].string();
    r.variant = s["variant"].string();
    if (!s["exitStatus"].isNull())
        r.exitStatus = static_cast<int>(s["exitStatus"].integer(0));
    r.absent = s["absent"].boolean(false);
    const std::string encoding = s["encoding"].string("utf-8");
    const std::string text = s["text"].string();
    if (encoding == "base64") {
        const auto decoded = QByteArray::fromBase64Encoding(QByteArray::fromStdString(text), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            throw ShapeError { s.path() + "/text", "not valid base64" };
        r.text = decoded.decoded.toStdString();
    } else if (encoding == "utf-8") {
        r.text = text;
    } else {
        throw ShapeError { s.path() + "/encoding", "expected \"utf-8\" or \"base64\", found \"" + encoding + '"' };
    }
    r.sha256 = s["sha256"].string();
    const std::string actual = sha256Hex(r.text);
    if (r.sha256 != actual) {
        const std::string which = "source " + std::to_string(index + 1) + " (" + r.kind + (r.origin.empty() ? "" : ", " + r.origin) + ")";
        return ParseError { ErrorCode::Checksum, 0, 0,
            which + ": its text does not match its sha256 " + (r.sha256.empty() ? std::string("(missing)") : r.sha256)
                + "; the file was modified or damaged",
            {} };
    }
    return r;
}

struct Document {
    SnapshotMeta meta;
    std::vector<SourceRecord> sources;
};

Result<Document> readDocument(const JsonView& root)
{
    root.requireObject("an object (a Chainsight snapshot)");
    if (root["format"].optString().value_or("") != kSnapshotFormatName)
        return ParseError { ErrorCode::UnknownFormat, 0, 0,
            std::string("not a Chainsight snapshot file (no \"format\": \"") + kSnapshotFormatName + "\")", {} };
    const long long version = root["version"].integer(0);
    if (version > kSnapshotFormatVersion || version < 1)
        return ParseError { ErrorCode::UnsupportedVersion, 0, 0,
            "snapshot format version " + std::to_string(version) + " is not supported: this build of Chainsight reads version "
                + std::to_string(kSnapshotFormatVersion) + (version > kSnapshotFormatVersion ? "; it was written by a newer Chainsight" : ""),
            {} };
    Document doc;
    doc.meta = readMeta(root["meta"]);
    const JsonView sources = root["sources"];
    sources.requireArray("an array of sources");
    const auto elements = sources.elements();
    for (std::size_t i = 0; i < elements.size(); ++i) {
        auto source = readSource(elements[i], i);
        if (!source)
            return source.error();
        doc.sources.push_back(std::move(source).value());
    }
    return doc;
}

} // namespace

std::string snapshotToJson(const Snapshot& snapshot)
{
    nlohmann::json doc;
    doc["format"] = kSnapshotFormatName;
    doc["version"] = kSnapshotFormatVersion;
    const auto& m = snapshot.meta;
    doc["meta"] = { { "hostname", m.hostname }, { "takenAt", m.takenAt }, { "takenFrom", m.takenFrom },
        { "chainsightVersion", m.chainsightVersion }, { "predicted", m.predicted }, { "label", m.label } };
    doc["sources"] = nlohmann::json::array();
    for (const auto& r : snapshot.sources)
        doc["sources"].push_back(sourceToJson(r));
    // Hostnames, origins and labels come from users and hosts: never let one bad byte stop a save.
    return doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

bool looksLikeSnapshotFile(std::string_view text) noexcept
{
    const auto head = text.substr(0, 512);
    const auto first = head.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && head[first] == '{'
        && head.find(std::string("\"") + kSnapshotFormatName + '"') != std::string_view::npos;
}

Result<SnapshotPtr> snapshotFromJson(std::string_view text, std::string_view where) noexcept
{
    auto doc = parse::detail::guardShape<Document>(text, [](const JsonView& root) { return readDocument(root); });
    if (!doc) {
        ParseError error = doc.error();
        error.where = std::string(where);
        return error;
    }
    auto built = snapshotFromSources(std::move(doc.value().meta), std::move(doc.value().sources));
    if (!built) {
        ParseError error = built.error();
        error.where = std::string(where);
        return error;
    }
    return built;
}

Result<SnapshotPtr> loadSnapshotFile(const QString& path) noexcept
{
    auto data = readWholeFile(path);
    if (!data)
        return data.error();
    return snapshotFromJson(data.value(), path.toStdString());
}

Result<bool> saveSnapshotFile(const Snapshot& snapshot, const QString& path) noexcept
{
    std::string text;
    try {
        text = snapshotToJson(snapshot);
    } catch (const std::exception& e) {
        return ParseError { ErrorCode::Io, 0, 0, std::string("could not serialise the snapshot: ") + e.what(), path.toStdString() };
    }
    return writeFileAtomically(path, text);
}

} // namespace model
