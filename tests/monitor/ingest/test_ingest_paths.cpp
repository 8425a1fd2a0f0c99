// The two ways deliveries reach the history (ingest_store.hpp) give the same rows, ids
// included: the fresh path (ids assigned in memory, multi-row INSERTs) for keys above every
// stored key of a file, the checked path (one INSERT OR IGNORE per row) otherwise. Compared
// over batch sizes around a full multi-row statement, over a log read in two runs, and over a
// copy of an already ingested log (same content identity, so the same keys) with new lines.
// Clear evidence rows count the successes of one transaction
// (monitor/evidence/evidence_writer.hpp), so across different batch sizes they are compared as what
// they count; with the same batches, exactly.
#include "monitor/ingest/log_ingester.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/table_dump.hpp"
#include "tests/support/test_history.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <string>

using namespace smtpprobe;
using namespace smtpprobe::ingest;
using smtpprobe::test::TempDir;

namespace {

// ~1,300 lines: sendmail and Postfix messages (from=, one to three deliveries with mixed
// outcomes, Postfix "removed"), a success DSN now and then (a finding), noise.
std::string mixed_log(int messages, int first = 0)
{
    const char* const outcomes[] = {
        "dsn=2.0.0, stat=Sent (OK 1700000000 a1si123456wmq.5 - gsmtp)",
        "dsn=5.7.606, stat=User unknown",
        "dsn=4.7.0, stat=Deferred: 421 4.7.0 [TSS04] Messages from 203.0.113.5 deferred"};
    const char* const relays[] = {"gmail-smtp-in.l.google.com. [142.250.102.27]",
                                  "mit-edu.mail.protection.outlook.com. [52.101.41.12]",
                                  "mta7.am0.yahoodns.net. [67.195.204.72]"};
    std::string out;
    for (int m = first; m < first + messages; ++m) {
        std::string stamp = "Nov 22 04:" + std::string(m / 60 % 60 < 10 ? "0" : "") +
                            std::to_string(m / 60 % 60) + ":" + (m % 60 < 10 ? "0" : "") +
                            std::to_string(m % 60);
        std::string qid = "0A" + std::to_string(100000 + m) + "bL0" + std::to_string(10000 + m);
        int recipients = 1 + m % 3;
        if (m % 2 == 0) {
            out += stamp + " mail sm-mta[1]: " + qid + ": from=<s" + std::to_string(m % 7) +
                   "@example.com>, size=" + std::to_string(1000 + m) +
                   ", class=0, nrcpts=" + std::to_string(recipients) + ", msgid=<" + qid +
                   "@example.com>, proto=ESMTP\n";
            for (int r = 0; r < recipients; ++r) {
                out += stamp + " mail sm-mta[2]: " + qid + ": to=<r" + std::to_string(m * 3 + r) +
                       "@example.net>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, "
                       "relay=" +
                       relays[(m + r) % 3] + ", " + outcomes[(m * 7 + r) % 3] + "\n";
            }
            if (m % 13 == 0) {
                out += stamp + " mail sm-mta[2]: " + qid + ": 0B" + std::to_string(100000 + m) +
                       "bL01: DSN: Return receipt\n";
            }
        } else {
            std::string pqid = "C" + std::to_string(1000000000 + m);
            out += stamp + " mail postfix/qmgr[9]: " + pqid + ": from=<p" + std::to_string(m % 5) +
                   "@example.com>, size=" + std::to_string(2000 + m) +
                   ", nrcpt=" + std::to_string(recipients) + " (queue active)\n";
            for (int r = 0; r < recipients; ++r) {
                out += stamp + " mail postfix/smtp[3]: " + pqid + ": to=<q" +
                       std::to_string(m * 3 + r) +
                       "@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, "
                       "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)\n";
            }
            out += stamp + " mail postfix/qmgr[9]: " + pqid + ": removed\n";
        }
        if (m % 50 == 0) {
            out += stamp + " mail sm-mta[1]: STARTTLS=client, relay=x, version=TLSv1.3\n";
        }
    }
    return out;
}

IngestCounts ingest_with(store::Database& db, const std::string& path, std::size_t batch_lines,
                         bool fresh_path)
{
    IngestOptions options;
    options.timezone = "UTC";
    options.batch_lines = batch_lines;
    options.fresh_path = fresh_path;
    LogIngester ingester(&db, classify::Classifier::builtin(), options);
    ingester.ingest(path);
    ingester.finish();
    return ingester.counts();
}

// Every row ingestion writes, ids included, in id order (cursor paths differ per test).
std::string dump(store::Database& db)
{
    const test::DumpQuery queries[] = {
        {"SELECT * FROM delivery ORDER BY id", 22},
        {"SELECT * FROM evidence ORDER BY id", 11},
        {"SELECT * FROM finding ORDER BY id", 8},
        {"SELECT host, queue_id, sender, size, time FROM ingest_message ORDER BY 1, 2", 5},
        {"SELECT offset, checksum, content_id FROM ingest_cursor ORDER BY path", 3}};
    return test::dump_queries(db, queries);
}

// The same rows in the same order, without their ids: PostgreSQL's identity sequences also
// number the rows an INSERT ... ON CONFLICT DO NOTHING skipped, so ids there may have gaps
// (docs/postgresql.md); what rows hold and in which order they were written may not differ.
std::string dump_without_ids(store::Database& db)
{
    const test::DumpQuery queries[] = {
        {"SELECT time, mta, host, queue_id, sender, recipient, orig_recipient, relay_host, "
         "relay_ip, relay_port, delay, dsn, status, reply, provider, scope, reason, "
         "provider_code, about, size, source_key, reply_truncated FROM delivery ORDER BY id",
         22},
        {"SELECT e.time, e.ip, e.scope, e.verdict, e.reason, e.provider_code, e.source_kind, "
         "d.source_key, e.observations, e.last_time FROM evidence e LEFT JOIN delivery d ON "
         "e.source_kind = 'log' AND e.source_id = d.id ORDER BY e.id",
         10},
        {"SELECT time, kind, host, queue_id, detail, source_kind, source_key FROM finding "
         "ORDER BY id",
         7},
        {"SELECT host, queue_id, sender, size, time FROM ingest_message ORDER BY 1, 2", 5},
        {"SELECT offset, checksum, content_id FROM ingest_cursor ORDER BY path", 3}};
    return test::dump_queries(db, queries);
}

// The same, with the clear evidence as what does not depend on where transactions end (clear
// rows count the successes of one transaction, monitor/evidence/evidence_writer.hpp): every other
// evidence row by its delivery, and per (IP, scope) the successes counted, first and last.
std::string dump_across_batches(store::Database& db)
{
    const test::DumpQuery queries[] = {
        {"SELECT * FROM delivery ORDER BY id", 22},
        {"SELECT time, ip, scope, verdict, reason, provider_code, source_kind, source_id, "
         "observations, last_time FROM evidence WHERE verdict <> 'clear' ORDER BY source_id",
         10},
        {"SELECT ip, scope, sum(observations), min(time), max(coalesce(last_time, time)) FROM "
         "evidence WHERE verdict = 'clear' GROUP BY ip, scope ORDER BY ip, scope",
         5},
        {"SELECT * FROM finding ORDER BY id", 8},
        {"SELECT host, queue_id, sender, size, time FROM ingest_message ORDER BY 1, 2", 5},
        {"SELECT offset, checksum, content_id FROM ingest_cursor ORDER BY path", 3}};
    return test::dump_queries(db, queries);
}

} // namespace

