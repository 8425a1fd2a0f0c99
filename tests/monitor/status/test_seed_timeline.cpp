// The seed story (DESIGN.md): ingesting the real sendmail log of the corpus gives the
// Microsoft 365 episode (11 Mar 20:18:23 to 21:15:12), the Outlook.com EUR-cluster episode
// (1 May to 2 May, while nothing is said about the US cluster) and one backscatter finding;
// rebuilding the episodes gives the same timeline.
#include "monitor/classify/classifier.hpp"
#include "monitor/config/config_loader.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/ingest/log_ingester.hpp"
#include "monitor/status/status_report.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;

namespace {

const monitor::EpisodeView* episode_of(const monitor::StatusReport& report,
                                       const std::string& scope)
{
    for (const auto& e : report.episodes) {
        if (e.scope == scope) {
            return &e;
        }
    }
    return nullptr;
}

// "2019-03-11T20:18:23Z" -> "03-11T20:18:23Z": the log has no year; the ingester infers it.
std::string without_year(const std::string& iso)
{
    return iso.size() > 5 ? iso.substr(5) : iso;
}

} // namespace

TEST_CASE("seed timeline: Microsoft 365 and Outlook.com EUR episodes, one backscatter finding")
{
    test::TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    ingest::IngestOptions options;
    options.timezone = "UTC";
    options.year = 2019;
    ingest::LogIngester ingester(&db, classify::Classifier::builtin(), options);
    ingester.ingest(SMTPPROBE_CORPUS_DIR "/maillog/seed-sendmail.log");
    ingester.finish();

    // One identity: the log's "relay=[]" lines are attributed to it.
    config::Config config = config::parse_config("[[identity]]\nip = \"192.0.2.10\"\n", "c.toml");
    episodes::update_episodes(db, config); // the explicit fold (status only reads)
    monitor::StatusReport report = monitor::load_status(db, config);

    const auto* m365 = episode_of(report, "microsoft-365/mit-edu");
    REQUIRE(m365);
    CHECK(m365->ip == "192.0.2.10");
    CHECK(without_year(m365->opened) == "03-11T20:18:23Z");
    REQUIRE(m365->closed);
    CHECK(without_year(*m365->closed) == "03-11T21:15:12Z");

    const auto* eur = episode_of(report, "microsoft-consumer/eur");
    REQUIRE(eur);
    CHECK(without_year(eur->opened) == "05-01T15:10:28Z");
    REQUIRE(eur->closed);
    CHECK(without_year(*eur->closed) == "05-02T06:23:00Z");
    CHECK(report.episodes.size() == 2);

    REQUIRE(report.findings.size() == 1);
    CHECK(report.findings[0].kind == "backscatter");

    // The JSON document carries the same timeline.
    auto doc = monitor::status_json(report);
    CHECK(doc["episodes"].size() == 2);
    CHECK(doc["findings"].size() == 1);

    // A full rebuild gives the same episodes.
    episodes::rebuild_episodes(db, {config.episodes, config.default_ip()});
    monitor::StatusReport again = monitor::load_status(db, config);
    REQUIRE(again.episodes.size() == report.episodes.size());
    for (std::size_t i = 0; i < again.episodes.size(); ++i) {
        CHECK(again.episodes[i].scope == report.episodes[i].scope);
        CHECK(again.episodes[i].opened == report.episodes[i].opened);
        CHECK(again.episodes[i].closed == report.episodes[i].closed);
    }
}
