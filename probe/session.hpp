// One probe session: ONE coroutine that reads like the SMTP dialogue it speaks. Connect (the
// route's hosts in order, see connector.hpp), banner, EHLO (HELO fallback), STARTTLS when
// offered and wanted (then EHLO again), then the script's steps, then QUIT. Every command and
// reply goes into the result with elapsed milliseconds.
//
// Contract: always completes with a ProbeResult (never throws for anything the peer or the
// network does) within the session deadline of options.limits; every stage has its own
// deadline; peer input is bounded by options.limits.peer.
#pragma once

#include "probe/cancel_signal.hpp"
#include "probe/dns/resolver.hpp"
#include "probe/limits.hpp"
#include "probe/probe_result.hpp"
#include "probe/script.hpp"
#include "probe/target.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace smtpprobe::probe {

enum class TlsMode {
    off,           // never STARTTLS
    opportunistic, // "auto": STARTTLS when offered; continue in clear if refused
    require,       // fail unless TLS is established
    require_valid, // fail unless TLS is established with a verified certificate
};
const char* tls_mode_name(TlsMode mode);
std::optional<TlsMode> parse_tls_mode(std::string_view name);

struct SessionOptions {
    Script script;
    ScriptValues values; // helo, from, rcpt, envid
    TlsMode tls = TlsMode::opportunistic;
    Limits limits;
    std::optional<boost::asio::ip::address> source;   // --source
    dns::IpFamily family = dns::IpFamily::any;        // -4 / -6
    boost::asio::ssl::context* tls_context = nullptr; // shared; required unless tls == off
    CancelSignal* cancel = nullptr;
    bool pipelining = true; // false (--no-pipelining): lock-step whatever the script says
};

// Runs the session against a resolved route (hosts tried in order).
boost::asio::awaitable<ProbeResult> run_session(Target target, dns::MailRoute route,
                                                const SessionOptions& options);

// Resolves target (IP literal directly; otherwise MX, then A/AAAA) and runs the session.
// resolver may be null when every target is an IP literal.
boost::asio::awaitable<ProbeResult> probe_target(Target target, dns::Resolver* resolver,
                                                 const SessionOptions& options);

// The small message the `deliver` script sends after DATA (CRLF lines, dot-terminated).
// Its Date header is RFC 5322 (section 3.3), in UTC.
std::string generated_message(const ScriptValues& values);

// RFC 5322 date-time of t in UTC ("Sun, 22 Nov 2026 10:04:18 +0000").
std::string rfc5322_date(std::chrono::system_clock::time_point t);

} // namespace smtpprobe::probe
