// See reverse_name.hpp.
#include "probe/dns/reverse_name.hpp"

namespace smtpprobe::dns {

namespace {

boost::asio::ip::address unmapped(const boost::asio::ip::address& address)
{
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    }
    return address;
}

} // namespace

std::string reversed_labels(const boost::asio::ip::address& address)
{
    std::string out;
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        for (std::size_t i = bytes.size(); i-- > 0;) {
            out += std::to_string(bytes[i]);
            if (i != 0) {
                out += '.';
            }
        }
        return out;
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    const auto bytes = address.to_v6().to_bytes();
    for (std::size_t i = bytes.size(); i-- > 0;) {
        out += k_hex[bytes[i] & 0x0f];
        out += '.';
        out += k_hex[bytes[i] >> 4];
        if (i != 0) {
            out += '.';
        }
    }
    return out;
}

std::string ptr_name(const boost::asio::ip::address& input)
{
    const boost::asio::ip::address address = unmapped(input);
    return reversed_labels(address) + (address.is_v4() ? ".in-addr.arpa" : ".ip6.arpa");
}

} // namespace smtpprobe::dns
