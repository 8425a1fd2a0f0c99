// address_text: the text form of an IP address ("192.0.2.1", "2001:db8::1"), as
// boost::asio::ip::address::to_string() gives it, without its inet_ntop/sprintf cost for IPv4
// (a probe formats a few addresses per session; at thousands of sessions a second that shows).
//
// Contract: the result equals address.to_string() for every address (tested over edge values).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>

namespace smtpprobe::probe {

std::string address_text(const boost::asio::ip::address& address);

} // namespace smtpprobe::probe
