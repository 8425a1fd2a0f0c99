// Prometheus exposition: label escaping and the families written from a known history.
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/ingest_state_rows.hpp"
#include "monitor/store/node_rows.hpp"
#include "probe/text/utf8.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/dashboard_fixture.hpp"
#include "tests/support/skip.hpp"
#include "tests/support/test_history.hpp"
#include "web/metrics/metrics.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;

TEST_CASE("label values are escaped per the exposition format")
{
    CHECK(web::escape_label_value("plain/scope") == "plain/scope");
    CHECK(web::escape_label_value("a\"b") == "a\\\"b");
    CHECK(web::escape_label_value("a\\b") == "a\\\\b");
    CHECK(web::escape_label_value("a\nb") == "a\\nb");
}

TEST_CASE("epoch seconds from stored times")
{
    CHECK(web::epoch_seconds("1970-01-01T00:00:00Z") == 0);
    CHECK(web::epoch_seconds("2026-03-11T20:18:23Z") == 1773260303);
    CHECK(!web::epoch_seconds("2026-03-11"));
    CHECK(!web::epoch_seconds("2026-03-11Tab:18:23Z"));
}

TEST_CASE("metrics carry block state, episode start, DNSBL, probes, ingest and build info")
{
    test::TempDir dir;
    std::string path = smtpprobe::test::test_history(dir, "history.db");
    test::fill_dashboard_fixture(path);
    {
        store::Database db(path);
        db.exec("INSERT INTO evidence (time, ip, scope, verdict, reason, source_kind, source_id) "
                "VALUES ('2026-03-01T00:00:00Z', '192.0.2.99', 'odd\"scope\\x', 'blocked', "
                "'blocked', 'note', 1)");
        episodes::update_episodes(db, config::Config{});
    }
    store::Database db(path, store::Database::Mode::read_only);
    std::string text = web::render_metrics(db, config::Config{});
    CAPTURE(text);
    CHECK(text.find("smtpprobe_build_info{version=\"" SMTPPROBE_VERSION "\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_blocked{ip=\"192.0.2.25\",scope=\"microsoft-consumer/eur\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_blocked{ip=\"192.0.2.25\",scope=\"microsoft-consumer/na\"} 0\n") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_episode_start_timestamp_seconds{ip=\"192.0.2.25\","
                    "scope=\"microsoft-consumer/eur\"} 1773260303\n") != std::string::npos);
    CHECK(text.find("smtpprobe_blocked{ip=\"192.0.2.99\",scope=\"odd\\\"scope\\\\x\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_dnsbl_listed{ip=\"192.0.2.25\",zone=\"zen.spamhaus.org\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_dnsbl_listed{ip=\"192.0.2.25\",zone=\"bl.spamcop.net\"} 0\n") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_probe_last_success_timestamp_seconds{target=\"outlook.com\"}") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_ingested_rows{table=\"delivery\"} 3\n") != std::string::npos);
    CHECK(text.find("smtpprobe_evidence_rows{source_kind=\"probe\"} 3\n") != std::string::npos);
    // Every family is declared once, before its samples.
    CHECK(text.find("# TYPE smtpprobe_blocked gauge\n") != std::string::npos);
}

