// Ingesting files into the history: the seed corpus's rows, evidence and backscatter finding;
// re-runs that add nothing; appended lines read incrementally; rotation (rename + new file +
// gzip of the old) and truncation noticed; the sender joined across runs.
#include "monitor/ingest/file_rotation.hpp"
#include "monitor/ingest/log_ingester.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <string>

using namespace smtpprobe;
using namespace smtpprobe::ingest;
using smtpprobe::test::TempDir;

namespace {

IngestOptions utc_options()
{
    IngestOptions options;
    options.timezone = "UTC";
    return options;
}

std::int64_t count(store::Database& db, const char* sql)
{
    store::Statement s(db, sql);
    REQUIRE(s.step());
    return s.column_int(0);
}

IngestCounts ingest_once(store::Database& db, const std::string& path)
{
    LogIngester ingester(&db, classify::Classifier::builtin(), utc_options());
    ingester.ingest(path);
    ingester.finish();
    return ingester.counts();
}

void append(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << text;
}

std::string postfix_line(int i)
{
    return "Nov 22 04:10:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
           " mail postfix/smtp[1]: Q" + std::to_string(1000 + i) + ": to=<u" + std::to_string(i) +
           "@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, "
           "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)\n";
}

} // namespace

TEST_CASE("the seed sendmail log: rows, the 5.7.606 block, evidence and backscatter")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    IngestCounts counts = ingest_once(db, SMTPPROBE_CORPUS_DIR "/maillog/seed-sendmail.log");
    CHECK(counts.lines == 9);
    CHECK(counts.deliveries == 6);
    CHECK(counts.new_deliveries == 6);
    CHECK(counts.receipts == 1);
    CHECK(counts.unparseable == 0);
    store::Statement block(db, "SELECT provider, scope, reason, relay_host, relay_ip, dsn, "
                               "status FROM delivery WHERE queue_id = 'x2BKIL2H005815'");
    REQUIRE(block.step());
    CHECK(block.column_text(0) == "microsoft-365");
    CHECK(block.column_text(1).rfind("microsoft-365", 0) == 0);
    CHECK(block.column_text(2) == "blocked");
    CHECK(block.column_text(3) == "mit-edu.mail.protection.outlook.com");
    CHECK(block.is_null(4)); // "[]": no address recorded
    CHECK(block.column_text(5) == "5.7.606");
    CHECK(block.column_text(6) == "User unknown");
    CHECK(count(db, "SELECT count(*) FROM evidence e JOIN delivery d ON d.id = e.source_id "
                    "WHERE e.source_kind = 'log' AND e.verdict = 'blocked' AND "
                    "d.queue_id = 'x2BKIL2H005815'") == 1);
    // successes as observations (a clear row may count several, schema 009)
    CHECK(count(db, "SELECT sum(observations) FROM evidence WHERE verdict = 'clear'") == 2);
    // local deliveries are stored but are no evidence about a receiver
    CHECK(count(db, "SELECT sum(observations) FROM evidence") == 4);
    CHECK(count(db, "SELECT count(*) FROM finding WHERE kind = 'backscatter' AND queue_id = "
                    "'06FAFTbL012697' AND detail LIKE '%Return receipt%'") == 1);
    // the from= line's sender and size joined by queue id
    CHECK(count(db, "SELECT count(*) FROM delivery WHERE queue_id = '06FAFTbL012697' AND "
                    "sender = 'spamvictim@billauer.co.il' AND size = 121") == 1);
    // a second run reads nothing new; a copy of the file under another name adds nothing
    CHECK(ingest_once(db, SMTPPROBE_CORPUS_DIR "/maillog/seed-sendmail.log").lines == 0);
    smtpprobe::test::write_file(
        dir.file("copy.log"),
        smtpprobe::test::read_file(SMTPPROBE_CORPUS_DIR "/maillog/seed-sendmail.log"));
    IngestCounts copy = ingest_once(db, dir.file("copy.log"));
    CHECK(copy.deliveries == 6);
    CHECK(copy.new_deliveries == 0);
    CHECK(count(db, "SELECT count(*) FROM delivery") == 6);
}

TEST_CASE("appended lines are read incrementally, an unfinished line waits")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    std::string log = dir.file("maillog");
    smtpprobe::test::write_file(log, postfix_line(0) + postfix_line(1));
    CHECK(ingest_once(db, log).new_deliveries == 2);
    std::string third = postfix_line(2);
    append(log, third.substr(0, 40)); // being written
    CHECK(ingest_once(db, log).lines == 0);
    append(log, third.substr(40) + postfix_line(3));
    IngestCounts next = ingest_once(db, log);
    CHECK(next.lines == 2);
    CHECK(next.new_deliveries == 2);
    CHECK(count(db, "SELECT count(*) FROM delivery") == 4);
}

