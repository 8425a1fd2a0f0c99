// The dialogue's greeting: EHLO (HELO fallback), STARTTLS and EHLO again; sending and recording
// one command; refusing politely. The script's steps are in dialogue_script.cpp.
#include "probe/dialogue.hpp"

#include "probe/connector.hpp"

#include <cctype>

namespace smtpprobe::probe {

namespace asio = boost::asio;

namespace {

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

} // namespace

Dialogue::Dialogue(SmtpChannel& channel, ProbeResult& result, const SessionOptions& options,
                   const Target& target)
    : m_ch(channel), m_result(result), m_options(options), m_target(target),
      m_values(options.values)
{
    // RFC 5321 section 4.5.1: every server has a postmaster; the default recipient.
    if (m_values.rcpt.empty()) {
        m_values.rcpt = target.is_ip ? "postmaster" : "postmaster@" + target.host;
    }
}

asio::awaitable<void> Dialogue::run()
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

const Reply* Dialogue::record(Stage stage, const std::string& label, std::string line,
                              ChatResult& r)
{
    StepRecord& step = m_result.steps.emplace_back();
    step.stage = stage;
    step.label = label;
    step.command = std::move(line);
    step.ms = m_ch.elapsed_ms();
    m_result.stage = stage;
    if (!r.is_reply()) {
        step.error = r.error;
        record_failure(m_result, r);
        m_closed = true;
        return nullptr;
    }
    step.reply = std::move(r.reply);
    return &*step.reply;
}

asio::awaitable<const Reply*> Dialogue::send(Stage stage, const std::string& label,
                                             const std::string& line)
{
    m_quit_sent = m_quit_sent || stage == Stage::quit;
    ChatResult r = co_await m_ch.command(stage, line);
    co_return record(stage, label, line, r);
}

asio::awaitable<const Reply*> Dialogue::receive(Stage stage, const std::string& label,
                                                std::string line)
{
    ChatResult r = co_await m_ch.read_reply(stage);
    co_return record(stage, label, std::move(line), r);
}

asio::awaitable<void> Dialogue::refuse(Stage stage, Reply reply)
{
    m_result.outcome = reply.code >= 500 ? Outcome::rejected : Outcome::deferred;
    if (reply.code < 400) {
        m_result.outcome = Outcome::protocol_error;
        m_result.error = "unexpected reply " + std::to_string(reply.code);
    }
    m_result.stage = stage;
    const bool polite = stage != Stage::quit && reply.code != 421 && !m_quit_sent && !m_closed;
    m_result.decisive = std::move(reply);
    if (polite) {
        Outcome keep = m_result.outcome;
        std::string keep_error = m_result.error;
        co_await send(Stage::quit, "quit", "QUIT");
        m_result.outcome = keep;
        m_result.error = keep_error;
        m_result.stage = stage;
    }
}

asio::awaitable<bool> Dialogue::ehlo()
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

asio::awaitable<bool> Dialogue::greet()
{
    bool ok = co_await ehlo();
    co_return ok;
}

void Dialogue::tls_failure(std::string error)
{
    m_result.outcome = Outcome::tls_failed;
    m_result.stage = Stage::starttls;
    m_result.error = std::move(error);
    m_ch.event(m_result.error);
}

asio::awaitable<bool> Dialogue::secure()
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
        if (hs.kind == ChatResult::Kind::io_error || hs.kind == ChatResult::Kind::protocol_error) {
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

} // namespace smtpprobe::probe
