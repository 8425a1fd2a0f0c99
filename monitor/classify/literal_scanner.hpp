// Finds every occurrence of many literals (the classifier's substring conditions and the
// atoms of its RE2 patterns) in one pass over a text. Each literal is keyed by its first
// k = min(4, length) bytes; a pass tests, at every position, the 4-, 3-, 2- and 1-byte
// prefixes against small bitsets (24 KiB in all, so they stay in the L1 cache) and verifies
// only the positions whose prefix is known. The positions are independent of each other, so
// the CPU overlaps them (an Aho-Corasick table walk would chain one cache miss per byte).
//
// Contract: add() literals, then build() once; scan() is const, thread-safe, linear in the
// text (plus the verifications of true prefix hits), and never reads outside the text.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::classify {

class LiteralScanner {
public:
    // Adds a literal (non-empty) and returns its id; the same bytes again give the same id.
    // A word literal that begins with a letter or digit only matches where a word begins
    // ("spam" in "no spam", not in "antispam"); other literals match anywhere.
    std::uint32_t add(std::string_view literal, bool word = true);
    // Builds the prefix index; call after the last add().
    void build();

    std::size_t literal_count() const { return m_literals.size(); }

    // Calls on_match(id) for each occurrence of each literal (ids may repeat).
    // Inside a word (a letter or digit after a letter or digit) only the "anywhere" literals
    // are tested, which skips most positions of ordinary prose.
    template <class OnMatch>
    void scan(std::string_view text, OnMatch&& on_match) const
    {
        const char* data = text.data();
        const std::size_t size = text.size();
        bool previous_alnum = false;
        for (std::size_t i = 0; i < size; ++i) {
            const std::size_t left = size - i;
            const bool alnum = k_alnum[static_cast<unsigned char>(data[i])];
            const bool word_start = !(alnum && previous_alnum);
            previous_alnum = alnum;
            std::uint32_t word = 0;
            std::memcpy(&word, data + i, left >= 4 ? 4 : left); // little-endian prefix bytes
            if (word_start) {
                if (left >= 4 && m_has[4] && m_bits4.test(hash(word))) {
                    verify(4, word, text, i, on_match);
                }
                if (left >= 3 && m_has[3] && m_bits3.test(hash(word & 0xffffffU))) {
                    verify(3, word & 0xffffffU, text, i, on_match);
                }
                if (left >= 2 && m_has[2] && m_bits2.test(word & 0xffffU)) {
                    verify(2, word & 0xffffU, text, i, on_match);
                }
                if (m_has[1] && m_bits1.test(word & 0xffU)) {
                    verify(1, word & 0xffU, text, i, on_match);
                }
            } else if (m_any_anywhere) {
                const unsigned k = left >= 4 ? 4 : static_cast<unsigned>(left);
                for (unsigned n = k; n >= 1; --n) {
                    const std::uint32_t prefix =
                        n == 4 ? word : (word & ((std::uint32_t{1} << (8 * n)) - 1));
                    if (m_anywhere_bits.test(hash(prefix + n))) {
                        verify(n, prefix, text, i, on_match);
                    }
                }
            }
        }
    }

private:
    static std::uint32_t hash(std::uint32_t prefix) { return (prefix * 2654435761U) >> 16; }
    static std::uint64_t key(unsigned k, std::uint32_t prefix)
    {
        return (static_cast<std::uint64_t>(k) << 32) | prefix;
    }

    template <class OnMatch>
    void verify(unsigned k, std::uint32_t prefix, std::string_view text, std::size_t at,
                OnMatch& on_match) const
    {
        // Open addressing over a power-of-two table; an empty slot ends the probe.
        const std::uint64_t wanted = key(k, prefix);
        std::size_t slot = (wanted * 0x9E3779B97F4A7C15ULL) >> m_slot_shift;
        while (m_slots[slot].key != wanted) {
            if (m_slots[slot].key == 0) {
                return; // a hash collision in the bitset
            }
            slot = (slot + 1) & (m_slots.size() - 1);
        }
        const Slot& found = m_slots[slot];
        const bool word_start = at == 0 || !k_alnum[static_cast<unsigned char>(text[at - 1])] ||
                                !k_alnum[static_cast<unsigned char>(text[at])];
        for (std::uint32_t i = found.begin; i < found.end; ++i) {
            const std::uint32_t id = m_ids[i];
            if (!word_start && !m_anywhere[id]) {
                continue;
            }
            const std::string& literal = m_literals[id];
            if (literal.size() <= text.size() - at &&
                std::memcmp(text.data() + at, literal.data(), literal.size()) == 0) {
                on_match(id);
            }
        }
    }

    static constexpr std::array<bool, 256> k_alnum = [] {
        std::array<bool, 256> table{};
        for (int c = 0; c < 256; ++c) {
            table[static_cast<std::size_t>(c)] =
                (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }
        return table;
    }();

    std::vector<std::string> m_literals;
    std::vector<bool> m_anywhere; // per literal: may start inside a word
    bool m_any_anywhere = false;
    std::bitset<65536> m_anywhere_bits; // hash(prefix + length) of the anywhere literals
    std::array<bool, 5> m_has{};
    std::bitset<65536> m_bits4;
    std::bitset<65536> m_bits3;
    std::bitset<65536> m_bits2;
    std::bitset<256> m_bits1;
    struct Slot {
        std::uint64_t key = 0; // key(k, prefix); 0 = empty (k is never 0)
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
    };
    std::vector<Slot> m_slots{1};
    unsigned m_slot_shift = 63;
    std::vector<std::uint32_t> m_ids; // literal ids grouped by prefix
};

} // namespace smtpprobe::classify
