#pragma once

// A password or passphrase held only in memory owned here, zeroed when replaced or destroyed.
// Never copied implicitly; never converted to a std::string or QString (those leave copies behind).

#include <cstddef>
#include <vector>

namespace remote {

class Secret final {
public:
    Secret() = default;
    ~Secret();
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& other) noexcept;
    Secret& operator=(Secret&& other) noexcept;

    // Takes the bytes and zeroes the caller's buffer.
    void assign(char* data, std::size_t size);
    void append(char c);
    void clear() noexcept;

    bool empty() const noexcept { return m_bytes.empty(); }
    std::size_t size() const noexcept { return m_bytes.empty() ? 0 : m_bytes.size() - 1; }
    // NUL-terminated, valid until the next change.
    const char* c_str() const noexcept;

private:
    std::vector<char> m_bytes; // always NUL-terminated when non-empty
};

// Overwrites memory in a way the compiler may not elide.
void wipe(void* data, std::size_t size) noexcept;

} // namespace remote
