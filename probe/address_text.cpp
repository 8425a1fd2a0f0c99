// address_text: IPv4 by hand with std::to_chars, IPv6 (rare, and with its "::" compression
// and scope ids) through Asio.
#include "probe/address_text.hpp"

#include <array>
#include <charconv>

namespace smtpprobe::probe {

std::string address_text(const boost::asio::ip::address& address)
{
    if (!address.is_v4()) {
        return address.to_string();
    }
    auto bytes = address.to_v4().to_bytes();
    std::array<char, 16> text{}; // "255.255.255.255" is 15
    char* out = text.data();
    char* const end = text.data() + text.size();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) {
            *out++ = '.';
        }
        out = std::to_chars(out, end, static_cast<unsigned>(bytes[i])).ptr;
    }
    return std::string(text.data(), out);
}

} // namespace smtpprobe::probe
