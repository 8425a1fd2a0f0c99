// The session coroutine: greeting (EHLO/HELO, STARTTLS, EHLO again), then the script's steps.
#include "probe/session.hpp"

#include "probe/connector.hpp"

#include <boost/asio/this_coro.hpp>
#include <cctype>
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

// The EHLO keywords: first word of every line after the greeting line, upper case.
std::vector<std::string> extensions_of(const Reply& reply)
{
    std::vector<std::string> out;
    for (std::size_t i = 1; i < reply.lines.size(); ++i) {
        std::string word;
        for (char c : reply.lines[i]) {
            if (c == ' ' || c == '=' || word.size() >= 64) {
                break;
            }
            word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (!word.empty()) {
            out.push_back(word);
        }
    }
    return out;
}

// The dialogue of one session over a connected channel.
class Dialogue {
public:
    Dialogue(SmtpChannel& channel, ProbeResult& result, const SessionOptions& options,
             const Target& target)
        : m_ch(channel), m_result(result), m_options(options), m_target(target),
          m_values(options.values)
    {
        // RFC 5321 section 4.5.1: every server has a postmaster; the default recipient.
        if (m_values.rcpt.empty()) {
            m_values.rcpt = target.is_ip ? "postmaster" : "postmaster@" + target.host;
        }
    }

    asio::awaitable<void> run()
    {
        bool ok1 = co_await greet();
        if (!ok1) {
            co_return;
        }
        bool ok2 = co_await secure();
        if (!ok2) {
            co_return;
        }
        co_await run_script();
    }

private:
    // Sends one command, records it as a step. Returns the step's reply, or nullptr when there
    // is none (the failure is set). The pointer is valid until the next step is recorded.
    asio::awaitable<const Reply*> send(Stage stage, const std::string& label,
                                       const std::string& line)
    {
        ChatResult r = co_await m_ch.command(stage, line);
        StepRecord& step = m_result.steps.emplace_back();
        step.stage = stage;
        step.label = label;
        step.command = line;
        step.ms = m_ch.elapsed_ms();
        m_result.stage = stage;
        if (!r.is_reply()) {
            step.error = r.error;
            record_failure(m_result, r);
            co_return nullptr;
        }
        step.reply = std::move(r.reply);
        co_return &*step.reply;
    }

    // Ends the dialogue on a refusal: the reply is decisive; QUIT politely.
    asio::awaitable<void> refuse(Stage stage, const Reply& reply)
    {
        m_result.outcome = reply.code >= 500 ? Outcome::rejected : Outcome::deferred;
        if (reply.code < 400) {
            m_result.outcome = Outcome::protocol_error;
            m_result.error = "unexpected reply " + std::to_string(reply.code);
        }
        m_result.stage = stage;
        m_result.decisive = reply;
        if (stage != Stage::quit && reply.code != 421) {
            Outcome keep = m_result.outcome;
            std::string keep_error = m_result.error;
            co_await send(Stage::quit, "quit", "QUIT");
            m_result.outcome = keep;
            m_result.error = keep_error;
            m_result.stage = stage;
        }
    }

    asio::awaitable<bool> ehlo()
    {
        const Reply* reply = co_await send(Stage::ehlo, "ehlo", "EHLO " + m_values.helo);
        if (!reply) {
            co_return false;
        }
        if (reply->klass() == 2) {
            m_result.extensions = extensions_of(*reply);
            co_return true;
        }
        if (reply->klass() == 5 && reply->code != 554 && !m_result.tls) {
            // EHLO not understood: RFC 5321 section 4.1.4 says fall back to HELO.
            const Reply* helo = co_await send(Stage::helo, "helo", "HELO " + m_values.helo);
            if (!helo) {
                co_return false;
            }
            if (helo->klass() == 2) {
                m_result.used_helo = true;
                m_result.extensions.clear();
                co_return true;
            }
            co_await refuse(Stage::helo, *helo);
            co_return false;
        }
        co_await refuse(Stage::ehlo, *reply);
        co_return false;
    }

    asio::awaitable<bool> greet()
    {
        bool ok = co_await ehlo();
        co_return ok;
    }

    void tls_failure(std::string error)
    {
        m_result.outcome = Outcome::tls_failed;
        m_result.stage = Stage::starttls;
        m_result.error = std::move(error);
        m_ch.event(m_result.error);
    }

    asio::awaitable<bool> secure()
    {
        TlsMode mode = m_options.tls;
        if (mode == TlsMode::off || !m_options.script.starttls || !m_options.tls_context) {
            co_return true;
        }
        bool required = mode == TlsMode::require || mode == TlsMode::require_valid;
        if (!m_result.has_extension("STARTTLS")) {
            if (required) {
                tls_failure("STARTTLS not offered and --tls=" + std::string(tls_mode_name(mode)));
                co_await send(Stage::quit, "quit", "QUIT");
                m_result.outcome = Outcome::tls_failed;
                m_result.stage = Stage::starttls;
                co_return false;
            }
            co_return true;
        }
        const Reply* reply = co_await send(Stage::starttls, "starttls", "STARTTLS");
        if (!reply) {
            co_return false;
        }
        if (reply->klass() != 2) {
            if (required) {
                co_await refuse(Stage::starttls, *reply);
                m_result.outcome = Outcome::tls_failed;
                m_result.error = "STARTTLS refused";
                co_return false;
            }
            m_ch.event("STARTTLS refused; continuing without TLS");
            co_return true;
        }
        std::string sni = m_target.is_ip ? std::string() : m_result.mx_host;
        ChatResult hs = co_await m_ch.start_tls(*m_options.tls_context, sni);
        StepRecord step;
        step.stage = Stage::tls_handshake;
        step.label = "tls";
        step.event = true;
        step.ms = m_ch.elapsed_ms();
        if (!hs.is_reply()) {
            step.error = hs.error;
            m_result.steps.push_back(step);
            record_failure(m_result, hs);
            if (hs.kind == ChatResult::Kind::io_error ||
                hs.kind == ChatResult::Kind::protocol_error) {
                m_result.outcome = Outcome::tls_failed;
            }
            m_result.stage = Stage::tls_handshake;
            co_return false;
        }
        m_result.tls = m_ch.tls_facts();
        step.command = "TLS " + m_result.tls->version + " " + m_result.tls->cipher;
        m_result.steps.push_back(step);
        if (mode == TlsMode::require_valid && !m_result.tls->verified) {
            tls_failure("certificate not verified (" + m_result.tls->verify_error +
                        ") and --tls=require-valid");
            co_await send(Stage::quit, "quit", "QUIT");
            m_result.outcome = Outcome::tls_failed;
            m_result.stage = Stage::tls_handshake;
            co_return false;
        }
        // RFC 3207: forget what was learned before TLS; EHLO again.
        m_result.extensions.clear();
        bool ok = co_await ehlo();
        co_return ok;
    }

    asio::awaitable<void> run_script()
    {
        const auto& steps = m_options.script.steps;
        bool quit_sent = false;
        for (std::size_t i = 0; i < steps.size();) {
            const ScriptStep& s = steps[i];
            std::string error;
            auto line = expand_command(s.command, m_values, &error);
            if (!line) {
                m_result.outcome = Outcome::refused_script;
                m_result.error = error;
                co_return;
            }
            const Reply* reply = co_await send(s.stage, s.label, *line);
            if (!reply) {
                if (s.stage == Stage::quit && m_result.outcome != Outcome::cancelled) {
                    // Everything the script asked was answered; a peer that drops the
                    // connection at QUIT does not change the result.
                    m_result.outcome = Outcome::completed;
                    m_result.error.clear();
                }
                co_return;
            }
            quit_sent = quit_sent || s.stage == Stage::quit;
            bool ok = reply->klass() == s.expect;
            if (ok && s.is_data) {
                ChatResult w = co_await m_ch.send_raw(Stage::data_end, generated_message(m_values),
                                                      "(message, " + m_values.envid + ")");
                if (!w.is_reply()) {
                    record_failure(m_result, w);
                    co_return;
                }
                ChatResult end = co_await m_ch.read_reply(Stage::data_end);
                StepRecord& step = m_result.steps.emplace_back(
                    StepRecord{Stage::data_end, "data-end", false, ".", {}, {}, m_ch.elapsed_ms()});
                if (!end.is_reply()) {
                    step.error = end.error;
                    record_failure(m_result, end);
                    co_return;
                }
                step.reply = std::move(end.reply);
                reply = &*step.reply; // the pointer from send() is stale after emplace_back
                ok = reply->klass() == 2;
            }
            if (s.decisive) {
                m_result.decisive = *reply;
            }
            if (reply->code == 421 && s.stage != Stage::quit) {
                // The server is closing the channel: nothing more can be said.
                co_await refuse(s.stage, *reply);
                co_return;
            }
            if (ok || s.stage == Stage::quit) {
                ++i;
                continue;
            }
            if (s.on_failure == OnFailure::stop) {
                co_await refuse(s.stage, *reply);
                co_return;
            }
            ++i;
            if (s.on_failure == OnFailure::skip_to_rset) {
                while (i < steps.size() && steps[i].stage != Stage::rset) {
                    ++i;
                }
            }
        }
        if (!quit_sent) {
            co_await send(Stage::quit, "quit", "QUIT");
        }
        m_result.outcome = Outcome::completed;
        m_result.error.clear();
    }

    SmtpChannel& m_ch;
    ProbeResult& m_result;
    const SessionOptions& m_options;
    const Target& m_target;
    ScriptValues m_values;
};

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
