// A snapshot document, and content detection plus a strict build of whatever the input is detected as.
#include "model/parse/detect.h"
#include "model/snapshotbuilder.h"
#include "model/snapshotfile.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)model::snapshotFromJson(text, "fuzz");
    if (const auto kind = model::parse::detectSourceKind(text)) {
        std::vector<model::SourceRecord> sources;
        sources.push_back(model::makeSource(kind->kind, "fuzz", std::string(text)));
        const auto built = model::snapshotFromSources({}, std::move(sources), model::BuildOptions { true });
        if (built.ok())
            (void)model::snapshotToJson(*built.value());
    }
    return 0;
}
