// Log ingestion's counted clear rows (schema 009, monitor/evidence/evidence_writer.hpp) against
// what one row per delivery said: every success counted exactly once (whatever the batch size,
// across re-runs, copies and a run aborted mid-batch), the first success after other evidence of
// its scope always a row of its own, every other verdict a row per delivery, and the episodes (and
// the per-key state) built from the counted rows equal to those built from one row per delivery,
// incrementally and in a full rebuild, for several open/close confirmations.
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/ingest/delivery_classification.hpp"
#include "monitor/ingest/log_ingester.hpp"
#include "monitor/ingest/log_time.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/table_dump.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace smtpprobe;
using namespace smtpprobe::ingest;
using smtpprobe::test::TempDir;

namespace {

constexpr const char* k_our_ip = "203.0.113.5";

// ~6 hours of sendmail traffic to three receivers, each blocked (TSS04, naming our IP) in its
// own windows, with deferrals (unknown) now and then and long runs of successes between.
std::string varied_log(int messages, int first = 0)
{
    const char* const relays[] = {"gmail-smtp-in.l.google.com. [142.250.102.27]",
                                  "mit-edu.mail.protection.outlook.com. [52.101.41.12]",
                                  "mta7.am0.yahoodns.net. [67.195.204.72]"};
    std::string out;
    for (int m = first; m < first + messages; ++m) {
        int second = m * 17;
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "Nov 22 %02d:%02d:%02d", second / 3600 % 24,
                      second / 60 % 60, second % 60);
        std::string qid = "0A" + std::to_string(100000 + m) + "bL0" + std::to_string(10000 + m);
        int recipients = 1 + m % 2;
        out += std::string(stamp) + " mail sm-mta[1]: " + qid + ": from=<s@example.com>, " +
               "size=1000, class=0, nrcpts=" + std::to_string(recipients) + ", msgid=<" + qid +
               "@example.com>, proto=ESMTP\n";
        for (int r = 0; r < recipients; ++r) {
            int relay = (m + r) % 3;
            std::string outcome = "dsn=2.0.0, stat=Sent (OK 1700000000 a1si123456wmq.5 - gsmtp)";
            if ((m / 45 + relay) % 4 == 0 && (m + r) % 5 != 0) {
                outcome = "dsn=4.7.0, stat=Deferred: 421 4.7.0 [TSS04] Messages from " +
                          std::string(k_our_ip) + " temporarily deferred";
            } else if ((m * 7 + r) % 23 == 0) {
                outcome = "dsn=4.4.1, stat=Deferred: Connection timed out with x.example.net.";
            }
            out += std::string(stamp) + " mail sm-mta[2]: " + qid + ": to=<r" +
                   std::to_string(m * 2 + r) + "@example.net>, delay=00:00:01, " +
                   "xdelay=00:00:01, mailer=esmtp, pri=1, relay=" + relays[relay] + ", " + outcome +
                   "\n";
        }
    }
    return out;
}

// One delivery's evidence as one row per delivery would have stored it.
struct Event {
    std::int64_t delivery = 0; // its delivery id (1-based order on a fresh database)
    std::string time, ip, scope, verdict, reason, provider_code;
};

// Ingests path; events of the new deliveries are appended; throws after abort_after events
// (an aborted run: its open batch rolls back).
IngestCounts ingest_file(store::Database& db, const std::string& path, std::size_t batch,
                         std::vector<Event>* events = nullptr, std::size_t abort_after = 0)
{
    IngestOptions options;
    options.timezone = "UTC";
    options.year = 2026;
    options.batch_lines = batch;
    LogIngester ingester(&db, classify::Classifier::builtin(), options);
    std::int64_t seen = 0;
    ingester.on_delivery([&](const DeliveryEvent& event) {
        ++seen;
        if (abort_after > 0 && static_cast<std::size_t>(seen) == abort_after) {
            throw std::runtime_error("aborted");
        }
        if (events != nullptr) {
            const evidence::Decision& d = event.decision;
            events->push_back(
                Event{seen, format_utc(event.record.time), std::string(d.ip),
                      d.recorded ? d.scope : std::string(),
                      d.recorded ? std::string(evidence::name(d.verdict)) : std::string(),
                      std::string(d.reason), std::string(d.provider_code)});
        }
    });
    ingester.ingest(path);
    ingester.finish();
    return ingester.counts();
}

std::int64_t value(store::Database& db, const std::string& sql)
{
    store::Statement st(db, sql);
    return st.step() ? st.column_int(0) : -1;
}

