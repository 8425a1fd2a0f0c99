// The evidence policy (monitor/evidence/policy.hpp) seen from the outside, with real peers:
// a refusal that names a DNS blocklist is filed under that list from a probe, a log line and a
// bounce alike; the receiver's own address in a bounce is never taken as our sending IP; a
// block and the recovery after it close one episode when no identity is configured; and the
// cron path (`run`) and the CLI path (`probe`) send the same HELO (the PTR of the source IP)
// and respect the same minimum interval against a real Postfix.
#include "tests/support/child_process.hpp"
#include "tests/support/dns_server.hpp"
#include "tests/support/identity_refusal.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace smtpprobe::test;
using nlohmann::json;

namespace {

constexpr const char* k_ip = k_identity_ip;
constexpr const char* k_listed_reply =
    "554 5.7.1 Service unavailable; Client host [127.0.0.10] blocked using zen.spamhaus.org; "
    "https://www.spamhaus.org/query/ip/127.0.0.10";

struct Cli {
    TempDir dir;

    RunResult operator()(std::vector<std::string> args) const
    {
        std::vector<std::string> full = {"--config", dir.file("config.toml"), "--db",
                                         dir.file("history.db")};
        full.insert(full.end(), args.begin(), args.end());
        RunOptions options;
        options.timeout = std::chrono::seconds(90);
        return run_smtpprobe(full, options);
    }

    // Rows of one SQL query over the history, one string per row ('|' between columns).
    std::vector<std::string> rows(const std::string& sql) const
    {
        RunResult r = run({"sqlite3", dir.file("history.db"), sql});
        std::vector<std::string> out;
        std::istringstream in(r.out);
        for (std::string line; std::getline(in, line);) {
            out.push_back(line);
        }
        return out;
    }
};

std::string identity_toml(const std::string& ip)
{
    return "[[identity]]\nname = \"main\"\nip = \"" + ip +
           "\"\nhelo = \"configured.sender.test\"\nmail_from = \"probe@sender.test\"\n";
}

const std::string k_episodes = "[episodes]\nopen_after = 1\nclose_after = 1\n";

// A Postfix smtp(8) log line for one recipient (its documented field order).
std::string postfix_line(const std::string& time, const std::string& queue_id,
                         const std::string& rcpt, const std::string& relay,
                         const std::string& relay_ip, const std::string& status,
                         const std::string& reply)
{
    return time + " mail postfix/smtp[4242]: " + queue_id + ": to=<" + rcpt + ">, relay=" + relay +
           "[" + relay_ip +
           "]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=" + (status == "sent" ? "2.0.0" : "5.7.1") +
           ", status=" + status + " (" + reply + ")\n";
}

// An RFC 3464 report from our own MTA about one recipient.
std::string dsn_message(const std::string& rcpt, const std::string& remote_mta,
                        const std::string& diagnostic)
{
    return "From: MAILER-DAEMON@mail.sender.test (Mail Delivery System)\n"
           "To: someone@sender.test\n"
           "Subject: Undelivered Mail Returned to Sender\n"
           "Date: Thu, 03 Dec 2026 10:00:00 +0000\n"
           "Message-ID: <dsn-" +
           rcpt +
           "@mail.sender.test>\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
           "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
           "--B\nContent-Type: message/delivery-status\n\n"
           "Reporting-MTA: dns; mail.sender.test\n"
           "Arrival-Date: Thu, 03 Dec 2026 09:59:58 +0000\n\n"
           "Final-Recipient: rfc822; " +
           rcpt +
           "\nAction: failed\nStatus: 5.7.1\n"
           "Remote-MTA: dns; " +
           remote_mta + "\nDiagnostic-Code: smtp; " + diagnostic +
           "\n\n--B\nContent-Type: text/rfc822-headers\n\n"
           "From: someone@sender.test\nTo: " +
           rcpt + "\nSubject: hello\n\n--B--\n";
}

} // namespace

