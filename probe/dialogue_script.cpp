// The script walk of a dialogue: each step's command, its reply judged against what the step
// expects, the message after a 354 to DATA, and what a failure means (stop, skip to the next
// RSET, carry on). With pipelining (RFC 2920) the steps go out in groups, one write each, and
// their replies are read in order; replies to commands sent after the one that stopped the
// dialogue are still read and recorded (the transcript is what went over the wire), never
// judged, and a 354 among them is ended with "." alone.
#include "probe/connector.hpp"
#include "probe/dialogue.hpp"

#include <algorithm>

namespace smtpprobe::probe {

namespace asio = boost::asio;

std::size_t Dialogue::group_end(std::size_t i) const
{
    const auto& steps = m_options.script.steps;
    if (!m_pipelining) {
        return i + 1;
    }
    std::size_t end = i;
    while (end < steps.size() && groups_with_next(steps[end])) {
        ++end;
    }
    if (end < steps.size() && ends_group(steps[end])) {
        ++end;
    }
    return std::max(end, i + 1);
}

asio::awaitable<bool> Dialogue::send_group_from(std::size_t i)
{
    const auto& steps = m_options.script.steps;
    std::size_t end = group_end(i);
    std::vector<std::string> lines(m_lines.begin() + static_cast<std::ptrdiff_t>(i),
                                   m_lines.begin() + static_cast<std::ptrdiff_t>(end));
    for (std::size_t k = i; k < end; ++k) {
        m_quit_sent = m_quit_sent || steps[k].stage == Stage::quit;
    }
    m_sent_until = end;
    ChatResult w = co_await m_ch.send_group(steps[i].stage, std::move(lines));
    if (w.is_reply()) {
        co_return true;
    }
    record(steps[i].stage, steps[i].label, m_lines[i], w);
    if (steps[i].stage == Stage::quit && m_result.outcome != Outcome::cancelled) {
        // As in answer_step: a peer gone at QUIT does not change the result.
        m_result.outcome = Outcome::completed;
        m_result.error.clear();
    }
    co_return false;
}

asio::awaitable<bool> Dialogue::end_unwanted_data()
{
    ChatResult w = co_await m_ch.send_group(Stage::data_end, {}, ".\r\n", ".");
    if (!w.is_reply()) {
        m_closed = true;
        co_return false;
    }
    const Reply* reply = co_await receive(Stage::data_end, "data-end", ".");
    co_return reply != nullptr;
}

asio::awaitable<bool> Dialogue::drain(std::size_t from, std::size_t to)
{
    const auto& steps = m_options.script.steps;
    for (std::size_t k = from; k < to; ++k) {
        const Reply* reply = co_await receive(steps[k].stage, steps[k].label, m_lines[k]);
        if (!reply) {
            co_return false;
        }
        if (steps[k].is_data && reply->klass() == 3) {
            bool ended = co_await end_unwanted_data();
            if (!ended) {
                co_return false;
            }
        }
    }
    co_return true;
}

asio::awaitable<Dialogue::Next> Dialogue::answer_step(std::size_t i)
{
    const auto& steps = m_options.script.steps;
    const ScriptStep& s = steps[i];
    const Reply* reply = co_await receive(s.stage, s.label, m_lines[i]);
    if (!reply) {
        if (s.stage == Stage::quit && m_result.outcome != Outcome::cancelled) {
            // Everything the script asked was answered; a peer that drops the connection at
            // QUIT does not change the result.
            m_result.outcome = Outcome::completed;
            m_result.error.clear();
        }
        co_return Next::ended;
    }
    bool ok = reply->klass() == s.expect;
    if (ok && s.is_data) {
        // The message; with pipelining the next group goes out with it (".", QUIT).
        std::size_t end = m_pipelining && i + 1 < steps.size() ? group_end(i + 1) : i + 1;
        std::vector<std::string> after(m_lines.begin() + static_cast<std::ptrdiff_t>(i + 1),
                                       m_lines.begin() + static_cast<std::ptrdiff_t>(end));
        for (std::size_t k = i + 1; k < end; ++k) {
            m_quit_sent = m_quit_sent || steps[k].stage == Stage::quit;
        }
        m_sent_until = end;
        ChatResult w =
            co_await m_ch.send_group(Stage::data_end, std::move(after), generated_message(m_values),
                                     "(message, " + m_values.envid + ")");
        if (!w.is_reply()) {
            record_failure(m_result, w);
            m_closed = true;
            co_return Next::ended;
        }
        reply = co_await receive(Stage::data_end, "data-end", ".");
        if (!reply) {
            co_return Next::ended;
        }
        ok = reply->klass() == 2;
    }
    if (s.decisive) {
        m_result.decisive = *reply;
    }
    if (reply->code == 421 && s.stage != Stage::quit) {
        // The server is closing the channel: nothing more can be said.
        m_refusal = *reply;
        co_return Next::closing;
    }
    if (ok || s.stage == Stage::quit) {
        co_return Next::go_on;
    }
    if (s.on_failure == OnFailure::stop) {
        m_refusal = *reply;
        co_return Next::stop;
    }
    co_return s.on_failure == OnFailure::skip_to_rset ? Next::skip_to_rset : Next::go_on;
}

asio::awaitable<void> Dialogue::run_script()
{
    const auto& steps = m_options.script.steps;
    m_lines.reserve(steps.size());
    for (const auto& s : steps) {
        std::string error;
        auto line = expand_command(s.command, m_values, &error);
        if (!line) {
            m_result.outcome = Outcome::refused_script;
            m_result.error = error;
            co_return;
        }
        m_lines.push_back(std::move(*line));
    }
    m_pipelining =
        m_options.pipelining && m_options.script.pipelining && m_result.has_extension("PIPELINING");
    m_result.pipelined = m_pipelining;
    for (std::size_t i = 0; i < steps.size();) {
        if (i >= m_sent_until) {
            bool sent = co_await send_group_from(i);
            if (!sent) {
                co_return;
            }
        }
        Next next = co_await answer_step(i);
        if (next == Next::go_on) {
            ++i;
            continue;
        }
        if (next == Next::ended) {
            co_return;
        }
        if (next == Next::closing) {
            co_await refuse(steps[i].stage, std::move(m_refusal));
            co_return;
        }
        if (next == Next::stop) {
            co_await drain(i + 1, m_sent_until);
            co_await refuse(steps[i].stage, std::move(m_refusal));
            co_return;
        }
        // skip_to_rset: on at the next RSET; what was sent before it is only read.
        std::size_t rset = i + 1;
        while (rset < steps.size() && steps[rset].stage != Stage::rset) {
            ++rset;
        }
        bool drained = co_await drain(i + 1, std::min(rset, m_sent_until));
        if (!drained) {
            co_return;
        }
        i = rset;
    }
    if (!m_quit_sent) {
        co_await send(Stage::quit, "quit", "QUIT");
    }
    m_result.outcome = Outcome::completed;
    m_result.error.clear();
}

} // namespace smtpprobe::probe
