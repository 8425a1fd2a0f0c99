// Crash safety of `smtpprobe ingest log`: a large generated Postfix log and a sendmail log
// (mostly deliveries: the multi-row "fresh" insert path of ingest_store.hpp) are each ingested
// once cleanly; into a second database the same file is ingested by runs killed with SIGKILL
// at random moments, several times, then one run to the end. Both databases must hold exactly
// the same deliveries, evidence, findings and cursor: nothing duplicated, nothing missing,
// senders joined the same way across the interruptions. Then a copy of the log under another
// name (same content identity, so the same source keys) with new lines appended is ingested
// into both: only the appended lines may add rows, and both must still agree.
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/table_dump.hpp"
#include "tests/support/test_history.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <doctest/doctest.h>
#include <random>
#include <string>
#include <thread>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

// ~300k lines: per message qmgr from=, one to three deliveries with mixed outcomes,
// "removed", and some noise; a few success DSNs (backscatter) and junk lines.
void write_postfix_log(const std::string& path)
{
    std::FILE* out = std::fopen(path.c_str(), "w");
    REQUIRE(out != nullptr);
    std::mt19937 random(12345);
    const char* const hosts[] = {"gmail-smtp-in.l.google.com[142.250.102.27]:25",
                                 "hotmail-com.olc.protection.outlook.com[52.101.68.20]:25",
                                 "mta7.am0.yahoodns.net[67.195.204.72]:25",
                                 "mx.example.org[198.51.100.7]:25"};
    const char* const outcomes[] = {
        "dsn=2.0.0, status=sent (250 2.0.0 OK)",
        "dsn=5.7.1, status=bounced (host x[1.2.3.4] said: 550 5.7.1 Unfortunately, messages "
        "from [203.0.113.5] weren't sent. Please contact your Internet service provider since "
        "part of their network is on our block list (S3140). (in reply to MAIL FROM command))",
        "dsn=4.7.0, status=deferred (host x[1.2.3.4] said: 421 4.7.0 [TSS04] Messages from "
        "203.0.113.5 temporarily deferred (in reply to MAIL FROM command))",
        "dsn=5.1.1, status=bounced (host x[1.2.3.4] said: 550 5.1.1 User unknown (in reply to "
        "RCPT TO command))"};
    long lines = 0;
    for (int message = 0; lines < 300000; ++message) {
        int second = message / 3;
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "Nov %2d %02d:%02d:%02d", 1 + second / 86400 % 20,
                      second / 3600 % 24, second / 60 % 60, second % 60);
        char qid[16];
        std::snprintf(qid, sizeof qid, "%010X", message * 7919 + 17);
        std::fprintf(out,
                     "%s mail postfix/qmgr[9]: %s: from=<s%d@example.com>, size=%d, nrcpt=2 "
                     "(queue active)\n",
                     stamp, qid, message % 977, 1000 + message % 5000);
        int recipients = 1 + static_cast<int>(random() % 3);
        for (int r = 0; r < recipients; ++r) {
            std::fprintf(out,
                         "%s mail postfix/smtp[%d]: %s: to=<r%d@example.net>, relay=%s, "
                         "delay=0.5, delays=0/0/0.2/0.3, %s\n",
                         stamp, 100 + message % 50, qid, message * 3 + r, hosts[random() % 4],
                         outcomes[random() % 4]);
        }
        if (message % 97 == 0) {
            std::fprintf(out,
                         "%s mail postfix/bounce[5]: %s: sender delivery status "
                         "notification: %010X\n",
                         stamp, qid, message + 1);
        }
        if (message % 501 == 0) {
            std::fprintf(out, "garbage line %d \x01\x02\n", message);
        }
        std::fprintf(out, "%s mail postfix/qmgr[9]: %s: removed\n", stamp, qid);
        lines += recipients + 2;
    }
    std::fclose(out);
}

