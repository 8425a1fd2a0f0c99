// Exim 4.96 main log lines as the real daemon (Debian 12) wrote them in
// tests/integration/test_mta_logs.cpp: the H= forms (before and after the error text),
// defers without a connection, -N bypasses, local deliveries and the DSNs Exim generates.
#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/outcome_class.hpp"
#include "monitor/ingest/delivery_classification.hpp"
#include "tests/monitor/ingest/parse_case.hpp"

#include <vector>

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::ParseCase;

namespace {

struct Parsed {
    RecordKind kind;
    std::string recipient;
    std::string relay_host;
    std::string relay_ip;
    std::string status;
    std::string reply;
    std::string detail;
    bool local;
};

// Parses lines in order through one LineParser (the cross-line memory matters).
std::vector<Parsed> parse_all(const std::vector<const char*>& lines)
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    std::vector<Parsed> out;
    for (const char* line : lines) {
        LogRecord r;
        RecordKind kind = parser.parse(line, r);
        out.push_back({kind, std::string(r.recipient), std::string(r.relay_host),
                       std::string(r.relay_ip), std::string(r.status), std::string(r.reply),
                       std::string(r.detail), r.local});
    }
    return out;
}

} // namespace

TEST_CASE("exim defers: errno text before H=, a host on the line before, retry time not reached")
{
    auto p = parse_all({
        "2026-12-05 08:46:58 1xZlQ2-0008O9-0H H=mx.refused.test [127.0.0.3] Connection refused",
        "2026-12-05 08:46:58 1xZlQ2-0008O9-0H == x@refused.test R=manual T=remote_smtp defer "
        "(111): Connection refused",
        "2026-12-05 08:47:01 1xZlQ2-0008O9-0H == x@refused.test R=manual T=remote_smtp defer "
        "(-54): retry time not reached for any host for 'refused.test'",
        "2026-12-05 08:46:58 1xZlQ1-0008O0-25 == tss04@yahoo.test routing defer (-52): retry "
        "time not reached",
        "2026-12-05 08:48:04 1xZlR0-0000Ji-26 == x@slow.test R=manual T=remote_smtp defer (110): "
        "Connection timed out H=mx.slow.test [127.0.0.4]: SMTP timeout after initial connection",
        "2026-12-05 08:46:57 1xZlQ1-0008O0-25 == tss04@yahoo.test R=manual T=remote_smtp defer "
        "(-44) H=mta5.am0.yahoodns.net [127.0.0.6]: SMTP error from remote mail server after RCPT "
        "TO:<tss04@yahoo.test>: 421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred",
        "2026-12-05 08:47:58 1xZlR0-0000JV-15 == x@loop.test R=manual defer (-1): remote host "
        "address is the local host",
    });
    CHECK(p[0].kind == RecordKind::ignored);
    REQUIRE(p[1].kind == RecordKind::delivery);
    CHECK(p[1].recipient == "x@refused.test");
    CHECK(p[1].relay_host == "mx.refused.test"); // carried from the line before
    CHECK(p[1].relay_ip == "127.0.0.3");
    CHECK(p[1].status == "deferred");
    CHECK(p[1].reply == "Connection refused");
    CHECK(p[2].kind == RecordKind::ignored); // Exim did not connect
    CHECK(p[3].kind == RecordKind::ignored);
    REQUIRE(p[4].kind == RecordKind::delivery);
    CHECK(p[4].relay_host == "mx.slow.test");
    CHECK(p[4].relay_ip == "127.0.0.4");
    CHECK(p[5].relay_host == "mta5.am0.yahoodns.net");
    CHECK(p[5].reply.substr(0, 17) == "421 4.7.0 [TSS04]");
    CHECK(p[6].kind == RecordKind::delivery);
    CHECK(p[6].reply == "remote host address is the local host");

    const auto& classifier = smtpprobe::classify::Classifier::builtin();
    auto classify_line = [&](const char* line) {
        TimeZone zone("UTC");
        TimeParser time(zone, smtpprobe::ingest::test::k_reference);
        LineParser parser(time);
        LogRecord r;
        parser.parse(line, r);
        auto result = classifier.classify(classifier_input(r));
        return std::make_pair(std::string(result.reason),
                              smtpprobe::evidence::outcome_class(result));
    };
    auto refused = classify_line("2026-12-05 08:46:58 1xZlQ2-0008O9-0H == x@refused.test "
                                 "R=manual T=remote_smtp defer (111): Connection refused");
    CHECK(refused.first == "networkerror");
    CHECK(refused.second == smtpprobe::evidence::OutcomeClass::unreachable);
    auto slow = classify_line("2026-12-05 08:48:04 1xZlR0-0000Ji-26 == x@slow.test R=manual "
                              "T=remote_smtp defer (110): Connection timed out H=mx.slow.test "
                              "[127.0.0.4]: SMTP timeout after initial connection");
    CHECK(slow.first == "networkerror");
    CHECK(slow.second == smtpprobe::evidence::OutcomeClass::unreachable);
    auto loop = classify_line("2026-12-05 08:47:58 1xZlR0-0000JV-15 == x@loop.test R=manual "
                              "defer (-1): remote host address is the local host");
    CHECK(loop.second == smtpprobe::evidence::OutcomeClass::local_config);
}

