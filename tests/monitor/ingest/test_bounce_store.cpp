// Bounce ingestion into the store: rows, evidence and seen-markers; a second run over the
// same Maildir adds nothing; a new message is the only one read next time; --again never
// duplicates rows; the same holds for an mbox read in chunks.
#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_ingest.hpp"
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <filesystem>

using namespace smtpprobe;

namespace {

const char* k_block =
    "From: MAILER-DAEMON@mx.example.org\nTo: s@example.net\nSubject: Undelivered Mail\n"
    "Message-ID: <b1@mx.example.org>\nDate: Wed, 11 Mar 2026 20:18:23 +0000\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
    "--B\nContent-Type: text/plain\n\nfailed\n--B\nContent-Type: message/delivery-status\n\n"
    "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; user@hotmail.com\n"
    "Action: failed\nStatus: 5.7.1\nRemote-MTA: dns; eur.olc.protection.outlook.com\n"
    "Diagnostic-Code: smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.25] weren't sent.\n"
    " Please contact your Internet service provider since part of their network is on our\n"
    " block list (S3140).\n\n--B--\n";

std::int64_t count(store::Database& db, const char* sql)
{
    store::Statement st(db, sql);
    REQUIRE(st.step());
    return st.column_int(0);
}

} // namespace

TEST_CASE("bounce store: idempotent, incremental, evidence for the monitor")
{
    test::TempDir dir;
    std::filesystem::create_directories(dir.file("md/new"));
    std::filesystem::create_directories(dir.file("md/cur"));
    test::write_file(dir.file("md/new/1"), k_block);
    test::write_file(dir.file("md/new/2"), "Subject: not a report\n\nhello\n");
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    {
        ingest::BounceIngester ingester(&db, classify::Classifier::builtin());
        ingester.ingest(dir.file("md"));
        CHECK(ingester.stats().messages == 2);
        CHECK(ingester.stats().reports == 1);
        CHECK(ingester.stats().malformed == 1);
    }
    CHECK(count(db, "SELECT count(*) FROM bounce") == 1);
    CHECK(count(db, "SELECT count(*) FROM bounce_message") == 2);
    store::Statement row(db, "SELECT b.status, b.reply_code, b.named_ip, b.reporting_mta, "
                             "e.verdict, e.ip, e.source_kind, e.named_ip FROM bounce b JOIN "
                             "evidence e ON e.source_id = b.id AND e.source_kind = 'bounce'");
    REQUIRE(row.step());
    CHECK(row.column_text(0) == "5.7.1");
    CHECK(row.column_int(1) == 550);
    CHECK(row.column_text(2) == "192.0.2.25");
    CHECK(row.column_text(3) == "mx.example.org");
    CHECK(row.column_text(4) == "blocked");
    // No identity configured: the evidence is about "this server"; the named IP is noted.
    CHECK(row.column_text(5) == "");
    CHECK(row.column_text(7) == "192.0.2.25");

    // Second run: everything already seen, nothing added.
    {
        ingest::BounceIngester ingester(&db, classify::Classifier::builtin());
        ingester.ingest(dir.file("md"));
        CHECK(ingester.stats().seen == 2);
        CHECK(ingester.stats().reports == 0);
    }
    // A new message (moved to cur/ by a mail reader: same content, another name) and a new one.
    std::filesystem::rename(dir.file("md/new/1"), dir.file("md/cur/1:2,S"));
    std::string second = k_block;
    second.replace(second.find("<b1@"), 4, "<b2@");
    test::write_file(dir.file("md/new/3"), second);
    {
        ingest::BounceIngester ingester(&db, classify::Classifier::builtin());
        ingester.ingest(dir.file("md"));
        CHECK(ingester.stats().seen == 2);
        CHECK(ingester.stats().reports == 1);
    }
    CHECK(count(db, "SELECT count(*) FROM bounce") == 2);
    // Re-reading everything (--again) never duplicates rows or evidence.
    {
        ingest::BounceIngestOptions again;
        again.skip_seen = false;
        ingest::BounceIngester ingester(&db, classify::Classifier::builtin(), again);
        ingester.ingest(dir.file("md"));
        CHECK(ingester.stats().reports == 2);
    }
    CHECK(count(db, "SELECT count(*) FROM bounce") == 2);
    CHECK(count(db, "SELECT count(*) FROM evidence WHERE source_kind = 'bounce'") == 2);
}

TEST_CASE("bounce store: an mbox read in chunks is incremental, same identity as the file")
{
    test::TempDir dir;
    const std::string from_line = "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n";
    // The first message is bigger than the 256 KiB read buffer: the second one straddles it.
    std::string padding;
    for (int i = 0; i < 6000; ++i) {
        padding += "padding line " + std::to_string(i) + " of the first message's body\n";
    }
    std::string first = k_block;
    first.replace(first.find("<b1@"), 4, "<m1@");
    first.insert(first.find("failed\n--B"), padding);
    std::string second = k_block;
    second.replace(second.find("<b1@"), 4, "<m2@");
    test::write_file(dir.file("box.mbox"), from_line + first + "\n" + from_line + second);
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    {
        ingest::BounceIngester ingester(&db, classify::Classifier::builtin());
        ingester.ingest(dir.file("box.mbox"));
        CHECK(ingester.stats().messages == 2);
        CHECK(ingester.stats().reports == 2);
        CHECK(ingester.stats().seen == 0);
    }
    // The second message alone, as a file: already seen (same Message-ID and content hash).
    test::write_file(dir.file("second.eml"), second);
    {
        ingest::BounceIngester ingester(&db, classify::Classifier::builtin());
        ingester.ingest(dir.file("second.eml"));
        CHECK(ingester.stats().seen == 1);
        CHECK(ingester.stats().reports == 0);
    }
    // A message appended to the mbox is the only one read next time.
    std::string third = k_block;
    third.replace(third.find("<b1@"), 4, "<m3@");
    test::write_file(dir.file("box.mbox"),
                     from_line + first + "\n" + from_line + second + "\n" + from_line + third);
    {
        ingest::BounceIngester ingester(&db, classify::Classifier::builtin());
        ingester.ingest(dir.file("box.mbox"));
        CHECK(ingester.stats().messages == 3);
        CHECK(ingester.stats().seen == 2);
        CHECK(ingester.stats().reports == 1);
    }
    CHECK(count(db, "SELECT count(*) FROM bounce") == 3);
}
