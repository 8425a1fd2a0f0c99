// See mta_traffic.hpp.
#include "tests/support/mta_traffic.hpp"

#include "tests/support/smtp_dialogue.hpp"

#include <sstream>
#include <stdexcept>

namespace smtpprobe::test {

void submit_message(int port, const std::string& from, const std::string& to, bool notify)
{
    SmtpDialogue smtp(port, std::chrono::seconds(20));
    auto expect = [&](const std::string& command, int klass) {
        SmtpReply reply = smtp.command(command);
        if (reply.code / 100 != klass) {
            throw std::runtime_error(command + " -> " + std::to_string(reply.code) + " " +
                                     reply.text);
        }
    };
    expect("EHLO client.test", 2);
    expect("MAIL FROM:<" + from + ">" + (notify ? " RET=HDRS ENVID=smtpprobe-test" : ""), 2);
    expect("RCPT TO:<" + to + ">" + (notify ? " NOTIFY=SUCCESS,FAILURE" : ""), 2);
    expect("DATA", 3);
    expect("From: <" + from + ">\r\nTo: <" + to +
               ">\r\nSubject: smtpprobe MTA test\r\n"
               "Message-ID: <" +
               to + ".test@client.test>\r\n\r\nhello\r\n.",
           2);
    smtp.command("QUIT");
}

std::vector<nlohmann::json> json_lines(const std::string& out)
{
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        nlohmann::json doc = nlohmann::json::parse(line, nullptr, false);
        if (!doc.is_discarded()) {
            lines.push_back(std::move(doc));
        }
    }
    return lines;
}

} // namespace smtpprobe::test
