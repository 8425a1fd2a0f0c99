// The prefix index of LiteralScanner. See literal_scanner.hpp.
#include "monitor/classify/literal_scanner.hpp"

namespace smtpprobe::classify {

std::uint32_t LiteralScanner::add(std::string_view literal)
{
    for (std::uint32_t i = 0; i < m_literals.size(); ++i) {
        if (m_literals[i] == literal) {
            return i;
        }
    }
    m_literals.emplace_back(literal);
    return static_cast<std::uint32_t>(m_literals.size() - 1);
}

void LiteralScanner::build()
{
    m_has.fill(false);
    m_bits4.reset();
    m_bits3.reset();
    m_bits2.reset();
    m_bits1.reset();
    m_by_prefix.clear();
    for (std::uint32_t id = 0; id < m_literals.size(); ++id) {
        const std::string& literal = m_literals[id];
        if (literal.empty()) {
            continue;
        }
        const unsigned k = literal.size() >= 4 ? 4 : static_cast<unsigned>(literal.size());
        std::uint32_t prefix = 0;
        std::memcpy(&prefix, literal.data(), k);
        m_has[k] = true;
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
        m_by_prefix[key(k, prefix)].push_back(id);
    }
}

} // namespace smtpprobe::classify
