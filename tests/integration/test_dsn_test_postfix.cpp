// `smtpprobe dsn-test` and `probe` against a real Postfix on loopback: DSN advertised ->
// backscatter-risk (exit 1); smtpd_discard_ehlo_keywords = dsn -> safe (exit 0); an access map
// answering the RCPT with Outlook's S3140 text -> inconclusive, saying why (exit 3); STARTTLS
// with a self-signed certificate -> TLS recorded as unverified, in the output and the store.
#include "monitor/store/database.hpp"
#include "monitor/store/probe_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace smtpprobe;
using namespace smtpprobe::test;
using nlohmann::json;

namespace {

const char* k_s3140 = "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please "
                      "contact your Internet service provider since part of their network is on "
                      "our block list (S3140).";

struct DsnRun {
    RunResult run;
    json doc;
};

DsnRun dsn_test(const PostfixInstance& postfix, const std::string& db,
                std::vector<std::string> extra = {})
{
    std::vector<std::string> args = {"--db",
                                     db,
                                     "--json",
                                     "dsn-test",
                                     "127.0.0.1:" + std::to_string(postfix.port()),
                                     "--rcpt",
                                     "postmaster@" + postfix.domain(),
                                     "--helo",
                                     "probe.test",
                                     "--timeout",
                                     "all=10"};
    args.insert(args.end(), extra.begin(), extra.end());
    DsnRun out;
    out.run = run_smtpprobe(args);
    INFO(out.run.err);
    INFO(out.run.out);
    out.doc = json::parse(out.run.out, nullptr, false);
    REQUIRE_FALSE(out.doc.is_discarded());
    return out;
}

void check_contract_fields(const json& doc)
{
    for (const char* field : {"target", "host", "ip", "port", "banner", "extensions", "tls",
                              "dsn_advertised", "notify_accepted", "rcpt_with_notify",
                              "rcpt_without_notify", "verdict", "advice", "transcript"}) {
        CAPTURE(field);
        CHECK(doc.contains(field));
    }
    CHECK(doc["extensions"].is_array());
    REQUIRE(doc["transcript"].is_array());
    REQUIRE_FALSE(doc["transcript"].empty());
    CHECK(doc["transcript"][0].contains("dir"));
    CHECK(doc["transcript"][0].contains("line"));
    CHECK(doc["transcript"][0].contains("ms"));
}

} // namespace

TEST_CASE("dsn-test against Postfix advertising DSN: backscatter-risk")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    PostfixInstance postfix;
    postfix.start();
    TempDir dir;
    auto r = dsn_test(postfix, dir.file("h.db"));
    CHECK(r.run.exit_code == 1);
    check_contract_fields(r.doc);
    CHECK(r.doc["verdict"] == "backscatter-risk");
    CHECK(r.doc["dsn_advertised"] == true);
    CHECK(r.doc["notify_accepted"] == true);
    CHECK(r.doc["rcpt_with_notify"]["code"] == 250);
    CHECK(r.doc["mta"] == "postfix");
    CHECK(r.doc["advice"].get<std::string>().find("smtpd_discard_ehlo_keywords") !=
          std::string::npos);
    // Stored: one run with its steps and the verdict.
    store::Database db(dir.file("h.db"));
    auto runs = store::load_probe_runs(db);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].verdict == "backscatter-risk");
    CHECK(runs[0].script == "dsn-test");
    CHECK(runs[0].step_count >= 8);

    // Human output: the transcript with markers, then the verdict.
    auto human = run_smtpprobe({"--db", dir.file("h.db"), "--dsn-test",
                                "127.0.0.1:" + std::to_string(postfix.port()), "--rcpt",
                                "postmaster@" + postfix.domain(), "--no-store"});
    CHECK(human.exit_code == 1);
    CHECK(human.out.find(">>> RCPT TO:<postmaster@" + postfix.domain() + "> NOTIFY=SUCCESS") !=
          std::string::npos);
    CHECK(human.out.find("<<< 250") != std::string::npos);
    CHECK(human.out.find("Verdict:          backscatter-risk") != std::string::npos);
}