// Observations per (ip, scope, verdict) as text.
std::string observations(store::Database& db)
{
    const test::DumpQuery queries[] = {
        {"SELECT ip, scope, verdict, sum(observations) FROM evidence GROUP BY 1, 2, 3 "
         "ORDER BY 1, 2, 3",
         4}};
    return test::dump_queries(db, queries);
}

// The same per (ip, scope, verdict) from the events.
std::map<std::string, std::int64_t> expected_observations(const std::vector<Event>& events)
{
    std::map<std::string, std::int64_t> out;
    for (const Event& e : events) {
        if (!e.scope.empty()) {
            ++out[e.ip + "|" + e.scope + "|" + e.verdict];
        }
    }
    return out;
}

std::map<std::string, std::int64_t> stored_observations(store::Database& db)
{
    std::map<std::string, std::int64_t> out;
    store::Statement st(db, "SELECT ip, scope, verdict, sum(observations) FROM evidence "
                            "GROUP BY 1, 2, 3");
    while (st.step()) {
        out[st.column_text(0) + "|" + st.column_text(1) + "|" + st.column_text(2)] =
            st.column_int(3);
    }
    return out;
}

// Episodes and per-key state, evidence ids replaced by the delivery they name.
std::string episodes_text(store::Database& db)
{
    const test::DumpQuery queries[] = {
        {"SELECT ep.ip, ep.scope, ep.opened, ep.closed, ep.reason, ep.codes, ep.evidence_count, "
         "f.source_id, l.source_id FROM episode ep JOIN evidence f ON f.id = ep.first_evidence "
         "JOIN evidence l ON l.id = ep.last_evidence ORDER BY ep.ip, ep.scope, ep.opened",
         9},
        {"SELECT ip, scope, state, since, last_time, last_verdict, provider_code, reason FROM "
         "episode_state ORDER BY ip, scope",
         8}};
    return test::dump_queries(db, queries);
}

// A history holding the events as one evidence row per delivery (what ingestion wrote before
// schema 009).
void write_one_row_each(store::Database& db, const std::vector<Event>& events)
{
    store::Transaction tx(db);
    store::Statement insert(db, "INSERT INTO evidence (time, ip, scope, verdict, reason, "
                                "provider_code, source_kind, source_id) VALUES (?1, ?2, ?3, ?4, "
                                "nullif(?5, ''), nullif(?6, ''), 'log', ?7)");
    for (const Event& e : events) {
        if (e.scope.empty()) {
            continue;
        }
        insert.bind(1, e.time).bind(2, e.ip).bind(3, e.scope).bind(4, e.verdict);
        insert.bind(5, e.reason).bind(6, e.provider_code).bind(7, e.delivery);
        insert.run();
    }
    tx.commit();
}

} // namespace

TEST_CASE("counted clear rows: every success once, the first after other evidence its own row")
{
    TempDir dir;
    std::string log = dir.file("maillog");
    smtpprobe::test::write_file(log, varied_log(1300));
    for (std::size_t batch : {std::size_t{1}, std::size_t{37}, std::size_t{20000}}) {
        CAPTURE(batch);
        store::Database db(smtpprobe::test::test_history(dir, "h" + std::to_string(batch) + ".db"));
        std::vector<Event> events;
        ingest_file(db, log, batch, &events);
        std::map<std::string, std::int64_t> verdicts;
        for (const Event& e : events) {
            ++verdicts[e.verdict];
        }
        // The log has all three verdicts, and mostly successes.
        REQUIRE(verdicts["blocked"] > 50);
        REQUIRE(verdicts["unknown"] > 20);
        REQUIRE(verdicts["clear"] > verdicts["blocked"] * 2);
        CHECK(stored_observations(db) == expected_observations(events));

        std::set<std::int64_t> row_of; // deliveries that have a row of their own
        {
            store::Statement st(db, "SELECT source_id FROM evidence");
            while (st.step()) {
                row_of.insert(st.column_int(0));
            }
        }
        std::map<std::string, std::string> previous; // scope -> verdict before
        std::map<std::string, std::string> hour;     // ip|scope -> hour of the last success
        std::int64_t must = 0;
        for (const Event& e : events) {
            if (e.scope.empty()) {
                continue;
            }
            std::string key = e.ip + "|" + e.scope;
            bool first_after_other = previous[e.scope] != "clear";
            bool new_hour = e.verdict == "clear" && hour[key] != e.time.substr(0, 13);
            if (e.verdict != "clear" || first_after_other || new_hour) {
                CAPTURE(e.time);
                CAPTURE(e.verdict);
                CHECK(row_of.count(e.delivery) == 1);
                ++must;
            }
            previous[e.scope] = e.verdict;
            if (e.verdict == "clear") {
                hour[key] = e.time.substr(0, 13);
            }
        }
        std::int64_t rows = value(db, "SELECT count(*) FROM evidence");
        CHECK(rows >= must);
        if (batch == 20000) {
            // The point of it: far fewer rows than deliveries with evidence.
            CHECK(rows * 2 < static_cast<std::int64_t>(events.size()));
        }
    }
}

