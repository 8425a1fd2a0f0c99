// Reverse-lookup names of IP addresses: the label sequences used under in-addr.arpa/ip6.arpa
// (PTR) and under DNS blocklist zones (RFC 5782).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>

namespace smtpprobe::dns {

// "192.0.2.1" -> "1.2.0.192"; "2001:db8::1" -> 32 nibbles, lowest first
// ("1.0.0.0. ... .8.b.d.0.1.0.0.2"). No trailing dot, no suffix. An IPv4-mapped IPv6 address
// stays IPv6 (RFC 5782's IPv6 test entry is ::FFFF:7F00:2); callers unmap when they mean IPv4.
std::string reversed_labels(const boost::asio::ip::address& address);

// The PTR query name: reversed_labels + ".in-addr.arpa" or ".ip6.arpa"; an IPv4-mapped IPv6
// address is looked up as the IPv4 address it carries.
std::string ptr_name(const boost::asio::ip::address& address);

} // namespace smtpprobe::dns
