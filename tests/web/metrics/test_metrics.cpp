// Prometheus exposition: label escaping and the families written from a known history.
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/dashboard_fixture.hpp"
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
    std::string path = dir.file("history.db");
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
