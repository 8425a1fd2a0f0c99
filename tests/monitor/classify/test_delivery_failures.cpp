// rules/55-delivery-failures.toml: connection refused, timeouts, DNS failures, TLS, AUTH and
// local configuration errors as sendmail, Postfix, Exim and OpenSMTPD word them are not
// blocks (about unreachable / tls / auth / config), never "expired ... returned to the
// sender"; a receiver's refusal that merely contains similar words stays what it was.
#include "monitor/classify/classifier.hpp"
#include "monitor/classify/status_fallback.hpp"
#include "monitor/evidence/outcome_class.hpp"

#include <doctest/doctest.h>
#include <optional>
#include <string>

using smtpprobe::classify::Classifier;
using smtpprobe::classify::Input;

namespace {

struct Row {
    const char* text;
    const char* enhanced;
    const char* reason;
    const char* about;
};

} // namespace

TEST_CASE("delivery failures of our side or of the path are not blocks")
{
    const Row rows[] = {
        // sendmail 8.17 stat= texts
        {"Deferred: Connection refused by mx.refused.test.", "4.4.1", "networkerror",
         "unreachable"},
        {"Deferred: Connection refused by [192.0.2.1]", "4.4.1", "networkerror", "unreachable"},
        {"Deferred: Connection timed out with mx.slow.test.", "4.4.2", "networkerror",
         "unreachable"},
        {"timeout waiting for input from mx.slow.test. during client greeting", "", "networkerror",
         "unreachable"},
        {"Deferred: Name server: example.invalid.: host name lookup failure", "4.4.3",
         "networkerror", "unreachable"},
        {"Deferred: 403 4.7.0 TLS handshake failed.", "4.7.0", "failedstarttls", "tls"},
        {"Local configuration error", "5.3.5", "systemerror", "config"},
        {"Config error: mail loops back to me (MX problem?)", "5.3.5", "systemerror", "config"},
        // Postfix status= texts
        {"connect to mx.example.com[192.0.2.1]:25: Connection refused", "4.4.1", "networkerror",
         "unreachable"},
        {"connect to mx.example.com[192.0.2.1]:25: Connection timed out", "4.4.1", "networkerror",
         "unreachable"},
        {"conversation with mx.example.com[192.0.2.1] timed out while receiving the initial "
         "server greeting",
         "4.4.2", "networkerror", "unreachable"},
        {"Host or domain name not found. Name service error for name=example.com type=MX: Host "
         "not found, try again",
         "4.4.3", "networkerror", "unreachable"},
        {"Cannot start TLS: handshake failure", "4.7.5", "failedstarttls", "tls"},
        {"TLS is required, but was not offered by host mx.example.com[192.0.2.1]", "4.7.4",
         "failedstarttls", "tls"},
        {"530 5.7.0 Must issue a STARTTLS command first", "5.7.0", "failedstarttls", "tls"},
        {"SASL authentication failed; server smtp.relay.example[192.0.2.9] said: 535 5.7.8 "
         "Error: authentication failed: authentication failure",
         "5.7.8", "securityerror", "auth"},
        {"mail for example.com loops back to myself", "5.4.6", "systemerror", "config"},
        {"delivery temporarily suspended: unknown mail transport error", "4.3.0", "systemerror",
         "config"},
        // Exim 4.96
        {"Connection refused", "", "networkerror", "unreachable"},
        {"Connection timed out H=mx.slow.test [127.0.0.4]: SMTP timeout after initial connection",
         "", "networkerror", "unreachable"},
        {"remote host address is the local host", "", "systemerror", "config"},
        {"a TLS session is required, but the server did not offer TLS support", "",
         "failedstarttls", "tls"},
        {"authentication required but authentication attempt(s) failed", "", "securityerror",
         "auth"},
        // OpenSMTPD 6.8
        {"Network error on destination MXs", "", "networkerror", "unreachable"},
        {"500 5.4.6 Routing loop detected: Loop detected", "5.4.6", "systemerror", "config"},
    };
    const Classifier& classifier = Classifier::builtin();
    for (const Row& row : rows) {
        CAPTURE(row.text);
        Input input;
        input.text = row.text;
        input.enhanced = row.enhanced;
        auto r = classifier.classify(input);
        CHECK(r.reason == row.reason);
        CHECK(r.about == row.about);
        CHECK_FALSE(smtpprobe::evidence::outcome_class(r) ==
                    smtpprobe::evidence::OutcomeClass::blocked);
        CHECK(r.meaning.find("was returned") == std::string_view::npos);
        CHECK_FALSE(smtpprobe::classify::about_meaning(r.about).empty());
    }
}

TEST_CASE("receiver refusals with similar words stay refusals")
{
    const Classifier& classifier = Classifier::builtin();
    auto classify = [&](const char* text) {
        Input input;
        input.text = text;
        return classifier.classify(input);
    };
    CHECK(smtpprobe::evidence::outcome_class(classify("554 5.7.1 Connection refused by policy")) ==
          smtpprobe::evidence::OutcomeClass::blocked);
    CHECK(smtpprobe::evidence::outcome_class(
              classify("554 Connection refused: your IP is listed at zen.spamhaus.org")) ==
          smtpprobe::evidence::OutcomeClass::blocked);
    auto expired = classify("status=expired, returned to sender: message expired");
    CHECK(expired.reason == "expired");
    // Given up after retrying an unreachable host (a bounce, a final log line): expired, and
    // still not a block.
    Input final_timeout;
    final_timeout.text = "connect to mx.example.com[192.0.2.1]:25: Connection timed out";
    final_timeout.given_up = true;
    auto gave_up = classifier.classify(final_timeout);
    CHECK(gave_up.reason == "expired");
    CHECK(gave_up.about == "unreachable");
    CHECK_FALSE(smtpprobe::evidence::outcome_class(gave_up) ==
                smtpprobe::evidence::OutcomeClass::blocked);
    // A timeout is a deferral: its status alone (4.4.1/4.4.2) says unreachable.
    Input status_only;
    status_only.enhanced = "4.4.1";
    CHECK(classifier.classify(status_only).about == "unreachable");
}
