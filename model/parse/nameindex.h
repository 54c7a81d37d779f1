#pragma once

// A flat open-addressing map from names (string_views into the parser's input) to indexes. Parsers look up
// a chain for nearly every rule of dumps with tens of thousands of chains; node-based maps spend that time
// in cache misses and allocations. Not thread-safe; the viewed text must outlive the index.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace model::parse {

class NameIndex final {
public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    void clear() noexcept
    {
        m_slots.clear();
        m_size = 0;
    }
    void reserve(std::size_t n)
    {
        std::size_t cap = 16;
        while (cap < n * 2)
            cap *= 2;
        if (cap > m_slots.size())
            rehash(cap);
    }
    std::size_t size() const noexcept { return m_size; }

    std::size_t find(std::string_view key) const noexcept
    {
        if (m_slots.empty())
            return npos;
        const std::uint64_t h = hash(key);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const Slot& s = m_slots[i];
            if (s.value == npos)
                return npos;
            if (s.hash == h && s.key == key)
                return s.value;
        }
    }
    bool contains(std::string_view key) const noexcept { return find(key) != npos; }

    // Adds key -> value unless key is present; returns the value stored for key.
    std::size_t insert(std::string_view key, std::size_t value)
    {
        if ((m_size + 1) * 2 > m_slots.size())
            rehash(m_slots.empty() ? 16 : m_slots.size() * 2);
        const std::uint64_t h = hash(key);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            Slot& s = m_slots[i];
            if (s.value == npos) {
                s = Slot { h, key, value };
                ++m_size;
                return value;
            }
            if (s.hash == h && s.key == key)
                return s.value;
        }
    }

    // The value for key, inserting initial first when absent.
    std::size_t& at(std::string_view key, std::size_t initial)
    {
        insert(key, initial);
        const std::uint64_t h = hash(key);
        const std::size_t mask = m_slots.size() - 1;
        std::size_t i = h & mask;
        while (!(m_slots[i].hash == h && m_slots[i].key == key))
            i = (i + 1) & mask;
        return m_slots[i].value;
    }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::string_view key;
        std::size_t value = npos;
    };

    static std::uint64_t hash(std::string_view s) noexcept
    {
        std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a, then a final mix so the low bits spread
        for (const char c : s)
            h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
        return h;
    }

    void rehash(std::size_t capacity)
    {
        std::vector<Slot> old(capacity);
        old.swap(m_slots);
        const std::size_t mask = capacity - 1;
        for (const Slot& s : old) {
            if (s.value == npos)
                continue;
            std::size_t i = s.hash & mask;
            while (m_slots[i].value != npos)
                i = (i + 1) & mask;
            m_slots[i] = s;
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
};

} // namespace model::parse