TEST_CASE("metrics carry each node's run ticks, evidence per verdict and the latest findings")
{
    test::TempDir dir;
    const std::string path = smtpprobe::test::test_history(dir, "history.db");
    test::fill_dashboard_fixture(path);
    {
        store::Database db(path);
        store::record_node_run(
            db, {"mx1", "2026-03-11T20:00:00Z", "2026-03-11T20:18:23Z", "", "ok", 900});
        store::record_node_run(db, {"node\"with\\quote", "2026-03-11T20:00:00Z",
                                    "2026-03-11T20:00:01Z", "", "failed: logs", 300});
        db.exec("INSERT INTO finding (time, kind, source_kind, source_key) VALUES "
                "('2026-03-11T20:18:23Z', 'backscatter', 'log', 'k1'), "
                "('2026-03-10T00:00:00Z', 'backscatter', 'log', 'k2')");
        // Two nodes reading a log of the same path on their own hosts (schema 018).
        store::write_ingest_cursor(
            db, {"mx1", "/var/log/mail.log", "8:1", 4096, "a", "2026-03-11T20:18:23Z", "c1"});
        store::write_ingest_cursor(
            db, {"mx2", "/var/log/mail.log", "8:2", 512, "b", "2026-03-11T20:18:23Z", "c2"});
    }
    store::Database db(path, store::Database::Mode::read_only);
    const std::string text = web::render_metrics(db, config::Config{});
    CAPTURE(text);
    for (const char* line : {
             "smtpprobe_run_last_completion_timestamp_seconds{node=\"mx1\"} 1773260303\n",
             "smtpprobe_run_last_success_timestamp_seconds{node=\"mx1\"} 1773260303\n",
             "smtpprobe_run_last_ok{node=\"mx1\"} 1\n",
             "smtpprobe_run_interval_seconds{node=\"mx1\"} 900\n",
             // Escaped by the one Prometheus escaper; no success yet: no success sample.
             "smtpprobe_run_last_ok{node=\"node\\\"with\\\\quote\"} 0\n",
             "smtpprobe_run_interval_seconds{node=\"node\\\"with\\\\quote\"} 300\n",
             "smtpprobe_finding_last_timestamp_seconds{kind=\"backscatter\"} 1773260303\n",
             "smtpprobe_evidence_verdict_observations{verdict=\"blocked\",source_kind=\"probe\"} ",
             "# TYPE smtpprobe_run_last_success_timestamp_seconds gauge\n",
             "smtpprobe_ingest_file_offset_bytes{node=\"mx1\",path=\"/var/log/mail.log\"} 4096\n",
             "smtpprobe_ingest_file_offset_bytes{node=\"mx2\",path=\"/var/log/mail.log\"} 512\n",
         }) {
        CAPTURE(line);
        CHECK(text.find(line) != std::string::npos);
    }
    CHECK(text.find("smtpprobe_run_last_success_timestamp_seconds{node=\"node") ==
          std::string::npos);
}

TEST_CASE("hostile label values stay valid exposition: promtool check metrics passes")
{
    // What peers can put in a scope (a Remote-MTA host name), an IP column or a log path.
    const std::string hostile[] = {
        "host/mx\xff\xfe.attacker.example",
        "host/esc\x1b[31mred\x07"
        "bell",
        "host/quote\"back\\slash\nnewline\rcr",
        "host/bidi\xe2\x80\xaeright-to-left",
        "host/c1\xc2\x9b"
        "2J del\x7f",
        std::string("host/nul\0byte", 13),
        "host/" + std::string(3000, 'x'),
    };
    test::TempDir dir;
    const std::string path = smtpprobe::test::test_history(dir, "history.db");
    {
        store::Database db(path);
        for (const std::string& scope : hostile) {
            db.prepare("INSERT INTO evidence (time, ip, scope, verdict, reason, source_kind, "
                       "source_id) VALUES ('2026-03-01T00:00:00Z', ?, ?, 'blocked', 'blocked', "
                       "'note', ?)")
                .bind(1, scope.substr(5, 40))
                .bind(2, scope)
                .bind(3, static_cast<std::int64_t>(&scope - &hostile[0]))
                .run();
            db.prepare("INSERT INTO ingest_cursor (node, path, identity, \"offset\", checksum, "
                       "updated_at) VALUES ('n', ?, '1:2', 1, 'x', '2026-03-01T00:00:00Z')")
                .bind(1, scope)
                .run();
        }
        episodes::update_episodes(db, config::Config{});
    }
    store::Database db(path, store::Database::Mode::read_only);
    const std::string text = web::render_metrics(db, config::Config{});
    for (const std::string& value : hostile) {
        const std::string label = web::escape_label_value(value);
        CAPTURE(label);
        CHECK(smtpprobe::is_valid_utf8(label));
        CHECK(label.find_first_of(std::string("\x1b\x07\r\n\x7f\0", 6)) == std::string::npos);
        CHECK(label.size() <= 1024 + 8);
    }
    CHECK(smtpprobe::is_valid_utf8(text));
    CHECK(web::escape_label_value("esc\x1b") == "esc\\\\x1b");
    CHECK(web::escape_label_value("\xff") == "\\\\xff");
    if (test::run({"sh", "-c", "command -v promtool"}).exit_code != 0) {
        SMTPPROBE_SKIP("promtool not installed (scripts/install-test-peers.sh installs "
                       "prometheus)");
    }
    test::write_file(dir.file("metrics.txt"), text);
    test::RunOptions options;
    options.stdin_data = text;
    const test::RunResult check = test::run({"promtool", "check", "metrics"}, options);
    CAPTURE(check.out);
    CAPTURE(check.err);
    // Lint findings (exit 3) are about naming; a parse error is exit 1.
    CHECK(check.exit_code != 1);
    CHECK(check.err.find("error") == std::string::npos);
    CHECK(check.out.find("error") == std::string::npos);
}
