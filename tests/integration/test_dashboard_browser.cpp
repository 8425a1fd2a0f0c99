// The dashboard in a real browser: headless Debian Chromium driven by playwright-core
// (tests/browser/dashboard.mjs) over `smtpprobe serve` on a database filled by this test with
// the known story (tests/support/dashboard_fixture) plus real data ingested from the shared
// corpus when the ingesters are built in. Checks the overview, the timeline bars, the
// transcript, the explanation, that hostile peer text stays text, and saves screenshots into
// the build directory (dashboard-screenshots/). Then the same dashboard at 360, 800 and 1400 px
// (tests/browser/layout.mjs, screenshots in dashboard-layout-screenshots/).
#include "monitor/config/config.hpp"
#include "monitor/evidence/state_query.hpp"
#include "monitor/store/database.hpp"
#include "tests/support/dashboard_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_dashboard.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <nlohmann/json.hpp>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

const std::string k_browser_dir = std::string(SMTPPROBE_SOURCE_DIR) + "/tests/browser";

// Installs the pinned playwright-core and axe-core (package-lock.json) when one is missing.
bool ensure_playwright()
{
    if (std::filesystem::exists(k_browser_dir + "/node_modules/playwright-core/package.json") &&
        std::filesystem::exists(k_browser_dir + "/node_modules/axe-core/axe.min.js")) {
        return true;
    }
    RunOptions options;
    options.timeout = 240s;
    options.cwd = k_browser_dir;
    auto result = run({"npm", "ci", "--no-audit", "--no-fund"}, options);
    if (result.exit_code != 0) {
        MESSAGE("npm ci failed: " << result.err);
    }
    return result.exit_code == 0;
}

// Ingests real data when this build has the ingesters (they land separately); says so.
// max_bounces bounds how many of the sample bounces are read (each adds receivers).
bool ingest_corpus(const std::string& db, std::size_t max_bounces = 40)
{
    std::string corpus = SMTPPROBE_CORPUS_DIR;
    RunOptions options;
    options.timeout = 120s;
    auto log = run_smtpprobe({"--db", db, "ingest", "log", corpus + "/maillog/seed-sendmail.log"},
                             options);
    if (log.exit_code == 2 && log.err.find("ingest") != std::string::npos) {
        MESSAGE("this build has no `ingest` yet: the browser runs over the fixture only");
        return false;
    }
    CHECK_MESSAGE((log.exit_code == 0 || log.exit_code == 1), log.err);
    std::vector<std::string> bounce_args{"--db", db, "ingest", "bounce"};
    for (const auto& entry : std::filesystem::directory_iterator(corpus + "/bounces")) {
        if (entry.path().extension() == ".eml" && bounce_args.size() < 4 + max_bounces) {
            bounce_args.push_back(entry.path().string());
        }
    }
    auto bounces = run_smtpprobe(bounce_args, options);
    CHECK_MESSAGE((bounces.exit_code == 0 || bounces.exit_code == 1), bounces.err);
    // status folds the new evidence into episodes (as `smtpprobe run` does after ingesting).
    auto status = run_smtpprobe({"--db", db, "status"}, options);
    CHECK_MESSAGE((status.exit_code == 0 || status.exit_code == 1), status.err);
    return true;
}

long long count(const std::string& db, const char* sql)
{
    smtpprobe::store::Database database(db, smtpprobe::store::Database::Mode::read_only);
    auto stmt = database.prepare(sql);
    stmt.step();
    return stmt.column_int(0);
}

// Whether the server explains evidence (the classifier is built in): then the page must too.
bool http_explains(int port)
{
    auto reply = http_get(port, "/api/evidence?limit=100");
    auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("evidence")) {
        return false;
    }
    for (const auto& row : parsed["evidence"]) {
        if (!row["explanation"].is_null()) {
            return true;
        }
    }
    MESSAGE("this build has no classifier yet: explanations are not checked");
    return false;
}

} // namespace

