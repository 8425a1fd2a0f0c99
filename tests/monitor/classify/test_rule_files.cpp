// Rule data: the embedded files load, user files add and override by id, and every mistake in
// a rule file is one error naming the file, the rule and the field.
#include "monitor/classify/classifier.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using smtpprobe::classify::Classifier;
using smtpprobe::classify::Input;
using smtpprobe::classify::RuleError;
using smtpprobe::test::TempDir;
using smtpprobe::test::write_file;

namespace {

std::string error_for(const std::string& content)
{
    TempDir dir;
    const std::string path = dir.file("user.toml");
    write_file(path, content);
    try {
        Classifier::with_user_rules(path);
    } catch (const RuleError& e) {
        return e.what();
    }
    return "";
}

const char* k_good_rule = R"(
[[rule]]
id = "local.ours"
reason = "blocked"
about = "ip"
contains = ["frobnicated by local policy"]
meaning = "m"
action = "a"
source = "s"
)";

} // namespace

TEST_CASE("rule files: the embedded rules load and are many")
{
    CHECK(Classifier::builtin().rule_count() >= 100);
}

TEST_CASE("rule files: a user file adds a rule and overrides one by id")
{
    TempDir dir;
    const std::string path = dir.file("user.toml");
    write_file(path, std::string(k_good_rule) + R"(
[[rule]]
id = "microsoft.s3140"
provider = "microsoft-consumer"
priority = 1000
reason = "badreputation"
about = "ip"
pattern = '\bs3140\b'
provider_code = "S3140"
meaning = "overridden"
action = "ours"
source = "local"
)");
    const auto classifier = Classifier::with_user_rules(path);
    CHECK(classifier->rule_count() == Classifier::builtin().rule_count() + 1);
    Input added;
    added.text = "550 Frobnicated by LOCAL policy";
    CHECK(classifier->classify(added).rule_id == "local.ours");
    CHECK(Classifier::builtin().classify(added).rule_id != "local.ours");
    Input overridden;
    overridden.text = "550 5.7.1 ... on our block list (S3140)";
    const auto result = classifier->classify(overridden);
    CHECK(result.reason == "badreputation");
    CHECK(result.meaning == "overridden");
}

TEST_CASE("rule files: each mistake names the file, the rule and the field")
{
    struct Row {
        std::string content;
        std::vector<std::string> mentions;
    };
    const std::vector<Row> rows = {
        {"[[rule]]\nid = \"x.bad\"\nreason = \"frobbed\"\nabout = \"ip\"\ncode = 550\n"
         "meaning = \"m\"\naction = \"a\"\nsource = \"s\"\n",
         {"user.toml", "'x.bad'", "'reason'", "frobbed"}},
        {"[[rule]]\nid = \"x.re\"\nreason = \"blocked\"\nabout = \"ip\"\npattern = \"(unclosed\"\n"
         "meaning = \"m\"\naction = \"a\"\nsource = \"s\"\n",
         {"user.toml", "'x.re'", "'pattern'"}},
        {"[[rule]]\nid = \"x.st\"\nreason = \"blocked\"\nabout = \"ip\"\nstatus = "
         "\"5.7.649-5.7.606\"\n"
         "meaning = \"m\"\naction = \"a\"\nsource = \"s\"\n",
         {"'x.st'", "'status'"}},
        {"[[rule]]\nid = \"x.none\"\nreason = \"blocked\"\nabout = \"ip\"\n"
         "meaning = \"m\"\naction = \"a\"\nsource = \"s\"\n",
         {"'x.none'", "condition"}},
        {"[[rule]]\nid = \"x.typo\"\nreason = \"blocked\"\nabout = \"ip\"\ncontians = \"x\"\n"
         "meaning = \"m\"\naction = \"a\"\nsource = \"s\"\n",
         {"'x.typo'", "'contians'", "unknown field"}},
        {"[[rule]]\nid = \"x.code\"\nreason = \"blocked\"\nabout = \"ip\"\ncode = 999\n"
         "meaning = \"m\"\naction = \"a\"\nsource = \"s\"\n",
         {"'x.code'", "'code'"}},
        {"[[rule]]\nid = \"x.about\"\nreason = \"blocked\"\nabout = \"everything\"\ncode = 550\n"
         "meaning = \"m\"\naction = \"a\"\nsource = \"s\"\n",
         {"'x.about'", "'about'"}},
        {"[[rule]]\nid = \"x.meaning\"\nreason = \"blocked\"\nabout = \"ip\"\ncode = 550\n"
         "action = \"a\"\nsource = \"s\"\n",
         {"'x.meaning'", "'meaning'", "required"}},
        {std::string(k_good_rule) + k_good_rule, {"'local.ours'", "duplicate"}},
        {"[[rule]\nid = 1", {"user.toml:1", "TOML"}},
        {"rules = 3\n", {"user.toml", "'rules'"}},
    };
    for (const Row& row : rows) {
        INFO("content: " << row.content);
        const std::string error = error_for(row.content);
        CHECK_FALSE(error.empty());
        CHECK(error.find('\n') == std::string::npos);
        for (const std::string& mention : row.mentions) {
            CHECK_MESSAGE(error.find(mention) != std::string::npos, error);
        }
    }
    CHECK(error_for(k_good_rule).empty());
}

TEST_CASE("rule files: a JSON user file works like a TOML one")
{
    TempDir dir;
    const std::string path = dir.file("user.json");
    write_file(path, R"({"rule": [{"id": "local.json", "reason": "blocked", "about": "ip",
        "contains": ["jsonified by policy"], "code": [550, 554], "meaning": "m", "action": "a",
        "source": "s"}]})");
    const auto classifier = Classifier::with_user_rules(path);
    Input input;
    input.text = "554 JSONified by policy";
    CHECK(classifier->classify(input).rule_id == "local.json");
    write_file(path, R"({"rule": [{"id": "local.json", "reason": "nope", "about": "ip",
        "code": 550, "meaning": "m", "action": "a", "source": "s"}]})");
    CHECK_THROWS_WITH_AS(Classifier::with_user_rules(path),
                         doctest::Contains("'local.json': field 'reason'"), RuleError);
    write_file(path, "{\"rule\": [");
    CHECK_THROWS_WITH_AS(Classifier::with_user_rules(path), doctest::Contains("not valid JSON"),
                         RuleError);
}

TEST_CASE("rule files: a missing file is a RuleError naming it")
{
    CHECK_THROWS_WITH_AS(Classifier::with_user_rules("/nonexistent/rules.toml"),
                         doctest::Contains("/nonexistent/rules.toml"), RuleError);
}
