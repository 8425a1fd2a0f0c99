// The human `smtpprobe status` (issue 18): what is wrong now first (IP x receiver, since
// when with its age, the code, the action), then a compact table of the rest, bounded to the
// window and one screen, filtered by --ip, --scope, --state, --since, --until, --limit,
// --all; no line over 100 columns; colour only on a terminal and never with NO_COLOR.
#include "monitor/config/config_loader.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/status/status_screen.hpp"
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace smtpprobe;

namespace {

// A history at "now" = 2026-06-01T12:00:00Z: one block since 3 h ago, 40 clear receivers
// seen over the last days, and one receiver last seen 60 days ago.
struct History {
    test::TempDir dir;
    std::vector<std::string> base;

    History()
    {
        test::write_file(dir.file("c.toml"), "[[identity]]\nip = \"192.0.2.10\"\n");
        base = {"--config", dir.file("c.toml"), "--db", smtpprobe::test::test_history(dir, "h.db")};
        REQUIRE(test::run_smtpprobe(with({"status"}), env()).exit_code == 0);
        store::Database db(smtpprobe::test::test_history(dir, "h.db"));
        db.exec("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                "source_kind, source_id) VALUES ('2026-06-01T09:00:00Z', '192.0.2.10', "
                "'microsoft-consumer/eur', 'blocked', 'blocked', 'S3140', 'log', 1)");
        for (int i = 0; i < 40; ++i) {
            std::string day = std::to_string(10 + i % 20);
            db.exec("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                    "source_kind, source_id) VALUES ('2026-05-" +
                    day + "T08:00:00Z', '192.0.2.10', 'host/mx" + std::to_string(i) +
                    ".a-very-long-receiver-name-that-does-not-fit.example', 'clear', "
                    "'delivered', '', 'log', " +
                    std::to_string(100 + i) + ")");
        }
        db.exec("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                "source_kind, source_id) VALUES ('2026-04-01T08:00:00Z', '192.0.2.10', "
                "'google', 'clear', 'delivered', '', 'log', 999)");
        episodes::update_episodes(db, config::load_config(dir.file("c.toml")));
    }

    std::vector<std::string> with(std::vector<std::string> args) const
    {
        args.insert(args.begin(), base.begin(), base.end());
        return args;
    }

    static test::RunOptions env()
    {
        test::RunOptions o;
        o.env = {{"SMTPPROBE_NOW", "2026-06-01T12:00:00Z"}};
        return o;
    }

    test::RunResult status(std::vector<std::string> args) const
    {
        args.insert(args.begin(), "status");
        return test::run_smtpprobe(with(args), env());
    }
};

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

} // namespace

TEST_CASE("status leads with the block, its age, code and action, then one screen of the rest")
{
    History h;
    test::RunResult r = h.status({});
    CHECK(r.exit_code == 1);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() > 3);
    CHECK(lines[0].find("Blocked or listed now: 1") == 0);
    CHECK(lines[1].find("192.0.2.10 x microsoft-consumer/eur blocked since 2026-06-01 09:00 UTC "
                        "(3 h) S3140") != std::string::npos);
    CHECK(r.out.find("what to do:") != std::string::npos);
    CHECK(r.out.find("office.com") != std::string::npos);
    // One screen (30 lines when not a terminal), no line over 100 columns, no colour.
    CHECK(lines.size() <= 30);
    for (const std::string& line : lines) {
        CHECK_MESSAGE(line.size() <= 100, line);
    }
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.out.find("Showing ") != std::string::npos);
    CHECK(r.out.find("of 40 receivers seen in the last 30 days") != std::string::npos);
    CHECK(r.out.find("1 more last seen outside the last 30 days") != std::string::npos);
    CHECK(r.out.find("..") != std::string::npos); // long receivers shortened in the middle
}

