#include "remote/secret.h"

#include <cstring>
#include <utility>

namespace remote {

void wipe(void* data, std::size_t size) noexcept
{
    if (data == nullptr || size == 0)
        return;
    volatile auto* p = static_cast<volatile unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i)
        p[i] = 0;
}

Secret::~Secret() { clear(); }

Secret::Secret(Secret&& other) noexcept
    : m_bytes(std::move(other.m_bytes))
{
    other.m_bytes.clear();
}

Secret& Secret::operator=(Secret&& other) noexcept
{
    if (this != &other) {
        clear();
        m_bytes = std::move(other.m_bytes);
        other.m_bytes.clear();
    }
    return *this;
}

void Secret::clear() noexcept
{
    // capacity, not size: a reallocation-free vector keeps old bytes beyond size()
    wipe(m_bytes.data(), m_bytes.capacity());
    m_bytes.clear();
}

void Secret::assign(char* data, std::size_t size)
{
    clear();
    // reserve first so that no reallocation leaves an unwiped copy behind
    m_bytes.reserve(size + 1);
    m_bytes.insert(m_bytes.end(), data, data + size);
    m_bytes.push_back('\0');
    wipe(data, size);
}

void Secret::append(char c)
{
    if (m_bytes.empty())
        m_bytes.push_back('\0');
    if (m_bytes.size() == m_bytes.capacity()) {
        std::vector<char> bigger;
        bigger.reserve(m_bytes.capacity() * 2 + 16);
        bigger.insert(bigger.end(), m_bytes.begin(), m_bytes.end());
        clear();
        m_bytes = std::move(bigger);
    }
    m_bytes.back() = c;
    m_bytes.push_back('\0');
}

const char* Secret::c_str() const noexcept { return m_bytes.empty() ? "" : m_bytes.data(); }

} // namespace remote
