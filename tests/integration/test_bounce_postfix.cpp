// End to end: a real Postfix relays to a real Postfix whose access map refuses the client with
// Outlook.com's S3140 block; the sending Postfix writes its non-delivery report to its
// Maildir; `smtpprobe ingest bounce` reads that Maildir and stores the block as evidence.
// Skips (with a message) when not root: Postfix needs root.
#include "tests/support/child_process.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

const std::string k_s3140 =
    "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your "
    "Internet service provider since part of their network is on our block list (S3140). You "
    "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";

} // namespace

TEST_CASE("bounce from a real Postfix (relay refused with S3140) ingested end to end")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("starting Postfix needs root");
    }
    PostfixConfig receiver_config;
    receiver_config.client_access = "127.0.0.1 " + k_s3140;
    PostfixInstance receiver(receiver_config);
    receiver.start();
    PostfixConfig sender_config;
    sender_config.relay_port = receiver.port();
    PostfixInstance sender(sender_config);
    sender.start();

    const std::string from = "probe@" + sender.domain();
    const std::string to = "mailbox@" + receiver.domain();
    sender.send_mail(from, to, "please bounce");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (sender.delivered_messages().empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE(sender.delivered_messages().size() == 1);

    // The bounce as a Maildir the way a mail reader sees it (CRLF, as some stores keep it).
    TempDir dir;
    std::filesystem::create_directories(dir.file("Maildir/new"));
    std::filesystem::create_directories(dir.file("Maildir/cur"));
    const std::vector<std::string> delivered = sender.delivered_messages();
    std::string crlf;
    for (char c : delivered[0]) {
        if (c == '\n') {
            crlf += '\r';
        }
        crlf += c;
    }
    write_file(dir.file("Maildir/new/1.bounce"), crlf);

    const std::string db = dir.file("history.db");
    RunResult first =
        run_smtpprobe({"--db", db, "--json", "ingest", "bounce", dir.file("Maildir")});
    INFO(first.out, first.err);
    CHECK(first.exit_code == 1); // a block about our IP is a finding
    std::istringstream lines(first.out);
    std::string line;
    std::vector<nlohmann::json> rows;
    while (std::getline(lines, line)) {
        rows.push_back(nlohmann::json::parse(line));
    }
    REQUIRE(rows.size() == 2); // one recipient, one summary
    const nlohmann::json& r = rows[0];
    CHECK(r["recipient"] == to);
    CHECK(r["action"] == "failed");
    CHECK(r["status"] == "5.7.1");
    CHECK(r["reply_code"] == 550);
    CHECK(r["provider_code"] == "S3140");
    CHECK(r["named_ip"] == "127.0.0.1");
    CHECK(r["verdict"] == "blocked");
    CHECK(r["diagnostic"].get<std::string>().find("block list (S3140)") != std::string::npos);
    CHECK(rows[1]["summary"] == true);
    CHECK(rows[1]["stored"] == 1);

    // Incremental: the same Maildir again adds nothing.
    RunResult second =
        run_smtpprobe({"--db", db, "--json", "ingest", "bounce", dir.file("Maildir")});
    INFO(second.out, second.err);
    CHECK(second.exit_code == 0);
    CHECK(second.out.find("\"already_seen\":1") != std::string::npos);
}
