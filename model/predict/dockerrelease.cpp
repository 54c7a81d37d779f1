#include "model/predict/dockerrelease.h"

#include <array>
#include <charconv>

namespace model::predict {

namespace {

ParseError releaseError(std::string message)
{
    return ParseError { ErrorCode::Syntax, 0, 0, std::move(message), "--to" };
}

bool readNumber(std::string_view& text, int& out)
{
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    if (ec != std::errc() || ptr == text.data())
        return false;
    text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
    return true;
}

} // namespace

std::string DockerRelease::text() const
{
    return std::to_string(major) + '.' + std::to_string(minor) + '.' + std::to_string(patch);
}

bool DockerRelease::addsUserChainReturn() const noexcept
{
    return line != DockerLine::V28_2 || (minor == 2 && patch < 2);
}

bool DockerRelease::flushesBridgeChains() const noexcept
{
    return line == DockerLine::V28_2 || (line == DockerLine::V28_0_1 && (minor > 0 || patch >= 2));
}

const char* lineName(DockerLine line) noexcept
{
    switch (line) {
    case DockerLine::V27_5: return "27.5.x";
    case DockerLine::V28_0_0: return "28.0.0";
    case DockerLine::V28_0_1: return "28.0.1-28.1.x";
    case DockerLine::V28_2: return "28.2.x-28.5.x";
    }
    return "?";
}

std::string supportedLinesText()
{
    std::string out;
    for (const auto line : { DockerLine::V27_5, DockerLine::V28_0_0, DockerLine::V28_0_1, DockerLine::V28_2 }) {
        if (!out.empty())
            out += ", ";
        out += lineName(line);
    }
    return out;
}

Result<DockerRelease> parseDockerRelease(std::string_view text) noexcept
{
    try {
        const std::string original(text);
        if (!text.empty() && (text.front() == 'v' || text.front() == 'V'))
            text.remove_prefix(1);
        DockerRelease r;
        if (!readNumber(text, r.major) || text.empty() || text.front() != '.')
            return releaseError("'" + original + "' is not a Docker release number (like 28.5.2)");
        text.remove_prefix(1);
        if (!readNumber(text, r.minor))
            return releaseError("'" + original + "' is not a Docker release number (like 28.5.2)");
        if (!text.empty() && text.front() == '.') {
            text.remove_prefix(1);
            if (!readNumber(text, r.patch))
                return releaseError("'" + original + "' is not a Docker release number (like 28.5.2)");
        }
        if (!text.empty() && text.front() != '-' && text.front() != '+')
            return releaseError("'" + original + "' is not a Docker release number (like 28.5.2)");
        if (r.major == 27 && r.minor == 5)
            r.line = DockerLine::V27_5;
        else if (r.major == 28 && r.minor == 0 && r.patch == 0)
            r.line = DockerLine::V28_0_0;
        else if (r.major == 28 && r.minor <= 1)
            r.line = DockerLine::V28_0_1;
        else if (r.major == 28 && r.minor <= 5)
            r.line = DockerLine::V28_2;
        else
            return releaseError("Docker " + original
                + " is not supported by the upgrade preview; supported lines: " + supportedLinesText());
        return r;
    } catch (const std::exception& e) {
        return releaseError(e.what());
    }
}

} // namespace model::predict
