// The session coroutine: greeting (EHLO/HELO, STARTTLS, EHLO again), then the script's steps.
#include "probe/session.hpp"

#include "probe/connector.hpp"
#include "probe/dialogue.hpp"

#include <boost/asio/this_coro.hpp>
#include <cstdio>
#include <ctime>

namespace smtpprobe::probe {

namespace asio = boost::asio;

const char* tls_mode_name(TlsMode mode)
{
    switch (mode) {
    case TlsMode::off:
        return "off";
    case TlsMode::opportunistic:
        return "auto";
    case TlsMode::require:
        return "require";
    case TlsMode::require_valid:
        break;
    }
    return "require-valid";
}

std::optional<TlsMode> parse_tls_mode(std::string_view name)
{
    for (TlsMode m :
         {TlsMode::off, TlsMode::opportunistic, TlsMode::require, TlsMode::require_valid}) {
        if (name == tls_mode_name(m)) {
            return m;
        }
    }
    return std::nullopt;
}

// RFC 5322 section 3.3 date-time in UTC: "Sun, 22 Nov 2026 10:04:18 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point t)
{
    std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    static constexpr const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char text[40];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", k_days[tm.tm_wday],
                  tm.tm_mday, k_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return text;
}

std::string generated_message(const ScriptValues& values)
{
    std::string date = rfc5322_date(std::chrono::system_clock::now());
    std::string msg;
    msg.reserve(320 + 2 * values.from.size() + values.rcpt.size() + 2 * values.envid.size() +
                2 * values.helo.size() + date.size());
    msg.append("From: <").append(values.from).append(">\r\n");
    msg.append("To: <").append(values.rcpt).append(">\r\n");
    msg.append("Subject: smtpprobe delivery test ").append(values.envid).append("\r\n");
    msg.append("Date: ").append(date).append("\r\n");
    msg.append("Message-ID: <")
        .append(values.envid)
        .append("@")
        .append(values.helo)
        .append(">\r\n");
    msg.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
    msg.append("This message was sent by smtpprobe to test delivery from ")
        .append(values.helo)
        .append(".\r\n");
    msg.append("It can be deleted.\r\n.\r\n");
    return msg;
}

namespace {

// How long a session waits for the server to close after its reply to QUIT.
constexpr std::chrono::milliseconds k_close_wait{500};

ProbeResult route_failure(ProbeResult result, const dns::MailRoute& route)
{
    switch (route.kind) {
    case dns::MailRoute::Kind::null_mx:
        result.outcome = Outcome::no_mail;
        result.error = "null MX (RFC 7505): the domain accepts no mail";
        break;
    case dns::MailRoute::Kind::not_found:
        result.outcome = Outcome::no_mail;
        result.error = route.error.empty() ? "no such domain, no MX and no address" : route.error;
        break;
    default:
        result.outcome = Outcome::dns_failed;
        result.error = route.error.empty() ? "DNS lookup failed" : route.error;
        break;
    }
    result.stage = Stage::connect;
    return result;
}

const char* route_kind_name(dns::MailRoute::Kind kind)
{
    switch (kind) {
    case dns::MailRoute::Kind::mx:
        return "mx";
    case dns::MailRoute::Kind::implicit:
        return "implicit";
    case dns::MailRoute::Kind::literal:
        return "literal";
    case dns::MailRoute::Kind::null_mx:
        return "null-mx";
    case dns::MailRoute::Kind::not_found:
        return "not-found";
    case dns::MailRoute::Kind::error:
        break;
    }
    return "error";
}

} // namespace

asio::awaitable<ProbeResult> run_session(Target target, dns::MailRoute route,
                                         const SessionOptions& options)
{
    ProbeResult result;
    result.target = target.text;
    result.script = options.script.name;
    result.helo = options.values.helo;
    result.port = target.port;
    result.route = route_kind_name(route.kind);
    result.started_at = std::chrono::system_clock::now();
    // Room for the greeting's steps, the script's and QUIT, and their transcript lines (a
    // multi-line EHLO reply adds a few), so a usual session grows neither vector.
    result.steps.reserve(options.script.steps.size() + 6);
    result.transcript.reserve(2 * options.script.steps.size() + 24);
    auto start = SmtpChannel::Clock::now();
    auto end = start + options.limits[Stage::session];
    bool routable = route.kind == dns::MailRoute::Kind::mx ||
                    route.kind == dns::MailRoute::Kind::implicit ||
                    route.kind == dns::MailRoute::Kind::literal;
    if (!routable) {
        result = route_failure(std::move(result), route);
        result.finished_at = std::chrono::system_clock::now();
        co_return result;
    }
    auto channel = co_await connect_route(route, target.port, options, result, start, end);
    if (channel) {
        Dialogue dialogue(*channel, result, options, target);
        co_await dialogue.run();
        const bool quit_answered = !result.steps.empty() &&
                                   result.steps.back().stage == Stage::quit &&
                                   result.steps.back().error.empty();
        if (quit_answered) {
            channel->close_after_quit(k_close_wait);
        } else {
            channel->close();
        }
    }
    result.finished_at = std::chrono::system_clock::now();
    co_return result;
}

asio::awaitable<ProbeResult> probe_target(Target target, dns::Resolver* resolver,
                                          const SessionOptions& options)
{
    dns::MailRoute route;
    if (target.is_ip) {
        route.kind = dns::MailRoute::Kind::literal;
        route.hosts.push_back({target.host, 0, {asio::ip::make_address(target.host)}});
    } else if (!resolver) {
        route.kind = dns::MailRoute::Kind::error;
        route.error = "no resolver for " + target.host;
    } else {
        route = co_await dns::resolve_mail_route(*resolver, target.host, options.family);
    }
    co_return co_await run_session(std::move(target), std::move(route), options);
}

} // namespace smtpprobe::probe
