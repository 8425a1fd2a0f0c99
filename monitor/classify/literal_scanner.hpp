// Finds every occurrence of many literals (the classifier's substring conditions and the
// atoms of its RE2 patterns) in one pass over a text. Each literal of three bytes or more is
// keyed by three of its bytes; the pass makes one test per position: the hash of the three
// bytes there picks a byte of a 32 KiB table (so it stays in the L1 cache) whose two bits say
// "a word literal starts with these bytes" and "an anywhere literal has these bytes", and the
// position is verified only when a bit that applies there is set. The positions are
// independent of each other, so the CPU overlaps them (an Aho-Corasick table walk would chain one
// cache miss per byte); they are tested a chunk at a time without a branch (key_hits), and only
// the hits are then verified. An "anywhere" literal that holds a non-alphanumeric byte after its
// first is keyed at that byte instead: such a byte always begins a "word", so the literal is found
// by the word-start test and costs nothing inside words. Literals of one or two bytes (only a user
// rule file can give them) are searched for separately.
//
// Contract: add() literals, then build() once; scan() is const, thread-safe, linear in the
// text (plus the verifications of true key hits), and never reads outside the text.
#pragma once

#include <array>
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
    // Builds the key index; call after the last add().
    void build();

    std::size_t literal_count() const { return m_literals.size(); }

    // Calls on_match(id) for each occurrence of each literal (ids may repeat).
    template <class OnMatch>
    void scan(std::string_view text, OnMatch&& on_match) const
    {
        if (!m_short.empty()) {
            scan_short(text, on_match);
        }
        const std::size_t size = text.size();
        if (size < 3) {
            return;
        }
        // First the positions whose key bits are set, a chunk at a time without a branch per
        // byte; then each of them is verified (most texts have a few).
        std::uint16_t hits[k_chunk];
        for (std::size_t from = 0; from + 3 <= size; from += k_chunk) {
            const std::size_t to = size - 2 - from < k_chunk ? size - 2 : from + k_chunk;
            const std::size_t count = key_hits(text, from, to, hits);
            for (std::size_t j = 0; j < count; ++j) {
                const std::size_t at = from + hits[j];
                verify(key_at(text, at), text, at, on_match);
            }
        }
    }