TEST_CASE("dsn-test against Postfix with smtpd_discard_ehlo_keywords = dsn: safe")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    PostfixConfig config;
    config.discard_ehlo_keywords = "dsn";
    PostfixInstance postfix(config);
    postfix.start();
    TempDir dir;
    auto r = dsn_test(postfix, dir.file("h.db"));
    CHECK(r.run.exit_code == 0);
    check_contract_fields(r.doc);
    CHECK(r.doc["verdict"] == "safe");
    CHECK(r.doc["dsn_advertised"] == false);
    CHECK(r.doc["rcpt_without_notify"]["code"] == 250);
}

TEST_CASE("dsn-test against Postfix refusing the RCPT with S3140: inconclusive, says why")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    PostfixConfig config;
    config.client_access = std::string("127.0.0.1 ") + k_s3140 + "\n";
    PostfixInstance postfix(config);
    postfix.start();
    TempDir dir;
    auto r = dsn_test(postfix, dir.file("h.db"));
    CHECK(r.run.exit_code == 3);
    check_contract_fields(r.doc);
    CHECK(r.doc["verdict"] == "inconclusive");
    CHECK(r.doc["rcpt_without_notify"]["code"] == 550);
    CHECK(r.doc["rcpt_without_notify"]["enhanced"] == "5.7.1");
    std::string reason = r.doc["reason"];
    CHECK(reason.find("refused for another cause") != std::string::npos);
    CHECK(reason.find("S3140") != std::string::npos);
}

TEST_CASE("STARTTLS with a self-signed certificate is recorded as unverified")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    TempDir certs;
    PostfixConfig config;
    config.tls = make_self_signed_cert(certs.path(), "mx.selfsigned.test");
    PostfixInstance postfix(config);
    postfix.start();
    TempDir dir;
    auto r = dsn_test(postfix, dir.file("h.db"));
    REQUIRE(r.doc["tls"].is_object());
    CHECK(r.doc["tls"]["verified"] == false);
    CHECK_FALSE(r.doc["tls"]["verify_error"].is_null());
    CHECK(r.doc["tls"]["subject"].get<std::string>().find("mx.selfsigned.test") !=
          std::string::npos);
    CHECK_FALSE(r.doc["tls"]["not_after"].get<std::string>().empty());
    // The session went on over TLS (EHLO again) and finished the test.
    CHECK(r.doc["verdict"] == "backscatter-risk");
    store::Database db(dir.file("h.db"));
    auto runs = store::load_probe_runs(db);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].tls_verified == 0);
    CHECK_FALSE(runs[0].tls_verify_error.empty());

    // --tls=require-valid refuses the unverified certificate: could not complete.
    auto strict = run_smtpprobe({"--db", dir.file("h.db"), "--json", "probe",
                                 "127.0.0.1:" + std::to_string(postfix.port()), "--tls",
                                 "require-valid", "--rcpt", "postmaster@" + postfix.domain()});
    CHECK(strict.exit_code == 3);
    auto doc = json::parse(strict.out, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    CHECK(doc["results"][0]["outcome"] == "tls-failed");
}

TEST_CASE("probe block-check against Postfix: accepted, then blocked at RCPT")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    PostfixInstance postfix;
    postfix.start();
    TempDir dir;
    std::string target = "127.0.0.1:" + std::to_string(postfix.port());
    auto ok = run_smtpprobe(
        {"--db", dir.file("h.db"), "probe", target, "--rcpt", "postmaster@" + postfix.domain()});
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("completed at quit: 250") != std::string::npos);
    postfix.set_access_map(AccessMap::client, std::string("127.0.0.1 ") + k_s3140 + "\n");
    auto blocked = run_smtpprobe(
        {"--db", dir.file("h.db"), "probe", target, "--rcpt", "postmaster@" + postfix.domain()});
    CHECK(blocked.exit_code == 1);
    CHECK(blocked.out.find("rejected at rcpt: 550") != std::string::npos);
    CHECK(blocked.out.find("S3140") != std::string::npos);
    store::Database db(dir.file("h.db"));
    auto runs = store::load_probe_runs(db);
    REQUIRE(runs.size() == 2);
    CHECK(runs[1].outcome == "rejected");
    CHECK(runs[1].reply_code == 550);
}
