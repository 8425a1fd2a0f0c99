// TOML session scripts: the fields a user writes become the probe::Script the session walks,
// and every malformed file is refused with the file and the field at fault.
#include "monitor/scripts/script_file.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace smtpprobe;

TEST_CASE("script file: fields become the script")
{
    test::TempDir dir;
    std::string path = dir.path() + "/vrfy-check.toml";
    test::write_file(path, R"(deliver = false
starttls = false
pipelining = true
[[step]]
command = "MAIL FROM:<{from}>"
[[step]]
command = "RCPT TO:<{rcpt}>"
on_failure = "skip-to-rset"
label = "rcpt-one"
[[step]]
command = "RSET"
on_failure = "continue"
[[step]]
command = "VRFY {rcpt}"
decisive = true
)");
    probe::Script s = scripts::load_script_file(path);
    CHECK(s.name == "vrfy-check");
    CHECK_FALSE(s.deliver);
    CHECK_FALSE(s.starttls);
    CHECK(s.pipelining);
    REQUIRE(s.steps.size() == 4);
    CHECK(s.steps[0].label == "mail");
    CHECK(s.steps[0].on_failure == probe::OnFailure::stop);
    CHECK(s.steps[1].label == "rcpt-one");
    CHECK(s.steps[1].stage == probe::Stage::rcpt);
    CHECK(s.steps[1].on_failure == probe::OnFailure::skip_to_rset);
    CHECK_FALSE(s.steps[1].decisive); // an explicit decisive step wins over the last RCPT
    CHECK(s.steps[3].decisive);
    // RFC 2920 groups: MAIL, RCPT, RSET go with the next; VRFY neither groups nor ends one.
    CHECK(probe::groups_with_next(s.steps[0]));
    CHECK(probe::groups_with_next(s.steps[2]));
    CHECK_FALSE(probe::groups_with_next(s.steps[3]));
    CHECK_FALSE(probe::ends_group(s.steps[3]));

    test::write_file(path, "[[step]]\ncommand = \"RCPT TO:<{rcpt}>\"\n");
    probe::Script defaults = scripts::load_script_file(path);
    CHECK(defaults.starttls);
    CHECK_FALSE(defaults.pipelining); // a user's script is lock-step unless it says otherwise
    CHECK(defaults.steps[0].decisive);
}

TEST_CASE("script file: malformed files name the file and the field")
{
    struct Row {
        const char* text;
        const char* says;
    };
    for (const Row& row : {
             Row{"pipelining = \"yes\"\n[[step]]\ncommand = \"NOOP\"\n", "'pipelining'"},
             Row{"starttls = 1\n[[step]]\ncommand = \"NOOP\"\n", "'starttls'"},
             Row{"[[step]]\ncommand = \"NOOP\"\ndecisive = \"no\"\n", "step 1: 'decisive'"},
             Row{"name = \"x\"\n", "no [[step]]"},
             Row{"[[step]]\nlabel = \"x\"\n", "'command' missing"},
             Row{"[[step]]\ncommand = \"NOOP\"\non_failure = \"retry\"\n", "on_failure 'retry'"},
             Row{"[[step]\n", "line 1"},
         }) {
        CAPTURE(std::string(row.text));
        test::TempDir dir;
        std::string path = dir.path() + "/bad.toml";
        test::write_file(path, row.text);
        std::string message;
        try {
            scripts::load_script_file(path);
        } catch (const scripts::ScriptError& e) {
            message = e.what();
        }
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find(row.says) != std::string::npos);
    }
}