private:
    static constexpr std::size_t k_chunk = 256; // positions per key_hits() call

    static std::uint32_t hash(std::uint32_t key) { return (key * 2654435761U) >> 17; }
    // The three bytes at `at` (at + 3 <= text size), little-endian.
    static std::uint32_t key_at(std::string_view text, std::size_t at)
    {
        const auto* data = reinterpret_cast<const unsigned char*>(text.data()) + at;
        return data[0] | (std::uint32_t{data[1]} << 8) | (std::uint32_t{data[2]} << 16);
    }
    // Writes into `hits` (offsets from `from`) the positions in [from, to) whose key bit that
    // applies there is set (to + 2 <= text size, to - from <= k_chunk); returns their count.
    // Bit 0 of a table entry: a word literal's key; bit 1: an anywhere literal's key. Inside a
    // word (a letter or digit after a letter or digit) only bit 1 applies.
    std::size_t key_hits(std::string_view text, std::size_t from, std::size_t to,
                         std::uint16_t* hits) const;
    static bool is_alnum(unsigned char c) { return k_alnum[c] != 0; }
    // Whether a word literal may start at `at` (not a letter or digit after one).
    static bool word_start(std::string_view text, std::size_t at)
    {
        return at == 0 || !is_alnum(static_cast<unsigned char>(text[at - 1])) ||
               !is_alnum(static_cast<unsigned char>(text[at]));
    }
    // The first up to eight bytes at `at`, little-endian, zero beyond the text.
    static std::uint64_t head_at(std::string_view text, std::size_t at)
    {
        std::uint64_t head = 0;
        const std::size_t left = text.size() - at;
        if (left >= 8) [[likely]] {
            std::memcpy(&head, text.data() + at, 8); // one load, not a call to memcpy
        } else {
            std::memcpy(&head, text.data() + at, left);
        }
        return head;
    }

    // Whether n bytes at a and b are equal: eight at a time, inline (the literals' tails are
    // short, so a call to memcmp costs more than the comparison).
    static bool same_bytes(const char* a, const char* b, std::size_t n)
    {
        for (; n >= 8; n -= 8, a += 8, b += 8) {
            std::uint64_t x = 0;
            std::uint64_t y = 0;
            std::memcpy(&x, a, 8);
            std::memcpy(&y, b, 8);
            if (x != y) {
                return false;
            }
        }
        for (; n > 0; --n, ++a, ++b) {
            if (*a != *b) {
                return false;
            }
        }
        return true;
    }

    // One literal filed under a key: where its key sits in it and its first eight bytes.
    struct Filed {
        std::uint64_t head = 0;      // first min(8, size) bytes
        std::uint64_t mask = 0;      // which bytes of head count
        std::uint64_t tail = 0;      // the next up to eight bytes (8 to 15)
        std::uint64_t tail_mask = 0; // which bytes of tail count
        std::uint32_t id = 0;
        std::uint32_t size = 0;
        std::uint32_t offset = 0; // of the key inside the literal
        bool anywhere = false;
    };

    // Whether the literal's bytes after its first eight are at `start + 8` (the literal fits
    // in the text there): its next eight are kept in Filed, the rest compared in place.
    bool tail_matches(const Filed& filed, std::string_view text, std::size_t start) const
    {
        if ((head_at(text, start + 8) & filed.tail_mask) != filed.tail) {
            return false;
        }
        return filed.size <= 16 || same_bytes(text.data() + start + 16,
                                              m_literals[filed.id].data() + 16, filed.size - 16);
    }

    template <class OnMatch>
    void verify(std::uint32_t key, std::string_view text, std::size_t at, OnMatch& on_match) const
    {
        // Open addressing over a power-of-two table; an empty slot ends the probe.
        const std::uint64_t wanted = std::uint64_t{1} << 32 | key;
        std::size_t slot = (wanted * 0x9E3779B97F4A7C15ULL) >> m_slot_shift;
        while (m_slots[slot].key != wanted) {
            if (m_slots[slot].key == 0) {
                return; // a hash collision in the table
            }
            slot = (slot + 1) & (m_slots.size() - 1);
        }
        const Slot& found = m_slots[slot];
        for (std::uint32_t i = found.begin; i < found.end; ++i) {
            const Filed& filed = m_filed[i];
            if (filed.offset > at) {
                continue;
            }
            const std::size_t start = at - filed.offset;
            if (filed.size > text.size() - start) {
                continue;
            }
            if (!filed.anywhere && !word_start(text, start)) {
                continue;
            }
            if ((head_at(text, start) & filed.mask) != filed.head) {
                continue;
            }
            if (filed.size > 8 && !tail_matches(filed, text, start)) {
                continue; // a long literal keyed at an offset
            }
            on_match(filed.id);
        }
        if (!found.has_long || text.size() - at < 8) {
            return;
        }
        // Literals of eight bytes or more: the eight bytes here pick their group.
        const std::uint64_t head = head_at(text, at);
        slot = (head * 0x9E3779B97F4A7C15ULL) >> m_long_shift;
        while (m_long_slots[slot].head != head) {
            if (m_long_slots[slot].end == 0) {
                return;
            }
            slot = (slot + 1) & (m_long_slots.size() - 1);
        }
        const bool at_word_start = word_start(text, at);
        for (std::uint32_t i = m_long_slots[slot].begin; i < m_long_slots[slot].end; ++i) {
            const Filed& filed = m_filed[i];
            if (filed.size > text.size() - at || (!filed.anywhere && !at_word_start) ||
                !tail_matches(filed, text, at)) {
                continue;
            }
            on_match(filed.id);
        }
    }

    template <class OnMatch>
    void scan_short(std::string_view text, OnMatch& on_match) const
    {
        for (const std::uint32_t id : m_short) {
            const std::string& literal = m_literals[id];
            for (std::size_t at = text.find(literal); at != std::string_view::npos;
                 at = text.find(literal, at + 1)) {
                if (m_anywhere[id] || at == 0 ||
                    !is_alnum(static_cast<unsigned char>(text[at - 1])) ||
                    !is_alnum(static_cast<unsigned char>(text[at]))) {
                    on_match(id);
                }
            }
        }
    }

    static constexpr std::array<unsigned char, 256> k_alnum = [] {
        std::array<unsigned char, 256> table{};
        for (int c = 0; c < 256; ++c) {
            table[static_cast<std::size_t>(c)] =
                (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }
        return table;
    }();

    std::vector<std::string> m_literals;
    std::vector<bool> m_anywhere;               // per literal: may start inside a word
    std::array<unsigned char, 32768> m_table{}; // 2 bits per 15-bit key hash (see scan)
    // Literals under a three-byte key: those shorter than eight bytes or keyed at an offset
    // (m_filed[begin, end)), and whether longer ones share the key (see m_long_slots).
    struct Slot {
        std::uint64_t key = 0; // 1 << 32 | key bytes; 0 = empty
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
        bool has_long = false;
    };
    std::vector<Slot> m_slots{1};
    unsigned m_slot_shift = 63;
    // Literals of eight bytes or more keyed at their start, grouped by their first eight.
    struct LongSlot {
        std::uint64_t head = 0;
        std::uint32_t begin = 0;
        std::uint32_t end = 0; // 0 = empty
    };
    std::vector<LongSlot> m_long_slots{1};
    unsigned m_long_shift = 63;
    std::vector<Filed> m_filed;         // literals grouped by key
    std::vector<std::uint32_t> m_short; // literals of one or two bytes
};

} // namespace smtpprobe::classify
