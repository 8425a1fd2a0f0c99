// The prefix index of LiteralScanner. See literal_scanner.hpp.
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

void LiteralScanner::build()
{
    m_has.fill(false);
    m_bits4.reset();
    m_bits3.reset();
    m_bits2.reset();
    m_bits1.reset();
    m_anywhere_bits.reset();
    m_any_anywhere = false;
    std::map<std::uint64_t, std::vector<std::uint32_t>> by_prefix;
    for (std::uint32_t id = 0; id < m_literals.size(); ++id) {
        const std::string& literal = m_literals[id];
        if (literal.empty()) {
            continue;
        }
        const unsigned k = literal.size() >= 4 ? 4 : static_cast<unsigned>(literal.size());
        std::uint32_t prefix = 0;
        std::memcpy(&prefix, literal.data(), k);
        m_has[k] = true;
        if (m_anywhere[id]) {
            m_any_anywhere = true;
            m_anywhere_bits.set(hash(prefix + k));
        }
        switch (k) {
        case 4:
            m_bits4.set(hash(prefix));
            break;
        case 3:
            m_bits3.set(hash(prefix));
            break;
        case 2:
            m_bits2.set(prefix);
            break;
        default:
            m_bits1.set(prefix);
            break;
        }
        by_prefix[key(k, prefix)].push_back(id);
    }
    // A table at least four times the number of prefixes keeps probes short.
    unsigned bits = 4;
    while ((std::size_t{1} << bits) < by_prefix.size() * 4) {
        ++bits;
    }
    m_slots.assign(std::size_t{1} << bits, Slot{});
    m_slot_shift = 64 - bits;
    m_ids.clear();
    for (const auto& [wanted, ids] : by_prefix) {
        std::size_t slot = (wanted * 0x9E3779B97F4A7C15ULL) >> m_slot_shift;
        while (m_slots[slot].key != 0) {
            slot = (slot + 1) & (m_slots.size() - 1);
        }
        m_slots[slot].key = wanted;
        m_slots[slot].begin = static_cast<std::uint32_t>(m_ids.size());
        m_ids.insert(m_ids.end(), ids.begin(), ids.end());
        m_slots[slot].end = static_cast<std::uint32_t>(m_ids.size());
    }
}

} // namespace smtpprobe::classify
