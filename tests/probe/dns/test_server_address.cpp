// parse_server_address (--dns-server) and the reverse-lookup names, table-driven.
#include "probe/dns/resolver.hpp"
#include "probe/dns/reverse_name.hpp"

#include <doctest/doctest.h>

using smtpprobe::dns::parse_server_address;

TEST_CASE("parse_server_address accepts every documented form")
{
    struct Case {
        const char* text;
        const char* address;
        int port;
    };
    const Case cases[] = {
        {"127.0.0.1", "127.0.0.1", 53},
        {"127.0.0.1:5353", "127.0.0.1", 5353},
        {"192.0.2.53:1", "192.0.2.53", 1},
        {"10.0.0.1:65535", "10.0.0.1", 65535},
        {"::1", "::1", 53},
        {"2001:db8::53", "2001:db8::53", 53},
        {"[::1]", "::1", 53},
        {"[::1]:5300", "::1", 5300},
        {"[2001:db8::1]:53", "2001:db8::1", 53},
        {"[127.0.0.1]:54", "127.0.0.1", 54},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        std::string error;
        auto server = parse_server_address(c.text, &error);
        REQUIRE(server.has_value());
        CHECK(error.empty());
        CHECK(server->address.to_string() == c.address);
        CHECK(server->port == c.port);
    }
}

TEST_CASE("parse_server_address refuses malformed values with one clear sentence")
{
    struct Case {
        const char* text;
        const char* says;
    };
    const Case cases[] = {
        {"", "empty"},
        {"dns.example.com", "not an IP address"},
        {"dns.example.com:53", "not an IP address"},
        {"127.0.0.1:", "bad port"},
        {"127.0.0.1:0", "bad port"},
        {"127.0.0.1:65536", "bad port"},
        {"127.0.0.1:53x", "bad port"},
        {"127.0.0.1:-1", "bad port"},
        {"127.0.0.1:99999999999999999999", "bad port"},
        {"[::1", "closing ']'"},
        {"[::1]53", "after ']'"},
        {"[::1]:", "bad port"},
        {"[]:53", "not an IP address"},
        {"[dns.example]:53", "not an IP address"},
        {"300.1.1.1", "not an IP address"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        std::string error;
        auto server = parse_server_address(c.text, &error);
        CHECK_FALSE(server.has_value());
        CHECK(error.find(c.says) != std::string::npos);
        CHECK(error.rfind("--dns-server", 0) == 0);
        CHECK(error.find('\n') == std::string::npos);
    }
}

TEST_CASE("reverse names for PTR and DNSBL queries")
{
    using boost::asio::ip::make_address;
    struct Case {
        const char* address;
        const char* labels;
        const char* ptr;
    };
    const Case cases[] = {
        {"192.0.2.1", "1.2.0.192", "1.2.0.192.in-addr.arpa"},
        {"127.0.0.2", "2.0.0.127", "2.0.0.127.in-addr.arpa"},
        {"::ffff:127.0.0.2", "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
         "2.0.0.127.in-addr.arpa"},
        {"2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2",
         "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"},
        {"2001:db8:abcd:12::fe", "e.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2",
         "e.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.address);
        CHECK(smtpprobe::dns::reversed_labels(make_address(c.address)) == c.labels);
        CHECK(smtpprobe::dns::ptr_name(make_address(c.address)) == c.ptr);
    }
}
