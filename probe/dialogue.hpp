// The SMTP dialogue of one session over a connected channel (internal to the probe layer):
// greeting (EHLO, HELO fallback), STARTTLS and EHLO again, then the script's steps, one by
// one or in RFC 2920 groups when the script pipelines and the server offers PIPELINING.
//
// Contract: run() never throws for anything the peer does; everything sent and received is
// recorded in the ProbeResult (steps and transcript) and the outcome says how it ended.
#pragma once

#include "probe/session.hpp"
#include "probe/smtp_channel.hpp"

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <vector>

namespace smtpprobe::probe {

class Dialogue {
public:
    Dialogue(SmtpChannel& channel, ProbeResult& result, const SessionOptions& options,
             const Target& target);

    boost::asio::awaitable<void> run();

private:
    // What the script walk does after a step's reply.
    enum class Next { go_on, skip_to_rset, stop, closing, ended };

    // Sends one command, records it as a step. Returns the step's reply, or nullptr when
    // there is none (the failure is set). The pointer is valid until the next step is recorded.
    boost::asio::awaitable<const Reply*> send(Stage stage, const std::string& label,
                                              const std::string& line);
    // Records the step of a command and what came back (the failure too); as send() returns.
    const Reply* record(Stage stage, const std::string& label, std::string line, ChatResult& r);
    // Reads the reply to a command already sent and records the step, as send() does.
    boost::asio::awaitable<const Reply*> receive(Stage stage, const std::string& label,
                                                 std::string line);
    // Ends the dialogue on a refusal: the reply is decisive; QUIT politely unless sent.
    boost::asio::awaitable<void> refuse(Stage stage, Reply reply);
    boost::asio::awaitable<bool> ehlo();
    boost::asio::awaitable<bool> greet();
    void tls_failure(std::string error);
    boost::asio::awaitable<bool> secure();

    // The script walk (dialogue_script.cpp).
    boost::asio::awaitable<void> run_script();
    // Writes the group of steps that starts at step i (just step i without pipelining).
    boost::asio::awaitable<bool> send_group_from(std::size_t i);
    // Reads and judges step i's reply; sends the message after a 354 to DATA.
    boost::asio::awaitable<Next> answer_step(std::size_t i);
    // Reads (and records, without judging) the replies to steps [from, to) that went out with
    // a group before the dialogue decided to stop or skip them. False when the channel failed.
    boost::asio::awaitable<bool> drain(std::size_t from, std::size_t to);
    // A 354 to a DATA whose message will not follow: ends the data with "." alone.
    boost::asio::awaitable<bool> end_unwanted_data();
    // One past the last step of the RFC 2920 group that starts at step i: MAIL, RCPT and
    // RSET steps, then one DATA, QUIT or NOOP step. i + 1 without pipelining.
    std::size_t group_end(std::size_t i) const;

    SmtpChannel& m_ch;
    ProbeResult& m_result;
    const SessionOptions& m_options;
    const Target& m_target;
    ScriptValues m_values;
    std::vector<std::string> m_lines; // the expanded commands of the script's steps
    std::size_t m_sent_until = 0;     // steps before this index have been written
    Reply m_refusal;                  // the reply that stopped the script (Next::stop, closing)
    bool m_pipelining = false;        // the script pipelines and the server offers PIPELINING
    bool m_quit_sent = false;
    bool m_closed = false; // the channel failed (or timed out): nothing more can be said
};

} // namespace smtpprobe::probe
