#include "app/cli/snapshotfile.h"

#include <QSaveFile>

#include <nlohmann/json.hpp>

namespace cli {

// TODO(issue 7): switch to the model's snapshot saver once it lands, so that there is one file format writer.
QString saveSnapshotFile(const remote::RemoteCapture& capture, const QString& path)
{
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& s : capture.sources) {
        nlohmann::json source { { "kind", s.kind }, { "origin", s.origin }, { "text", s.text }, { "sha256", s.sha256 },
            { "absent", s.absent } };
        source["exitStatus"] = s.exitStatus ? nlohmann::json(*s.exitStatus) : nlohmann::json();
        if (!s.variant.empty())
            source["variant"] = s.variant;
        sources.push_back(std::move(source));
    }
    const auto& m = capture.meta;
    const nlohmann::json document { { "format", "chainsight-snapshot" }, { "version", 1 },
        { "meta",
            { { "hostname", m.hostname }, { "takenAt", m.takenAt }, { "takenFrom", m.takenFrom },
                { "chainsightVersion", m.chainsightVersion }, { "predicted", m.predicted }, { "label", m.label } } },
        { "notes", capture.notes }, { "sources", std::move(sources) } };
    // invalid UTF-8 from a host is replaced rather than refused
    const std::string text = document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write ") + path + QStringLiteral(": ") + file.errorString();
    file.write(text.data(), static_cast<qint64>(text.size()));
    if (!file.commit())
        return QStringLiteral("cannot write ") + path + QStringLiteral(": ") + file.errorString();
    return {};
}

} // namespace cli
