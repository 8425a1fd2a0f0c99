// address_text() must give exactly what Asio's to_string() gives, for IPv4 edge values and IPv6.
#include "probe/address_text.hpp"

#include <doctest/doctest.h>

using smtpprobe::probe::address_text;

TEST_CASE("address_text equals ip::address::to_string for every kind of address")
{
    const char* cases[] = {
        "0.0.0.0",
        "127.0.0.1",
        "10.20.30.40",
        "192.0.2.9",
        "198.51.100.99",
        "203.0.113.100",
        "255.255.255.255",
        "1.0.0.1",
        "100.64.0.255",
        "::1",
        "::",
        "2001:db8::1",
        "fe80::1:2:3:4",
        "::ffff:192.0.2.1",
        "2001:db8:0:1:1:1:1:1",
    };
    for (const char* text : cases) {
        auto address = boost::asio::ip::make_address(text);
        CAPTURE(text);
        CHECK(address_text(address) == address.to_string());
        CHECK(address_text(address) == text);
    }
}