TEST_CASE("counted clear rows: re-runs, a copy, a run in two parts and an aborted run add no "
          "observation twice")
{
    TempDir dir;
    std::string log = dir.file("maillog");
    std::string first = varied_log(500);
    std::string second = varied_log(500, 500);
    smtpprobe::test::write_file(log, first + second);
    store::Database once(smtpprobe::test::test_history(dir, "once.db"));
    std::vector<Event> events;
    ingest_file(once, log, 20000, &events);
    std::string expected = observations(once);
    CHECK(stored_observations(once) == expected_observations(events));

    ingest_file(once, log, 20000); // the cursor: nothing new
    std::string copy = dir.file("maillog.1");
    smtpprobe::test::write_file(copy, first + second);
    ingest_file(once, copy, 64); // same content identity: every key known
    CHECK(observations(once) == expected);

    smtpprobe::test::write_file(log, first);
    store::Database parts(smtpprobe::test::test_history(dir, "parts.db"));
    ingest_file(parts, log, 41);
    smtpprobe::test::write_file(log, first + second);
    ingest_file(parts, log, 41);
    CHECK(observations(parts) == expected);

    store::Database aborted(smtpprobe::test::test_history(dir, "aborted.db"));
    // Stopped in the middle of a batch (after 700 deliveries, batches of 500 lines): the
    // committed batches stay, the open one rolls back with its counted rows.
    CHECK_THROWS(ingest_file(aborted, log, 500, nullptr, 700));
    std::int64_t kept = value(aborted, "SELECT count(*) FROM delivery");
    CHECK(kept > 0);
    CHECK(kept < 700);
    CHECK(value(aborted, "SELECT coalesce(sum(observations), 0) FROM evidence") <= kept);
    ingest_file(aborted, log, 500);
    CHECK(observations(aborted) == expected);
    CHECK(value(aborted, "SELECT count(*) FROM delivery") ==
          value(once, "SELECT count(*) FROM delivery"));
}

TEST_CASE("counted clear rows: the same episodes and state as one evidence row per delivery")
{
    TempDir dir;
    std::string log = dir.file("maillog");
    std::string first = varied_log(650);
    std::string second = varied_log(650, 650);
    smtpprobe::test::write_file(log, first + second);
    std::vector<Event> events;
    {
        store::Database db(smtpprobe::test::test_history(dir, "events.db"));
        ingest_file(db, log, 20000, &events);
    }
    const config::EpisodeSettings settings[] = {{1, 1}, {1, 2}, {2, 3}, {3, 1}, {2, 40}};
    for (const config::EpisodeSettings& s : settings) {
        CAPTURE(s.open_after);
        CAPTURE(s.close_after);
        std::string name = std::to_string(s.open_after) + "-" + std::to_string(s.close_after);
        episodes::BuildOptions options{s, k_our_ip};
        store::Database each(smtpprobe::test::test_history(dir, "each" + name + ".db"));
        write_one_row_each(each, events);
        episodes::rebuild_episodes(each, options);
        std::string expected = episodes_text(each);
        CHECK(value(each, "SELECT count(*) FROM episode") > 3);

        // Counted rows, folded in one rebuild.
        store::Database counted(smtpprobe::test::test_history(dir, "counted" + name + ".db"));
        ingest_file(counted, log, 20000);
        episodes::rebuild_episodes(counted, options);
        CHECK(episodes_text(counted) == expected);

        // Counted rows, folded incrementally after each of two runs with small batches.
        store::Database incremental(
            smtpprobe::test::test_history(dir, "incremental" + name + ".db"));
        std::string part = dir.file("part" + name + ".log");
        smtpprobe::test::write_file(part, first);
        ingest_file(incremental, part, 97);
        episodes::update_episodes(incremental, options);
        smtpprobe::test::write_file(part, first + second);
        ingest_file(incremental, part, 97);
        episodes::update_episodes(incremental, options);
        CHECK(episodes_text(incremental) == expected);
    }
}
