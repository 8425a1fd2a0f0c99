// The seed story's sendmail lines (../shared/corpus/maillog/seed-sendmail.log) through the
// classifier with the fields a log parser hands over (relay, dsn, stat): the Microsoft 365
// ban logged as "dsn=5.7.606, stat=User unknown" is a block of the tenant's scope; the
// delisted deliveries are successes; the EUR-cluster refusal is a block of that cluster.
#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/outcome_class.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <sstream>
#include <string>

using smtpprobe::classify::Classifier;
using smtpprobe::classify::Input;
namespace evidence = smtpprobe::evidence;

namespace {

// The value of "key=" up to ", " (stat= runs to the end of the line).
std::string field(const std::string& line, const std::string& key)
{
    const auto at = line.find(" " + key + "=");
    if (at == std::string::npos) {
        return {};
    }
    const auto start = at + key.size() + 2;
    if (key == "stat") {
        return line.substr(start);
    }
    const auto end = line.find(", ", start);
    return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

} // namespace

TEST_CASE("seed log: every delivery line is classified as the story says")
{
    std::istringstream in(smtpprobe::test::read_file(std::string(SMTPPROBE_CORPUS_DIR) +
                                                     "/maillog/seed-sendmail.log"));
    std::string line;
    int deliveries = 0;
    int blocks = 0;
    int successes = 0;
    while (std::getline(in, line)) {
        const std::string dsn = field(line, "dsn");
        if (dsn.empty()) {
            continue;
        }
        std::string relay = field(line, "relay");
        relay = relay.substr(0, relay.find(' '));
        const std::string stat = field(line, "stat");
        Input input;
        input.enhanced = dsn;
        input.text = stat;
        input.remote_host = relay;
        const auto r = Classifier::builtin().classify(input);
        INFO("line: " << line);
        INFO("rule: " << r.rule_id);
        ++deliveries;
        if (dsn.starts_with("2.")) {
            CHECK(r.is_success());
            CHECK_FALSE(evidence::outcome_class(r) == evidence::OutcomeClass::blocked);
            ++successes;
            continue;
        }
        CHECK(evidence::outcome_class(r) == evidence::OutcomeClass::blocked);
        CHECK(r.reason == "blocked");
        ++blocks;
        if (relay.starts_with("mit-edu")) {
            CHECK(r.scope == "microsoft-365/mit-edu");
            CHECK(r.status == "5.7.606");
            CHECK(r.action.find("sender.office.com") != std::string::npos);
        } else {
            CHECK(r.scope == "microsoft-consumer/eur");
        }
    }
    CHECK(deliveries >= 6);
    CHECK(blocks == 2);
    CHECK(successes >= 4);
}