TEST_CASE("dashboard in headless Chromium: receivers, timeline bars, transcript, explanation")
{
    REQUIRE_MESSAGE(std::filesystem::exists("/usr/bin/chromium"),
                    "Debian chromium is missing: run scripts/install-test-peers.sh");
    REQUIRE(ensure_playwright());
    ServedDashboard server;
    bool ingested = ingest_corpus(server.db_path());
    DashboardFixture fixture = fill_dashboard_fixture(server.db_path());
    REQUIRE_MESSAGE(server.start(), server.log());

    long long episodes = count(server.db_path(), "SELECT count(*) FROM episode");
    MESSAGE("episodes in the database: " << episodes
                                         << std::string(ingested ? " (fixture + ingested)" : ""));
    bool explanation = http_explains(server.port());
    nlohmann::json expect{{"episodes", episodes},
                          {"open_scope", k_fixture_eur},
                          {"ip", k_fixture_ip},
                          {"hostile_probe", fixture.hostile_probe_id},
                          {"banner", k_hostile_banner},
                          {"explanation", explanation},
                          {"evidence_text", "banned sending IP [192.0.2.25]"}};
    std::string shots = std::string(SMTPPROBE_BUILD_DIR) + "/dashboard-screenshots";
    RunOptions options;
    options.timeout = 180s;
    options.cwd = k_browser_dir;
    auto result = run(
        {"node", k_browser_dir + "/dashboard.mjs", server.url(""), shots, expect.dump()}, options);
    CAPTURE(result.out);
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("OK: all dashboard checks passed") != std::string::npos);
    for (const char* name : {"overview.png", "timeline.png", "probe.png", "evidence.png"}) {
        CAPTURE(name);
        CHECK(std::filesystem::file_size(shots + "/" + name) > 10'000);
    }
}

namespace {

// Issue 18: the dashboard at one width over a history with many receivers (every sample
// bounce, the seed log, the fixture and its attention story). tests/browser/layout.mjs checks
// every page: no sideways scrolling of the page, the menu inside the screen, no serious or
// critical axe-core violation; the attention list holds every open block and listing of the
// state query and the backscatter finding; Tab reaches every timeline episode. One test per
// width, so each has its own time budget.
void check_layout_at(int width)
{
    REQUIRE_MESSAGE(std::filesystem::exists("/usr/bin/chromium"),
                    "Debian chromium is missing: run scripts/install-test-peers.sh");
    REQUIRE(ensure_playwright());
    ServedDashboard server;
    REQUIRE_MESSAGE(ingest_corpus(server.db_path(), 10'000), "this build cannot ingest");
    DashboardFixture fixture = fill_dashboard_fixture(server.db_path());
    add_attention_fixture(server.db_path());
    REQUIRE_MESSAGE(server.start(), server.log());

    // What the page must show, from the one state query (not from the web API it tests).
    nlohmann::json open_blocks = nlohmann::json::array();
    std::size_t receivers = 0;
    {
        smtpprobe::store::Database db(server.db_path(),
                                      smtpprobe::store::Database::Mode::read_only);
        auto state = smtpprobe::evidence::read_state(db, smtpprobe::config::default_config());
        receivers = state.scopes.size();
        for (const auto& s : state.scopes) {
            if (s.state == smtpprobe::evidence::Verdict::blocked) {
                open_blocks.push_back({{"ip", s.ip}, {"scope", s.scope}});
            }
        }
    }
    long long episodes = count(server.db_path(), "SELECT count(*) FROM episode");
    long long backscatter =
        count(server.db_path(), "SELECT count(*) FROM finding WHERE kind = 'backscatter'");
    MESSAGE(receivers << " (IP, receiver) states, " << open_blocks.size() << " open blocks, "
                      << episodes << " episodes, " << backscatter << " backscatter findings");
    CHECK(receivers > 50);  // many receivers: the sample bounces were read
    CHECK(backscatter > 2); // the seed log's return receipt and the fixture's two
    REQUIRE(open_blocks.size() > 5);

    nlohmann::json expect{{"open_blocks", open_blocks}, {"backscatter", true},
                          {"episodes", episodes},       {"probe", fixture.blocked_probe_id},
                          {"widths", {width}},          {"menu_at_400", width == 360}};
    std::string shots = std::string(SMTPPROBE_BUILD_DIR) + "/dashboard-layout-screenshots";
    MESSAGE("screenshots: " << shots << "/" << width << "-*.png");
    RunOptions options;
    options.timeout = 280s;
    options.cwd = k_browser_dir;
    auto result =
        run({"node", k_browser_dir + "/layout.mjs", server.url(""), shots, expect.dump()}, options);
    MESSAGE(result.out);
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("OK: all layout checks passed") != std::string::npos);
    for (const char* name :
         {"overview", "timeline", "evidence", "dnsbl", "probes", "probe", "ingest", "reports"}) {
        std::string file = shots + "/" + std::to_string(width) + "-" + name + ".png";
        CAPTURE(file);
        CHECK(std::filesystem::exists(file));
    }
}

} // namespace

TEST_CASE("dashboard at 360 px, menu at 400 px: attention list, no overflow, keyboard, axe-core")
{
    check_layout_at(360);
}

TEST_CASE("dashboard at 800 px: attention list, no overflow, keyboard, axe-core")
{
    check_layout_at(800);
}

TEST_CASE("dashboard at 1400 px: attention list, no overflow, keyboard, axe-core")
{
    check_layout_at(1400);
}