TEST_CASE("fresh and checked paths store the same rows and ids, whatever the batch size")
{
    TempDir dir;
    std::string log = dir.file("maillog");
    smtpprobe::test::write_file(log, mixed_log(600));
    store::Database reference(smtpprobe::test::test_history(dir, "reference.db"));
    IngestCounts counts = ingest_with(reference, log, 20000, false);
    CHECK(counts.new_deliveries > 1000);
    std::string expected = dump_across_batches(reference);
    const std::size_t batches[] = {1, 7, 31, 32, 33, 100, 20000};
    for (std::size_t batch : batches) {
        CAPTURE(batch);
        store::Database db(
            smtpprobe::test::test_history(dir, "fresh" + std::to_string(batch) + ".db"));
        IngestCounts fresh = ingest_with(db, log, batch, true);
        CHECK(fresh.new_deliveries == counts.new_deliveries);
        CHECK(dump_across_batches(db) == expected);
        // The same batches on the checked path: the very same rows, evidence ids included.
        store::Database checked(
            smtpprobe::test::test_history(dir, "checked" + std::to_string(batch) + ".db"));
        ingest_with(checked, log, batch, false);
        CHECK(dump(db) == dump(checked));
    }
}

TEST_CASE("a log read in two runs gives the rows and ids of one run")
{
    TempDir dir;
    std::string log = dir.file("maillog");
    std::string first = mixed_log(300);
    std::string second = mixed_log(300, 300);
    smtpprobe::test::write_file(log, first + second);
    store::Database once(smtpprobe::test::test_history(dir, "once.db"));
    ingest_with(once, log, 20000, false);

    smtpprobe::test::write_file(log, first);
    store::Database twice(smtpprobe::test::test_history(dir, "twice.db"));
    ingest_with(twice, log, 33, true);
    smtpprobe::test::write_file(log, first + second);
    IngestCounts more = ingest_with(twice, log, 33, true);
    // Read from the cursor on: the second part's lines only.
    CHECK(more.lines == static_cast<std::uint64_t>(std::count(second.begin(), second.end(), '\n')));
    CHECK(dump_across_batches(twice) == dump_across_batches(once));
}

TEST_CASE("a copy of an ingested log with new lines adds exactly the new lines' rows")
{
    TempDir dir;
    std::string log = dir.file("maillog");
    std::string copy = dir.file("maillog.copy");
    std::string content = mixed_log(400);
    smtpprobe::test::write_file(log, content);
    smtpprobe::test::write_file(copy, content + mixed_log(100, 400));
    store::Database checked(smtpprobe::test::test_history(dir, "checked.db"));
    ingest_with(checked, log, 50, false);
    IngestCounts checked_copy = ingest_with(checked, copy, 50, false);
    store::Database fresh(smtpprobe::test::test_history(dir, "fresh.db"));
    IngestCounts first = ingest_with(fresh, log, 50, true);
    IngestCounts fresh_copy = ingest_with(fresh, copy, 50, true);
    // The copy's first 400 messages are known (same keys), its last 100 are new.
    CHECK(fresh_copy.deliveries > fresh_copy.new_deliveries);
    CHECK(fresh_copy.new_deliveries == checked_copy.new_deliveries);
    CHECK(fresh_copy.new_deliveries + first.new_deliveries == fresh_copy.deliveries);
    CHECK(dump_without_ids(fresh) == dump_without_ids(checked));
    if (!smtpprobe::test::testing_postgresql()) {
        CHECK(dump(fresh) == dump(checked)); // SQLite: the ids too
    }
}