TEST_CASE("rotation: rename, new file, gzip of the old: the rest of the old is read first")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    std::string log = dir.file("maillog");
    std::string first;
    for (int i = 0; i < 100; ++i) {
        first += postfix_line(i);
    }
    smtpprobe::test::write_file(log, first);
    CHECK(ingest_once(db, log).new_deliveries == 100);
    // more lines land in the old file, then logrotate renames it, a new file starts, and
    // the old one gets compressed before our next run
    std::string tail;
    for (int i = 100; i < 130; ++i) {
        tail += postfix_line(i);
    }
    append(log, tail);
    REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
    std::string fresh;
    for (int i = 130; i < 140; ++i) {
        fresh += postfix_line(i);
    }
    smtpprobe::test::write_file(log, fresh);
    REQUIRE(smtpprobe::test::run({"gzip", log + ".1"}).exit_code == 0);
    IngestCounts after = ingest_once(db, log);
    CHECK(after.new_deliveries == 40);
    CHECK(after.lines == 40);
    CHECK(count(db, "SELECT count(*) FROM delivery") == 140);
    CHECK(count(db, "SELECT count(DISTINCT recipient) FROM delivery") == 140);
    // ingesting the rotated file by name adds nothing: same content, same source keys
    CHECK(ingest_once(db, log + ".1.gz").new_deliveries == 0);
    CHECK(count(db, "SELECT count(*) FROM delivery") == 140);
}

TEST_CASE("rotations slept through: the old file's rest, then every newer generation, in order")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    std::string log = dir.file("maillog");
    auto lines = [](int from, int to) {
        std::string text;
        for (int i = from; i < to; ++i) {
            text += postfix_line(i);
        }
        return text;
    };
    smtpprobe::test::write_file(log, lines(0, 100));
    CHECK(ingest_once(db, log).new_deliveries == 100);
    // Three daily rotations while smtpprobe did not run: maillog.3.gz is the file we were
    // in, maillog.2.gz and maillog.1 were never seen.
    append(log, lines(100, 130));
    REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
    smtpprobe::test::write_file(log, lines(130, 140));
    REQUIRE(std::rename((log + ".1").c_str(), (log + ".2").c_str()) == 0);
    REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
    smtpprobe::test::write_file(log, lines(140, 160));
    REQUIRE(std::rename((log + ".2").c_str(), (log + ".3").c_str()) == 0);
    REQUIRE(std::rename((log + ".1").c_str(), (log + ".2").c_str()) == 0);
    REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
    smtpprobe::test::write_file(log, lines(160, 165));
    REQUIRE(smtpprobe::test::run({"gzip", log + ".3", log + ".2"}).exit_code == 0);

    const auto generations = rotated_generations(log);
    CHECK(generations == std::vector<std::string>{log + ".1", log + ".2.gz", log + ".3.gz"});
    IngestCounts after = ingest_once(db, log);
    CHECK(after.new_deliveries == 65);
    CHECK(count(db, "SELECT count(*) FROM delivery") == 165);
    CHECK(count(db, "SELECT count(DISTINCT recipient) FROM delivery") == 165);
    // In file order: the rowids follow the recipients u100..u164.
    CHECK(count(db, "SELECT count(*) FROM delivery d1 JOIN delivery d2 ON d2.id = d1.id + 1 "
                    "WHERE CAST(substr(d2.recipient, 2, instr(d2.recipient, '@') - 2) AS "
                    "INTEGER) != CAST(substr(d1.recipient, 2, instr(d1.recipient, '@') - 2) "
                    "AS INTEGER) + 1") == 0);
    // A re-run reads nothing again.
    CHECK(ingest_once(db, log).new_deliveries == 0);
    CHECK(count(db, "SELECT count(*) FROM delivery") == 165);
}

TEST_CASE("truncation (copytruncate) is noticed: the copy's rest, then the file again")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    std::string log = dir.file("maillog");
    std::string first;
    for (int i = 0; i < 50; ++i) {
        first += postfix_line(i);
    }
    smtpprobe::test::write_file(log, first);
    CHECK(ingest_once(db, log).new_deliveries == 50);
    append(log, postfix_line(50));
    smtpprobe::test::write_file(log + ".1", smtpprobe::test::read_file(log)); // the copy
    smtpprobe::test::write_file(log, postfix_line(51));                       // truncate
    IngestCounts after = ingest_once(db, log);
    CHECK(after.new_deliveries == 2);
    CHECK(count(db, "SELECT count(*) FROM delivery") == 52);
}