TEST_CASE("exim bypassed, local and old-form deliveries")
{
    auto p = parse_all({
        "2026-12-05 08:48:41 1xZlRh-0000bH-1w => sender <sender@mta.exim.test> R=local_user "
        "T=local_delivery",
        "2026-12-05 08:48:41 1xZlRh-0000bI-1w *> a@b.test R=dnslookup T=remote_smtp H=mx.b.test "
        "[192.0.2.1]",
        "2026-12-05 08:48:41 1xZlRh-0000bJ-1w ** a@b.test R=dnslookup T=remote_smtp: SMTP error "
        "from remote mail server after RCPT TO:<a@b.test>: host mx.b.test [192.0.2.1]: 550 5.7.1 "
        "blocked",
        "2026-12-05 08:48:41 1xZlRh-0000bK-1w => /var/mail/x <x@mta.exim.test> R=file "
        "T=address_file",
    });
    REQUIRE(p[0].kind == RecordKind::delivery);
    CHECK(p[0].recipient == "sender@mta.exim.test");
    CHECK(p[0].local);
    CHECK(p[0].status == "sent");
    CHECK(p[1].kind == RecordKind::ignored); // -N: nothing was sent
    REQUIRE(p[2].kind == RecordKind::delivery);
    CHECK(p[2].relay_host == "mx.b.test");
    CHECK(p[2].relay_ip == "192.0.2.1");
    CHECK(p[2].reply == "550 5.7.1 blocked");
    CHECK(p[2].status == "bounced");
    CHECK(p[3].recipient == "x@mta.exim.test");
    CHECK(p[3].local);
}

TEST_CASE("exim success DSN (return receipt) is told from a bounce by its parent's deliveries")
{
    auto p = parse_all({
        // a receipt: the parent was delivered, then Exim generated a DSN for it
        "2026-12-05 08:48:46 1xZlRm-0000eH-0f <= victim@ok.test H=(client.test) [127.0.0.1] "
        "P=esmtp S=339",
        "2026-12-05 08:48:46 1xZlRm-0000eH-0f => sender <sender@mta.exim.test> R=local_user "
        "T=local_delivery",
        "2026-12-05 08:48:46 1xZlRm-0000eT-1m <= <> R=1xZlRm-0000eH-0f U=Debian-exim P=local "
        "S=1551",
        // a bounce: the parent failed
        "2026-12-05 08:48:41 1xZlRg-0000b1-39 ** ms606@outlook.test R=manual T=remote_smtp "
        "H=eur.olc.protection.outlook.com [127.0.0.5]: SMTP error from remote mail server after "
        "RCPT TO:<ms606@outlook.test>: 550 5.7.606 Access denied",
        "2026-12-05 08:48:41 1xZlRh-0000bH-1w <= <> R=1xZlRg-0000b1-39 U=Debian-exim P=local "
        "S=2352",
    });
    CHECK(p[2].kind == RecordKind::receipt);
    CHECK(p[2].detail == "1xZlRm-0000eT-1m: success DSN for 1xZlRm-0000eH-0f");
    CHECK(p[4].kind == RecordKind::message_from); // a bounce, not backscatter
}
