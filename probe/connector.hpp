// Connecting to a mail route (like Postfix's smtp_connect): the route's hosts in preference
// order and each host's addresses in order (filtered by -4/-6), binding --source; a connect
// failure, a banner timeout or protocol error, or a 4xx/5xx banner moves on to the next host.
// Every host tried is recorded in result.attempts.
#pragma once

#include "probe/session.hpp"
#include "probe/smtp_channel.hpp"

#include <memory>

namespace smtpprobe::probe {

// Returns a channel whose 2xx banner has been read (result.banner, mx_host, ip, port and the
// banner step set), or nullptr when no host would talk; then result.outcome, stage, error
// and decisive (the last refusing banner, if any) say why.
boost::asio::awaitable<std::unique_ptr<SmtpChannel>>
connect_route(const dns::MailRoute& route, std::uint16_t port, const SessionOptions& options,
              ProbeResult& result, SmtpChannel::Clock::time_point start,
              SmtpChannel::Clock::time_point end);

// Turns a failed ChatResult into the result's outcome, stage and error.
void record_failure(ProbeResult& result, const ChatResult& chat);

} // namespace smtpprobe::probe