TEST_CASE("a refusal naming a DNS blocklist is filed under the list from a probe, a log line "
          "and a bounce")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("Postfix needs root");
    }
    PostfixConfig pc;
    pc.domain = "rcv.test";
    pc.hostname = "mx.rcv.test";
    pc.client_access = std::string(k_ip) + " " + k_listed_reply;
    PostfixInstance postfix(pc);
    postfix.start();
    DnsServer dns({"--mx-host=rcv.test,mx.rcv.test,10", "--host-record=mx.rcv.test,127.0.0.1"},
                  {"test"});
    const std::string config = "dns_server = \"" + dns.address() + "\"\n" + identity_toml(k_ip) +
                               "[probes]\ndefault_receivers = false\ntimeout = 20\n"
                               "starttls = false\n[[receiver]]\nname = \"lab\"\n"
                               "domain = \"rcv.test\"\nport = " +
                               std::to_string(postfix.port()) +
                               "\nrecipient = \"user@rcv.test\"\n" + k_episodes;

    Cli probe_db;
    write_file(probe_db.dir.file("config.toml"), config);
    RunResult probed = probe_db({"probe"});
    CAPTURE(probed.out);
    CAPTURE(probed.err);
    CHECK(probed.exit_code == 1);

    Cli log_db;
    write_file(log_db.dir.file("config.toml"), config);
    write_file(log_db.dir.file("mail.log"),
               postfix_line("Dec  3 10:00:00", "4XyZ1a2B3c", "user@example.net", "mx.example.net",
                            "192.0.2.25", "bounced",
                            std::string("host mx.example.net[192.0.2.25] said: ") + k_listed_reply +
                                " (in reply to RCPT TO command)"));
    RunResult logged = log_db({"ingest", "log", log_db.dir.file("mail.log")});
    CAPTURE(logged.err);
    CHECK(logged.exit_code == 1);

    Cli bounce_db;
    write_file(bounce_db.dir.file("config.toml"), config);
    write_file(bounce_db.dir.file("bounce.eml"),
               dsn_message("user@example.net", "mx.example.net", k_listed_reply));
    RunResult bounced = bounce_db({"ingest", "bounce", bounce_db.dir.file("bounce.eml")});
    CAPTURE(bounced.err);
    CHECK(bounced.exit_code == 1);

    for (const Cli* db : {&probe_db, &log_db, &bounce_db}) {
        std::vector<std::string> rows =
            db->rows("SELECT ip || '|' || scope || '|' || verdict FROM evidence");
        CAPTURE(db->dir.path());
        REQUIRE(rows.size() == 1);
        CHECK(rows[0] == std::string(k_ip) + "|dnsbl/zen.spamhaus.org|blocked");
        // The receiver that said it is noted on the row (never empty: it is known).
        std::vector<std::string> receiver = db->rows("SELECT receiver FROM evidence");
        REQUIRE(receiver.size() == 1);
        CHECK_FALSE(receiver[0].empty());
        json status = json::parse((*db)({"status", "--json"}).out);
        bool found = false;
        for (const json& s : status["scopes"]) {
            if (s["scope"] == "dnsbl/zen.spamhaus.org" && s["ip"] == k_ip) {
                found = s["state"] == "blocked";
            }
        }
        CHECK(found);
    }
}

TEST_CASE("the receiver's own address in a bounce or a log line is never our sending IP")
{
    // Gmail's and Yahoo's addresses where a report names the host that answered; our IP only
    // where the receiver names the refused sender.
    const std::string gmail = "host gmail-smtp-in.l.google.com[74.125.203.27] said: 421-4.7.28 "
                              "[198.51.100.7] Our system has detected an unusual rate of "
                              "unsolicited mail originating from your IP address. (in reply to "
                              "end of DATA command)";
    const std::string yahoo = "host mta5.am0.yahoodns.net[98.136.96.74] said: 553 5.7.2 [TSS04] "
                              "Messages from 198.51.100.7 temporarily deferred due to "
                              "unexpected volume or user complaints (in reply to MAIL FROM "
                              "command)";
    for (const std::string identity : {"", "198.51.100.7", "203.0.113.9"}) {
        CAPTURE(identity);
        Cli cli;
        write_file(cli.dir.file("config.toml"),
                   (identity.empty() ? std::string() : identity_toml(identity)) + k_episodes);
        write_file(cli.dir.file("mail.log"),
                   postfix_line("Dec  3 10:00:00", "4XyZ1a2B3c", "a@gmail.com",
                                "gmail-smtp-in.l.google.com", "74.125.203.27", "bounced", gmail));
        write_file(cli.dir.file("gmail.eml"),
                   dsn_message("b@gmail.com", "gmail-smtp-in.l.google.com [74.125.203.27]",
                               gmail.substr(gmail.find("421-"))));
        write_file(cli.dir.file("yahoo.eml"),
                   dsn_message("c@yahoo.com", "mta5.am0.yahoodns.net [98.136.96.74]",
                               yahoo.substr(yahoo.find("553 "))));
        RunResult logged = cli({"ingest", "log", cli.dir.file("mail.log")});
        CAPTURE(logged.err);
        RunResult bounced =
            cli({"ingest", "bounce", cli.dir.file("gmail.eml"), cli.dir.file("yahoo.eml")});
        CAPTURE(bounced.err);
        std::vector<std::string> rows =
            cli.rows("SELECT ip || '|' || scope || '|' || verdict FROM evidence ORDER BY id");
        CAPTURE(rows);
        REQUIRE(rows.size() == 3);
        std::set<std::string> ips;
        for (const std::string& row : rows) {
            ips.insert(row.substr(0, row.find('|')));
        }
        CHECK_FALSE(ips.contains("74.125.203.27"));
        CHECK_FALSE(ips.contains("98.136.96.74"));
        json status = json::parse(cli({"status", "--json"}).out);
        for (const json& s : status["scopes"]) {
            CHECK(s["ip"] != "74.125.203.27");
            CHECK(s["ip"] != "98.136.96.74");
        }
        if (identity.empty()) {
            // No identity: this server ("").
            CHECK(ips == std::set<std::string>{""});
        } else if (identity == "198.51.100.7") {
            // The named IP is ours: the refusals are about it.
            CHECK(ips == std::set<std::string>{"198.51.100.7"});
        } else {
            // The named IP is someone else's: no block of ours can come from it.
            for (const std::string& row : rows) {
                CHECK(row.ends_with("|unknown"));
            }
        }
    }
}