TEST_CASE("status filters: --state, --scope, --ip, --since, --until, --limit, --all")
{
    History h;
    test::RunResult blocked = h.status({"--state", "blocked"});
    CHECK(blocked.exit_code == 1);
    CHECK(blocked.out.find("host/mx") == std::string::npos);
    test::RunResult clear = h.status({"--state", "clear", "--limit", "3"});
    CHECK(clear.exit_code == 0);
    CHECK(clear.out.find("microsoft-consumer/eur") == std::string::npos);
    CHECK(clear.out.find("Showing 3 of 40") != std::string::npos);
    test::RunResult scope = h.status({"--scope", "microsoft-consumer/"});
    CHECK(scope.exit_code == 1);
    CHECK(scope.out.find("host/mx") == std::string::npos);
    test::RunResult other_ip = h.status({"--ip", "192.0.2.99"});
    CHECK(other_ip.exit_code == 0);
    CHECK(other_ip.out.find("microsoft") == std::string::npos);
    test::RunResult since = h.status({"--since", "2026-05-25"});
    CHECK(since.out.find("google") == std::string::npos);
    test::RunResult old = h.status({"--since", "90d", "--until", "2026-05-01"});
    CHECK(old.out.find("google") != std::string::npos);
    CHECK(old.out.find("host/mx") == std::string::npos);
    test::RunResult all = h.status({"--all"});
    CHECK(lines_of(all.out).size() > 42);
    CHECK(all.out.find("google") != std::string::npos);
    test::RunResult json = h.status({"--json"});
    CHECK(nlohmann::json::parse(json.out)["scopes"].size() == 42); // --json keeps everything
    test::RunResult json_clear = h.status({"--json", "--state", "clear", "--ip", "192.0.2.10"});
    CHECK(nlohmann::json::parse(json_clear.out)["scopes"].size() == 41);
    // --scope and --ip keep the episodes of what they keep, nothing else.
    const auto all_episodes = nlohmann::json::parse(json.out)["episodes"];
    REQUIRE(!all_episodes.empty());
    const auto scoped = nlohmann::json::parse(h.status({"--json", "--scope", "host/"}).out);
    std::size_t host_episodes = 0;
    for (const auto& e : all_episodes) {
        host_episodes += e["scope"].get<std::string>().starts_with("host/") ? 1 : 0;
    }
    CHECK(scoped["episodes"].size() == host_episodes);
    CHECK(scoped["episodes"].size() < all_episodes.size());
    CHECK(
        nlohmann::json::parse(h.status({"--json", "--ip", "192.0.2.99"}).out)["episodes"].empty());
    CHECK(h.status({"--ip", "not-an-ip"}).exit_code == 2);
}

TEST_CASE("status -q prints only what is wrong")
{
    History h;
    test::RunResult r = h.status({"-q"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("Blocked or listed now: 1") == 0);
    CHECK(r.out.find("host/mx") == std::string::npos);
}

TEST_CASE("status on a terminal is coloured (red blocked, green clear), never with NO_COLOR")
{
    if (test::run({"sh", "-c", "command -v script"}).exit_code != 0) {
        MESSAGE("script(1) not installed: no terminal to test colours on");
        return;
    }
    History h;
    std::string command = SMTPPROBE_BINARY;
    for (const std::string& arg : h.with({"status", "--state", "clear", "--limit", "2"})) {
        command += " '" + arg + "'";
    }
    test::RunOptions tty = History::env();
    tty.env["TERM"] = "xterm";
    tty.env["NO_COLOR"] = "";
    test::RunResult coloured = test::run({"script", "-qec", command, "/dev/null"}, tty);
    CHECK(coloured.out.find("\x1b[32mclear") != std::string::npos);
    test::RunResult red =
        test::run({"script", "-qec",
                   std::string(SMTPPROBE_BINARY) + " '" + h.base[0] + "' '" + h.base[1] + "' '" +
                       h.base[2] + "' '" + h.base[3] + "' status",
                   "/dev/null"},
                  tty);
    CHECK(red.out.find("\x1b[31m") != std::string::npos);
    tty.env["NO_COLOR"] = "1";
    test::RunResult plain = test::run({"script", "-qec", command, "/dev/null"}, tty);
    CHECK(plain.out.find('\x1b') == std::string::npos);
}

TEST_CASE("age_text and shorten_middle")
{
    const auto now = *monitor::parse_iso_utc("2026-06-01T12:00:00Z");
    CHECK(monitor::age_text("2026-06-01T11:59:30Z", now) == "30 s");
    CHECK(monitor::age_text("2026-06-01T11:48:00Z", now) == "12 min");
    CHECK(monitor::age_text("2026-06-01T09:00:00Z", now) == "3 h");
    CHECK(monitor::age_text("2026-05-27T12:00:00Z", now) == "5 d");
    CHECK(monitor::age_text("garbage", now).empty());
    CHECK(monitor::shorten_middle("microsoft-consumer/eur", 30) == "microsoft-consumer/eur");
    const std::string cut = monitor::shorten_middle("host/mx1.a-very-long-receiver.example", 20);
    CHECK(cut.size() == 20);
    CHECK(cut.find("..") != std::string::npos);
    CHECK(cut.rfind("host/", 0) == 0);
}
