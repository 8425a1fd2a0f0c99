// Lines written by a real Postfix, ingested: a sending instance relays to a receiving
// instance whose access map answers 550 5.7.1 ... (S3140), then (map changed) accepts. The
// sender's maillog shows the bounce, then the delivery; `smtpprobe ingest log` must store both
// with the classification (Microsoft block S3140, then success), evidence blocked then clear,
// the sender joined from qmgr, and a re-run must add nothing. Skips unless root (Postfix).
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

const std::string k_s3140 =
    "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your "
    "Internet service provider since part of their network is on our block list (S3140). You "
    "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";

std::vector<nlohmann::json> json_lines(const std::string& out)
{
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
}

} // namespace

TEST_CASE("real Postfix log: S3140 bounce, then delivery, ingested and classified")
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
    sender.send_mail(from, to, "first attempt");
    REQUIRE(sender.wait_for_log("status=bounced", 60s));
    receiver.set_access_map(AccessMap::client, "");
    sender.send_mail(from, to, "second attempt");
    REQUIRE(sender.wait_for_log("status=sent (250 2.0.0 Ok: queued as", 60s));
    REQUIRE(sender.wait_for_log_count(": removed", 3, 30s)); // both + the bounce report

    TempDir dir;
    std::string db = dir.file("history.db");
    RunResult run = run_smtpprobe({"--db", db, "--json", "ingest", "log", sender.log_path()});
    CAPTURE(run.err);
    CAPTURE(sender.log_text());
    // The block ended (delivered afterwards): history, not a finding (issue 18).
    CHECK(run.exit_code == 0);
    std::vector<nlohmann::json> lines = json_lines(run.out);
    REQUIRE(lines.size() >= 3);
    std::vector<nlohmann::json> to_receiver;
    for (const auto& line : lines) {
        if (line.contains("recipient") && line["recipient"] == to) {
            to_receiver.push_back(line);
        }
    }
    REQUIRE(to_receiver.size() == 2);
    const nlohmann::json& bounce = to_receiver[0];
    CHECK(bounce["mta"] == "postfix");
    CHECK(bounce["status"] == "bounced");
    CHECK(bounce["dsn"] == "5.7.1");
    CHECK(bounce["relay_ip"] == "127.0.0.1");
    CHECK(bounce["reply"] == k_s3140);
    CHECK(bounce["provider_code"] == "S3140");
    CHECK(bounce["reason"] == "blocked");
    CHECK(bounce["verdict"] == "blocked");
    CHECK(bounce["time"].get<std::string>().back() == 'Z');
    const nlohmann::json& sent = to_receiver[1];
    CHECK(sent["status"] == "sent");
    CHECK(sent["dsn"] == "2.0.0");
    CHECK(sent["verdict"] == "clear");
    CHECK(sent["time"].get<std::string>() >= bounce["time"].get<std::string>());
    const nlohmann::json& summary = lines.back()["summary"];
    CHECK(summary["blocked"] == 1);
    CHECK(summary["unparseable"] == 0);

    {
        smtpprobe::store::Database history(db);
        smtpprobe::store::Statement rows(
            history, "SELECT d.status, d.sender, d.relay_port, e.verdict, e.scope FROM delivery d "
                     "JOIN evidence e ON e.source_kind = 'log' AND e.source_id = d.id WHERE "
                     "d.recipient = ?1 ORDER BY d.time, d.id");
        rows.bind(1, to);
        REQUIRE(rows.step());
        CHECK(rows.column_text(0) == "bounced");
        CHECK(rows.column_text(1) == from);
        CHECK(rows.column_int(2) == receiver.port());
        CHECK(rows.column_text(3) == "blocked");
        std::string blocked_scope = rows.column_text(4);
        REQUIRE(rows.step());
        CHECK(rows.column_text(0) == "sent");
        CHECK(rows.column_text(3) == "clear");
        CHECK(rows.column_text(4) == blocked_scope); // the same receiver opens and closes
        CHECK_FALSE(rows.step());
    }
    // A re-run reads nothing new.
    RunResult again = run_smtpprobe({"--db", db, "--json", "ingest", "log", sender.log_path()});
    CHECK(again.exit_code == 0);
    std::vector<nlohmann::json> again_lines = json_lines(again.out);
    REQUIRE(again_lines.size() == 1);
    CHECK(again_lines[0]["summary"]["deliveries"] == 0);
}