// Everything ingestion wrote, in a canonical order, as text.
std::string dump(const std::string& db_path)
{
    smtpprobe::store::Database db(db_path);
    // Killed runs never reach the ingest's own statistics refresh: the dump's join would be
    // planned for empty tables until the server's autovacuum analyzes them.
    smtpprobe::store::refresh_statistics(db);
    const smtpprobe::test::DumpQuery queries[] = {
        {"SELECT time, mta, host, queue_id, sender, recipient, orig_recipient, relay_host, "
         "relay_ip, relay_port, delay, dsn, status, reply, provider, scope, reason, "
         "provider_code, about, size, source_key FROM delivery ORDER BY source_key",
         21},
        // Counted clear rows too (schema 009): a resumed run commits at the same lines as a
        // clean one (every run starts at a committed cursor), so the same rows and counts.
        {"SELECT e.time, e.ip, e.scope, e.verdict, e.reason, e.provider_code, d.source_key, "
         "e.observations, e.last_time FROM evidence e JOIN delivery d ON e.source_kind = 'log' "
         "AND e.source_id = d.id ORDER BY d.source_key, e.scope",
         9},
        {"SELECT sum(observations) FROM evidence", 1},
        {"SELECT time, kind, host, queue_id, detail, source_key FROM finding ORDER BY source_key",
         6},
        {"SELECT path, identity, offset, checksum, content_id FROM ingest_cursor ORDER BY path", 5},
        {"SELECT count(*) FROM evidence", 1},
        {"SELECT count(*) FROM delivery", 1}};
    return smtpprobe::test::dump_queries(db, queries);
}

// ~300k lines of sendmail: per message from= with nrcpts, one to three to= lines (relay
// "host. [ip]", stat=Sent/Deferred/User unknown), sometimes a "DSN: Return receipt"
// (backscatter), junk lines now and then.
void write_sendmail_log(const std::string& path)
{
    std::FILE* out = std::fopen(path.c_str(), "w");
    REQUIRE(out != nullptr);
    std::mt19937 random(54321);
    const char* const relays[] = {"gmail-smtp-in.l.google.com. [142.250.102.27]",
                                  "mit-edu.mail.protection.outlook.com. [52.101.41.12]",
                                  "mta7.am0.yahoodns.net. [67.195.204.72]",
                                  "mx.example.org. [198.51.100.7]"};
    const char* const outcomes[] = {
        "dsn=2.0.0, stat=Sent (OK 1700000000 a1si123456wmq.5 - gsmtp)",
        "dsn=5.7.606, stat=User unknown",
        "dsn=4.7.0, stat=Deferred: 421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily "
        "deferred",
        "dsn=5.1.1, stat=User unknown"};
    long lines = 0;
    for (int message = 0; lines < 300000; ++message) {
        int second = message / 3;
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "Nov %2d %02d:%02d:%02d", 1 + second / 86400 % 20,
                      second / 3600 % 24, second / 60 % 60, second % 60);
        char qid[24];
        std::snprintf(qid, sizeof qid, "0%07XbL%06d", message, message % 1000000);
        int recipients = 1 + static_cast<int>(random() % 3);
        std::fprintf(out,
                     "%s mail sm-mta[%d]: %s: from=<s%d@example.com>, size=%d, class=0, "
                     "nrcpts=%d, msgid=<%s@example.com>, proto=ESMTP, daemon=MTA, "
                     "relay=localhost [127.0.0.1]\n",
                     stamp, 1000 + message % 5000, qid, message % 977, 1000 + message % 5000,
                     recipients, qid);
        for (int r = 0; r < recipients; ++r) {
            std::fprintf(out,
                         "%s mail sm-mta[%d]: %s: to=<r%d@example.net>, ctladdr=<s%d@example.com> "
                         "(1000/1000), delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=31234, "
                         "relay=%s, %s\n",
                         stamp, 1001 + message % 5000, qid, message * 3 + r, message % 977,
                         relays[random() % 4], outcomes[random() % 4]);
        }
        if (message % 97 == 0) {
            std::fprintf(out, "%s mail sm-mta[%d]: %s: 0%07XbR%06d: DSN: Return receipt\n", stamp,
                         1001 + message % 5000, qid, message, message % 1000000);
        }
        if (message % 501 == 0) {
            std::fprintf(out, "garbage line %d \x01\x02\n", message);
        }
        lines += recipients + 1;
    }
    std::fclose(out);
}

// The first line where two dumps differ, or "" when they are equal.
std::string first_difference(const std::string& expected, const std::string& actual)
{
    if (expected == actual) {
        return "";
    }
    std::size_t at = 0;
    while (at < expected.size() && at < actual.size() && expected[at] == actual[at]) {
        ++at;
    }
    std::size_t from = expected.rfind('\n', at);
    from = from == std::string::npos ? 0 : from + 1;
    return "first difference at byte " + std::to_string(at) + ": clean '" +
           expected.substr(from, 300) + "' vs killed '" + actual.substr(from, 300) + "'";
}

