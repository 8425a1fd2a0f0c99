// A minimal blocking SMTP client for tests that talk to a real server on 127.0.0.1 (Postfix,
// smtp-sink) to check what it offers or answers. Every read is bounded (64 KiB per reply)
// and every step has a deadline; failures throw std::runtime_error naming the step.
#pragma once

#include <chrono>
#include <string>

namespace smtpprobe::test {

// One SMTP reply: the code of its last line and all its lines (CRLF stripped, '\n'-joined).
struct SmtpReply {
    int code = 0;
    std::string text;
};

// One SMTP connection. The constructor connects and reads the banner.
class SmtpDialogue {
public:
    explicit SmtpDialogue(int port,
                          std::chrono::milliseconds step_timeout = std::chrono::seconds(15));
    ~SmtpDialogue();
    SmtpDialogue(const SmtpDialogue&) = delete;
    SmtpDialogue& operator=(const SmtpDialogue&) = delete;

    const SmtpReply& banner() const { return m_banner; }
    // Sends line + CRLF and reads the complete (possibly multi-line) reply.
    SmtpReply command(const std::string& line);

private:
    SmtpReply read_reply();

    int m_fd = -1;
    std::chrono::milliseconds m_timeout;
    std::string m_buffer;
    SmtpReply m_banner;
};

} // namespace smtpprobe::test
