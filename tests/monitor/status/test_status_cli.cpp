// `smtpprobe status` and `note` through the binary: exit 1 while something is blocked, the
// JSON fields of issue 6, notes on the timeline, the table escaping peer text.
#include "monitor/config/config_loader.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <map>
#include <nlohmann/json.hpp>

using namespace smtpprobe;

TEST_CASE("status exits 1 while blocked and shows the documented JSON fields and notes")
{
    test::TempDir dir;
    test::write_file(dir.file("c.toml"), "[[identity]]\nip = \"192.0.2.10\"\n");
    std::vector<std::string> base = {"--config", dir.file("c.toml"), "--db",
                                     smtpprobe::test::test_history(dir, "h.db")};
    auto with = [&](std::vector<std::string> args) {
        std::vector<std::string> all = base;
        all.insert(all.end(), args.begin(), args.end());
        return test::run_smtpprobe(all);
    };
    CHECK(with({"status"}).exit_code == 0);
    {
        store::Database db(smtpprobe::test::test_history(dir, "h.db"));
        db.exec("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                "source_kind, source_id) VALUES "
                "('2026-05-01T15:10:28Z', '', 'microsoft-consumer/eur', 'blocked', 'blocked', "
                "'S3140', 'log', 1), "
                "('2026-05-01T16:00:00Z', '', 'microsoft-consumer/hotmail-com', 'clear', "
                "'delivered', '', 'log', 2)");
    }
    auto note = with({"note", "--ip", "192.0.2.10", "--scope", "microsoft-consumer/eur",
                      "delist requested, ticket 123"});
    CHECK(note.exit_code == 0);
    auto table = with({"status"});
    CHECK(table.exit_code == 1);
    CHECK(table.out.find("microsoft-consumer/eur") != std::string::npos);
    CHECK(table.out.find("delist requested, ticket 123") != std::string::npos);
    auto doc_run = with({"status", "--json"});
    CHECK(doc_run.exit_code == 1);
    auto doc = nlohmann::json::parse(doc_run.out);
    REQUIRE(doc["scopes"].size() == 2);
    for (const auto& s : doc["scopes"]) {
        for (const char* key :
             {"ip", "scope", "state", "since", "last_evidence", "provider_code", "action"}) {
            CHECK(s.contains(key));
        }
        CHECK(s["ip"] == "192.0.2.10");
    }
    REQUIRE(doc["episodes"].size() == 1);
    const auto& e = doc["episodes"][0];
    CHECK(e["scope"] == "microsoft-consumer/eur");
    CHECK(e["opened"] == "2026-05-01T15:10:28Z");
    CHECK(e["closed"].is_null());
    CHECK(e["reason"] == "blocked");
    CHECK(e["provider_code"] == "S3140");
    CHECK(e["evidence_count"] == 1);
    CHECK(doc["findings"].is_array());
    REQUIRE(doc["notes"].size() == 1);
    CHECK(doc["notes"][0]["text"] == "delist requested, ticket 123");
}

namespace {

// status --json over a fresh history holding the given delivery and evidence rows (SQL
// VALUES lists), folded by the writer as run and ingest fold; the exit code is checked.
nlohmann::json status_over(const std::string& deliveries, const std::string& evidence,
                           int expected_exit)
{
    test::TempDir dir;
    test::write_file(dir.file("c.toml"), "[[identity]]\nip = \"192.0.2.10\"\n");
    std::vector<std::string> base = {"--config", dir.file("c.toml"),
                                     "--db",     smtpprobe::test::test_history(dir, "h.db"),
                                     "--json",   "status"};
    CHECK(test::run_smtpprobe(base).exit_code == 0);
    {
        store::Database db(smtpprobe::test::test_history(dir, "h.db"));
        db.exec("INSERT INTO delivery(id, time, mta, relay_host, dsn, status, reply, "
                "source_key) VALUES " +
                deliveries);
        db.exec("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                "source_kind, source_id) VALUES " +
                evidence);
        // Writers fold; status only reads.
        episodes::update_episodes(db, config::load_config(dir.file("c.toml")));
    }
    auto run = test::run_smtpprobe(base);
    CHECK(run.exit_code == expected_exit);
    return nlohmann::json::parse(run.out);
}

} // namespace

TEST_CASE("status: what to do for a blocked scope is the classifier's action for its last reply")
{
    const auto doc = status_over(
        "(7, '2026-05-01T15:10:28Z', 'postfix', 'gmail-smtp-in.l.google.com', '5.7.26', "
        "'bounced', '550-5.7.26 Unauthenticated email from example.org is not accepted due to "
        "domain''s DMARC policy.', 'k7'), "
        "(8, '2026-05-01T15:11:00Z', 'postfix', 'mx.example.net', '5.7.1', 'bounced', "
        "'550 5.7.1 go away', 'k8')",
        "('2026-05-01T15:10:28Z', '', 'google', 'blocked', 'authfailure', '', 'log', 7), "
        "('2026-05-01T15:11:00Z', '', 'host/mx.example.net', 'blocked', 'blocked', '', 'log', 8)",
        1);
    std::map<std::string, std::string> actions;
    for (const auto& s : doc["scopes"]) {
        actions[s["scope"].get<std::string>()] = s["action"].get<std::string>();
    }
    // Gmail's DMARC refusal: the rule's advice (SPF, DKIM, DMARC alignment), not the generic
    // "check Postmaster Tools" of the provider.
    CHECK(actions["google"].find("DKIM") != std::string::npos);
    CHECK(actions["google"].find("DMARC") != std::string::npos);
    // No rule knows "go away": the plain default per scope.
    CHECK(actions["host/mx.example.net"].find("postmaster") != std::string::npos);
}

TEST_CASE("status: the action follows the newest blocking reply in time, not the last row stored")
{
    // The newer refusal (DMARC) is stored first; an older bounce about a missing PTR is
    // ingested afterwards and gets the higher id.
    const auto doc = status_over(
        "(7, '2026-05-01T15:10:28Z', 'postfix', 'gmail-smtp-in.l.google.com', '5.7.26', "
        "'bounced', '550-5.7.26 Unauthenticated email from example.org is not accepted due to "
        "domain''s DMARC policy.', 'k7'), "
        "(8, '2026-04-01T09:00:00Z', 'postfix', 'gmail-smtp-in.l.google.com', '5.7.25', "
        "'bounced', '550-5.7.25 The IP address sending this message does not have a PTR record "
        "setup, or the corresponding forward DNS entry does not point to the sending IP.', 'k8')",
        "('2026-05-01T15:10:28Z', '', 'google', 'blocked', 'authfailure', '', 'log', 7), "
        "('2026-04-01T09:00:00Z', '', 'google', 'blocked', 'requireptr', '', 'log', 8)",
        1);
    REQUIRE(doc["scopes"].size() == 1);
    const auto& google = doc["scopes"][0];
    CHECK(google["reason"] == "authfailure");
    const std::string action = google["action"].get<std::string>();
    INFO(action);
    CHECK(action.find("DMARC") != std::string::npos);
    CHECK(action.find("PTR") == std::string::npos);
}