// Ingests log into clean_db in one run, and into crash_db by runs killed at random moments
// then one run to the end; both must hold the same rows. Then appends extra lines to a copy of
// the log and ingests the copy into both.
void check_kill_and_rerun(TempDir& dir, const std::string& log)
{
    std::string clean_db = test_history(dir, "clean.db");
    auto started = std::chrono::steady_clock::now();
    RunResult clean = run_smtpprobe({"--db", clean_db, "-q", "ingest", "log", log},
                                    RunOptions{"", 240s, {{"TZ", "UTC"}}, ""});
    auto clean_time = std::chrono::steady_clock::now() - started;
    REQUIRE(clean.exit_code == 1); // blocks and backscatter in the log
    MESSAGE("clean run: " << std::chrono::duration<double>(clean_time).count() << " s");

    std::string crash_db = test_history(dir, "crash.db");
    const unsigned seed = std::random_device{}();
    MESSAGE("kill moments seed " << seed);
    std::mt19937 random(seed);
    auto span = std::chrono::duration_cast<std::chrono::milliseconds>(clean_time).count();
    int killed_running = 0;
    for (int attempt = 0; attempt < 6; ++attempt) {
        Daemon run({SMTPPROBE_BINARY, "--db", crash_db, "-q", "ingest", "log", log});
        // Kill somewhere in the first sixth of a clean run's time: each run starts where the
        // last committed batch ended, so later runs have less to do.
        auto wait = std::chrono::milliseconds(
            20 + static_cast<long>(random() % static_cast<unsigned long>(span / 6 + 1)));
        std::this_thread::sleep_for(wait);
        if (run.running()) {
            ::kill(run.pid(), SIGKILL);
            ++killed_running;
        }
        run.stop();
    }
    MESSAGE(killed_running << " of 6 runs killed while running");
    CHECK(killed_running >= 4);
    RunResult last = run_smtpprobe({"--db", crash_db, "-q", "ingest", "log", log},
                                   RunOptions{"", 240s, {{"TZ", "UTC"}}, ""});
    CHECK((last.exit_code == 0 || last.exit_code == 1));
    std::string expected = dump(clean_db);
    std::string actual = dump(crash_db);
    CHECK(expected.size() > 1000000);
    // Compare without printing megabytes: first differing line only.
    std::string difference = first_difference(expected, actual);
    if (!difference.empty()) {
        FAIL_CHECK(difference);
    }

    // The same content under another name, plus new lines: its keys are the stored ones up to
    // the old end (read again, nothing added), then new. Into the clean database in one run,
    // into the other killed once early first.
    std::string copy = dir.file("copy.log");
    std::string content = read_file(log);
    write_file(copy, content + content.substr(0, content.size() / 10));
    RunResult more = run_smtpprobe({"--db", clean_db, "-q", "ingest", "log", copy},
                                   RunOptions{"", 240s, {{"TZ", "UTC"}}, ""});
    CHECK((more.exit_code == 0 || more.exit_code == 1));
    {
        Daemon run({SMTPPROBE_BINARY, "--db", crash_db, "-q", "ingest", "log", copy});
        std::this_thread::sleep_for(std::chrono::milliseconds(
            20 + static_cast<long>(random() % static_cast<unsigned long>(span / 3 + 1))));
        ::kill(run.pid(), SIGKILL);
        run.stop();
    }
    RunResult more_crash = run_smtpprobe({"--db", crash_db, "-q", "ingest", "log", copy},
                                         RunOptions{"", 240s, {{"TZ", "UTC"}}, ""});
    CHECK((more_crash.exit_code == 0 || more_crash.exit_code == 1));
    std::string expected_more = dump(clean_db);
    CHECK(expected_more.size() > expected.size() + expected.size() / 20);
    difference = first_difference(expected_more, dump(crash_db));
    if (!difference.empty()) {
        FAIL_CHECK("after the copy: " << difference);
    }
}

} // namespace

TEST_CASE("postfix: kill -9 at random moments, then a re-run: exactly the rows of one clean run")
{
    ::setenv("TZ", "UTC", 1); // the children inherit it
    TempDir dir;
    std::string log = dir.file("maillog");
    write_postfix_log(log);
    check_kill_and_rerun(dir, log);
}

TEST_CASE("sendmail: kill -9 at random moments, then a re-run: exactly the rows of one clean run")
{
    ::setenv("TZ", "UTC", 1);
    TempDir dir;
    std::string log = dir.file("maillog");
    write_sendmail_log(log);
    check_kill_and_rerun(dir, log);
}
