// Log ingestion on a fleet (schema 018): the rows a node writes name it, and two nodes reading
// a file of the same path (each on its own host) keep their own cursors.
#include "monitor/ingest/log_ingester.hpp"
#include "monitor/store/ingest_state_rows.hpp"
#include "tests/support/child_process.hpp"

#include <cstdio>
#include <doctest/doctest.h>
#include <string>

using namespace smtpprobe;
using namespace smtpprobe::ingest;

namespace {

std::int64_t count(store::Database& db, const std::string& sql)
{
    store::Statement s(db, sql);
    REQUIRE(s.step());
    return s.column_int(0);
}

IngestCounts ingest_as(store::Database& db, const std::string& node, const std::string& path)
{
    IngestOptions options;
    options.timezone = "UTC";
    options.node = node;
    LogIngester ingester(&db, classify::Classifier::builtin(), options);
    ingester.ingest(path);
    ingester.finish();
    return ingester.counts();
}

std::string sent(const std::string& host, int i)
{
    return "Nov 22 04:10:0" + std::to_string(i) + " " + host + " postfix/smtp[1]: Q" +
           std::to_string(1000 + i) + ": to=<u" + std::to_string(i) +
           "@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, "
           "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)\n";
}

} // namespace

TEST_CASE("node: ingested rows name the node, and two nodes keep their own cursor of one path")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    const std::string path = dir.file("mail.log");
    const std::string first = sent("mx1", 1) + sent("mx1", 2) + sent("mx1", 3);
    test::write_file(path, first);
    CHECK(ingest_as(db, "mx1", path).new_deliveries == 3);
    CHECK(count(db, "SELECT count(*) FROM delivery WHERE node = 'mx1'") == 3);
    CHECK(count(db, "SELECT count(*) FROM evidence") > 0);
    CHECK(count(db, "SELECT count(*) FROM evidence WHERE node IS NOT 'mx1'") == 0);

    // The same path on the other host holds another log (another file: written beside the
    // first and renamed over it, so it has another inode as it would on another host).
    test::write_file(path + ".other", sent("mx2", 4));
    REQUIRE(std::rename((path + ".other").c_str(), path.c_str()) == 0);
    CHECK(ingest_as(db, "mx2", path).new_deliveries == 1);
    CHECK(count(db, "SELECT count(*) FROM delivery WHERE node = 'mx2'") == 1);
    CHECK(count(db, "SELECT count(*) FROM evidence WHERE node = 'mx2'") > 0);
    auto one = store::read_ingest_cursor(db, "mx1", path);
    auto two = store::read_ingest_cursor(db, "mx2", path);
    REQUIRE(one);
    REQUIRE(two);
    CHECK(one->node == "mx1");
    CHECK(two->node == "mx2");
    CHECK(one->offset == static_cast<std::int64_t>(first.size())); // untouched by mx2
    CHECK(two->offset == static_cast<std::int64_t>(sent("mx2", 4).size()));
    CHECK(one->identity != two->identity);
    // mx2 reading on adds nothing: its cursor is at the end of its own file.
    CHECK(ingest_as(db, "mx2", path).new_deliveries == 0);
    CHECK(count(db, "SELECT count(*) FROM ingest_cursor") == 2);
}
