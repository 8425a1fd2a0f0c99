// The key index of LiteralScanner. See literal_scanner.hpp.
#include "monitor/classify/literal_scanner.hpp"

#include <map>

namespace smtpprobe::classify {

std::uint32_t LiteralScanner::add(std::string_view literal, bool word)
{
    for (std::uint32_t i = 0; i < m_literals.size(); ++i) {
        if (m_literals[i] == literal) {
            if (!word) {
                m_anywhere[i] = true;
            }
            return i;
        }
    }
    m_literals.emplace_back(literal);
    m_anywhere.push_back(!word);
    return static_cast<std::uint32_t>(m_literals.size() - 1);
}

std::size_t LiteralScanner::key_hits(std::string_view text, std::size_t from, std::size_t to,
                                     std::uint16_t* hits) const
{
    const auto* data = reinterpret_cast<const unsigned char*>(text.data());
    unsigned previous_alnum = from > 0 ? k_alnum[data[from - 1]] : 0;
    std::size_t count = 0;
    // One position: the hit is always written and counted only when the bit is set, so there
    // is no branch to mispredict.
    auto test = [&](std::size_t i, std::uint32_t bytes) {
        const unsigned alnum = k_alnum[bytes & 0xFF];
        const unsigned wanted = 2U | (1U ^ (alnum & previous_alnum));
        previous_alnum = alnum;
        hits[count] = static_cast<std::uint16_t>(i - from);
        count += (m_table[hash(bytes & 0xFFFFFF)] & wanted) != 0 ? 1 : 0;
    };
    std::size_t i = from;
    // Four positions from one eight-byte load while eight bytes are left.
    for (; i + 4 <= to && i + 8 <= text.size(); i += 4) {
        std::uint64_t word = 0;
        std::memcpy(&word, data + i, 8);
        test(i, static_cast<std::uint32_t>(word));
        test(i + 1, static_cast<std::uint32_t>(word >> 8));
        test(i + 2, static_cast<std::uint32_t>(word >> 16));
        test(i + 3, static_cast<std::uint32_t>(word >> 24));
    }
    for (; i < to; ++i) {
        test(i, key_at(text, i));
    }
    return count;
}

void LiteralScanner::build()
{
    m_table.fill(0);
    m_short.clear();
    std::map<std::uint32_t, std::vector<Filed>> by_key;
    for (std::uint32_t id = 0; id < m_literals.size(); ++id) {
        const std::string& literal = m_literals[id];
        if (literal.empty()) {
            continue;
        }
        if (literal.size() < 3) {
            m_short.push_back(id);
            continue;
        }
        Filed filed;
        filed.id = id;
        filed.size = static_cast<std::uint32_t>(literal.size());
        const std::size_t head_size = literal.size() < 8 ? literal.size() : 8;
        std::memcpy(&filed.head, literal.data(), head_size);
        filed.mask = head_size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * head_size)) - 1;
        if (literal.size() > 8) {
            const std::size_t tail_size = literal.size() < 16 ? literal.size() - 8 : 8;
            std::memcpy(&filed.tail, literal.data() + 8, tail_size);
            filed.tail_mask =
                tail_size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * tail_size)) - 1;
        }
        // Where the literal is found: at a word start (bit 0) or anywhere (bit 1). A literal
        // that begins with a non-alphanumeric byte always begins a word; an anywhere literal
        // with such a byte later (and three bytes from it) is keyed there.
        unsigned bit = 1;
        if (m_anywhere[id] && is_alnum(static_cast<unsigned char>(literal[0]))) {
            filed.anywhere = true;
            bit = 2;
            for (std::size_t j = 1; j + 3 <= literal.size(); ++j) {
                if (!is_alnum(static_cast<unsigned char>(literal[j]))) {
                    filed.offset = static_cast<std::uint32_t>(j);
                    bit = 1;
                    break;
                }
            }
        }
        std::uint32_t key = 0;
        std::memcpy(&key, literal.data() + filed.offset, 3);
        const std::uint32_t h = hash(key);
        m_table[h] |= static_cast<unsigned char>(bit);
        by_key[key].push_back(filed);
    }
    // Tables at least four times the number of keys keep probes short.
    auto table_bits = [](std::size_t keys) {
        unsigned bits = 4;
        while ((std::size_t{1} << bits) < keys * 4) {
            ++bits;
        }
        return bits;
    };
    std::map<std::uint64_t, std::vector<Filed>> by_head; // the long literals
    for (auto& [key, group] : by_key) {
        for (const Filed& filed : group) {
            if (filed.size >= 8 && filed.offset == 0) {
                by_head[filed.head].push_back(filed);
            }
        }
    }
    unsigned bits = table_bits(by_key.size());
    m_slots.assign(std::size_t{1} << bits, Slot{});
    m_slot_shift = 64 - bits;
    m_filed.clear();
    for (const auto& [key, group] : by_key) {
        const std::uint64_t wanted = std::uint64_t{1} << 32 | key;
        std::size_t slot = (wanted * 0x9E3779B97F4A7C15ULL) >> m_slot_shift;
        while (m_slots[slot].key != 0) {
            slot = (slot + 1) & (m_slots.size() - 1);
        }
        m_slots[slot].key = wanted;
        m_slots[slot].begin = static_cast<std::uint32_t>(m_filed.size());
        for (const Filed& filed : group) {
            if (filed.size >= 8 && filed.offset == 0) {
                m_slots[slot].has_long = true;
            } else {
                m_filed.push_back(filed);
            }
        }
        m_slots[slot].end = static_cast<std::uint32_t>(m_filed.size());
    }
    bits = table_bits(by_head.size());
    m_long_slots.assign(std::size_t{1} << bits, LongSlot{});
    m_long_shift = 64 - bits;
    for (const auto& [head, group] : by_head) {
        std::size_t slot = (head * 0x9E3779B97F4A7C15ULL) >> m_long_shift;
        while (m_long_slots[slot].end != 0) {
            slot = (slot + 1) & (m_long_slots.size() - 1);
        }
        m_long_slots[slot].head = head;
        m_long_slots[slot].begin = static_cast<std::uint32_t>(m_filed.size());
        m_filed.insert(m_filed.end(), group.begin(), group.end());
        m_long_slots[slot].end = static_cast<std::uint32_t>(m_filed.size());
    }
}

} // namespace smtpprobe::classify
