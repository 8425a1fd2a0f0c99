// An RFC 7208 SPF evaluator over our async Resolver (libspf2 has its own blocking resolver that
// cannot be pointed at a test DNS server on a custom port). check_host() with the mechanisms
// all, include, a, mx, ptr, ip4, ip6, exists; the modifiers redirect (exp ignored, unknown ones
// ignored); qualifiers + - ~ ?; macros; the limits of section 4.6.4: at most 10 DNS-querying
// terms (include, a, mx, ptr, exists, redirect), at most 2 void lookups, at most 10 MX or PTR
// names per mechanism. Exceeding a limit or a syntax error is a permerror; a DNS timeout or
// server failure a temperror.
#pragma once

#include "probe/dns/resolver.hpp"

#include <boost/asio/awaitable.hpp>
#include <string>

namespace smtpprobe::hygiene {

enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };

// "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror" (RFC 7208 names).
const char* to_string(SpfResult result);

struct SpfOutcome {
    SpfResult result = SpfResult::none;
    std::string record;  // the SPF record of the top domain ("" when none)
    std::string detail;  // which term decided, or why it is an error
    int dns_lookups = 0; // DNS-querying terms counted against the limit of 10
};

// Evaluates SPF for `ip` sending as `sender` ("local@domain", or just "domain": local part
// "postmaster") with HELO `helo`.
boost::asio::awaitable<SpfOutcome> check_spf(dns::Resolver& resolver, boost::asio::ip::address ip,
                                             std::string sender, std::string helo);

} // namespace smtpprobe::hygiene