TEST_CASE("postfix sender joined from qmgr across runs, forgotten after 'removed'")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    std::string log = dir.file("maillog");
    smtpprobe::test::write_file(
        log, "Nov 22 04:10:00 mail postfix/qmgr[9]: AB12CD34EF: from=<s@example.com>, "
             "size=4321, nrcpt=2 (queue active)\n" +
                 std::string("Nov 22 04:10:01 mail postfix/smtp[1]: AB12CD34EF: to=<a@x.example>, "
                             "relay=mx.x.example[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, "
                             "dsn=2.0.0, status=sent (250 ok)\n"));
    ingest_once(db, log);
    append(log, "Nov 22 04:20:01 mail postfix/smtp[1]: AB12CD34EF: to=<b@y.example>, "
                "relay=mx.y.example[192.0.2.2]:25, delay=601, delays=0/600/0.5/0.5, dsn=2.0.0, "
                "status=sent (250 ok)\n"
                "Nov 22 04:20:02 mail postfix/qmgr[9]: AB12CD34EF: removed\n");
    ingest_once(db, log);
    CHECK(count(db, "SELECT count(*) FROM delivery WHERE sender = 's@example.com' AND size = "
                    "4321") == 2);
    CHECK(count(db, "SELECT count(*) FROM ingest_message") == 0);
}

TEST_CASE("sendmail sender joined until every recipient (nrcpts) is done, counted across runs")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    std::string log = dir.file("maillog");
    auto to = [](const char* qid, const char* rcpt, const char* outcome) {
        return std::string("Nov 22 04:10:01 mail sm-mta[2]: ") + qid + ": to=" + rcpt +
               ", delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.x.example. "
               "[192.0.2.1], " +
               outcome + "\n";
    };
    const char* sent = "dsn=2.0.0, stat=Sent (ok)";
    const char* deferred = "dsn=4.7.0, stat=Deferred: 421 4.7.0 try later";
    const char* unknown = "dsn=5.1.1, stat=User unknown";
    std::string from_a = "Nov 22 04:10:00 mail sm-mta[1]: 0AAAAAAA000001: from=<s@example.com>, "
                         "size=4321, class=0, nrcpts=3, msgid=<a@example.com>, proto=ESMTP\n";
    std::string from_b = "Nov 22 04:10:00 mail sm-mta[1]: 0BBBBBBB000002: from=<t@example.com>, "
                         "size=99, class=0, nrcpts=2, msgid=<b@example.com>, proto=ESMTP\n";
    // A: one of three sent, one deferred. B: both recipients in one to= line, sent.
    smtpprobe::test::write_file(log, from_a + to("0AAAAAAA000001", "<a@x.example>", sent) +
                                         to("0AAAAAAA000001", "<b@x.example>", deferred) + from_b +
                                         to("0BBBBBBB000002", "<c@x.example>,<d@x.example>", sent));
    ingest_once(db, log);
    CHECK(count(db, "SELECT count(*) FROM ingest_message WHERE queue_id = '0AAAAAAA000001' AND "
                    "recipients_left = 2") == 1);
    CHECK(count(db, "SELECT count(*) FROM ingest_message WHERE queue_id = '0BBBBBBB000002'") == 0);
    // The next run: b sent on retry, e bounced: A is done too. Its deliveries are all joined.
    append(log, to("0AAAAAAA000001", "<b@x.example>", deferred) +
                    to("0AAAAAAA000001", "<b@x.example>", sent));
    ingest_once(db, log);
    CHECK(count(db, "SELECT recipients_left FROM ingest_message WHERE queue_id = "
                    "'0AAAAAAA000001'") == 1);
    append(log, to("0AAAAAAA000001", "<e@x.example>", unknown));
    ingest_once(db, log);
    CHECK(count(db, "SELECT count(*) FROM ingest_message") == 0);
    CHECK(count(db, "SELECT count(*) FROM delivery WHERE queue_id = '0AAAAAAA000001' AND "
                    "sender = 's@example.com' AND size = 4321") == 5);
    CHECK(count(db, "SELECT count(*) FROM delivery WHERE queue_id = '0BBBBBBB000002' AND "
                    "sender = 't@example.com' AND size = 99") == 1);
}

TEST_CASE("binary and unparseable lines are counted and skipped, never abort the run")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    std::string log = dir.file("maillog");
    std::string binary = postfix_line(1);
    binary[60] = '\0';
    smtpprobe::test::write_file(log, postfix_line(0) + binary + "\xff\xfe garbage \x1b[31m\n" +
                                         std::string(20000, 'z') + "\n" + postfix_line(2));
    IngestCounts counts = ingest_once(db, log);
    CHECK(counts.new_deliveries == 2);
    CHECK(counts.binary == 1);
    CHECK(counts.overlong == 1);
    CHECK(counts.unparseable == 1);
    REQUIRE(counts.samples.size() == 1);
    CHECK(counts.samples[0] == "\\xff\\xfe garbage \\x1b[31m");
}
