#pragma once

// An immutable string that copies share. A provenance reason is the same few words for every rule of a chain,
// so a large ruleset holds one copy per distinct reason instead of one per rule. Copying costs a reference
// count, never an allocation; safe to copy and read from several threads.

#include <memory>
#include <string>
#include <string_view>

namespace model {

class SharedString final {
public:
    SharedString() noexcept = default;
    SharedString(std::string text)
        : m_text(text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text)))
    {
    }
    SharedString(const char* text)
        : SharedString(std::string(text))
    {
    }

    const std::string& str() const noexcept { return m_text ? *m_text : emptyString(); }
    operator const std::string&() const noexcept { return str(); }
    bool empty() const noexcept { return !m_text; }
    bool operator==(const SharedString& o) const noexcept { return str() == o.str(); }
    bool operator==(std::string_view o) const noexcept { return str() == o; }

private:
    static const std::string& emptyString() noexcept
    {
        static const std::string empty;
        return empty;
    }

    std::shared_ptr<const std::string> m_text;
};

} // namespace model