TEST_CASE("a block and the recovery after it, with no identity, open and close one episode")
{
    Cli cli;
    write_file(cli.dir.file("config.toml"), k_episodes);
    const std::string refused =
        "host eur.olc.protection.outlook.com[52.101.68.20] said: 550 5.7.1 Unfortunately, "
        "messages from [198.51.100.7] weren't sent. Please contact your Internet service "
        "provider since part of their network is on our block list (S3140). (in reply to RCPT "
        "TO command)";
    const std::string accepted = "250 2.0.0 OK <x@mail.sender.test> [Hostname=AM0PR01MB0001]";
    write_file(cli.dir.file("mail.log"),
               postfix_line("Dec  3 10:00:00", "4XyZ1a2B3c", "a@hotmail.com",
                            "eur.olc.protection.outlook.com", "52.101.68.20", "bounced", refused) +
                   postfix_line("Dec  3 16:00:00", "5XyZ1a2B3d", "b@hotmail.com",
                                "eur.olc.protection.outlook.com", "52.101.68.21", "sent",
                                accepted));
    RunResult r = cli({"ingest", "log", cli.dir.file("mail.log")});
    CAPTURE(r.err);
    CHECK(r.exit_code != 2);
    std::vector<std::string> episodes =
        cli.rows("SELECT ip || '|' || scope || '|' || (closed IS NOT NULL) FROM episode");
    CAPTURE(cli.rows("SELECT * FROM evidence"));
    REQUIRE(episodes.size() == 1);
    CHECK(episodes[0].starts_with("|microsoft-consumer/"));
    CHECK(episodes[0].ends_with("|1"));
}

TEST_CASE("run and probe send the same HELO, the source IP's PTR, and keep the same minimum "
          "interval")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("Postfix needs root");
    }
    PostfixConfig pc;
    pc.domain = "rcv.test";
    pc.hostname = "mx.rcv.test";
    pc.recipient_access = "user@rcv.test 550 5.1.1 no such user here";
    PostfixInstance postfix(pc);
    postfix.start();
    DnsServer dns({"--mx-host=rcv.test,mx.rcv.test,10", "--host-record=mx.rcv.test,127.0.0.1",
                   "--host-record=ptr.sender.test,127.0.0.10"},
                  {"test", "in-addr.arpa"});
    Cli cli;
    write_file(cli.dir.file("config.toml"),
               "dns_server = \"" + dns.address() + "\"\n" + identity_toml(k_ip) +
                   "[probes]\ndefault_receivers = false\ntimeout = 20\nstarttls = false\n"
                   "[[receiver]]\nname = \"lab\"\ndomain = \"rcv.test\"\nport = " +
                   std::to_string(postfix.port()) +
                   "\nrecipient = \"user@rcv.test\"\ninterval = \"1h\"\nmin_interval = 3600\n"
                   "[dnsbl]\ndefault_zones = false\n");
    const std::string helo = "helo=<ptr.sender.test>";

    RunResult cron = cli({"run"});
    CAPTURE(cron.out);
    CAPTURE(cron.err);
    REQUIRE(postfix.wait_for_log("NOQUEUE: reject: RCPT from", std::chrono::seconds(20)));
    CAPTURE(postfix.log_text());
    CHECK(postfix.wait_for_log_count(helo, 1, std::chrono::seconds(5)));

    // Within the receiver's minimum interval a config-driven probe does not connect.
    RunResult early = cli({"probe"});
    CAPTURE(early.out);
    CAPTURE(early.err);
    CHECK(early.out.find("minimum interval") != std::string::npos);
    CHECK(early.out.find("--ignore-min-interval") != std::string::npos);
    CHECK(cli.rows("SELECT count(*) FROM probe_run") == std::vector<std::string>{"1"});

    // A person's explicit override probes, with the same HELO.
    RunResult forced = cli({"probe", "--ignore-min-interval"});
    CAPTURE(forced.out);
    CAPTURE(forced.err);
    CHECK(forced.exit_code != 2);
    CHECK(postfix.wait_for_log_count(helo, 2, std::chrono::seconds(20)));
    CHECK(postfix.wait_for_log_count("NOQUEUE: reject: RCPT from", 2, std::chrono::seconds(5)));
    CHECK(cli.rows("SELECT count(*) FROM probe_run") == std::vector<std::string>{"2"});
}
