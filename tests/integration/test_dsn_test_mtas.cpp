// `--dsn-test` against the real sendmail 8.17, Exim 4.96 and OpenSMTPD 6.8 of Debian 12 (in the
// chroots of scripts/build-mta-chroots.sh): each in its Debian default configuration and with
// the remedy smtpprobe advises applied (verdict, exit code and advice asserted); the case of
// a server that offers DSN only after STARTTLS with a self-signed certificate under
// --tls require-valid; a refused sender; and a --send closed-loop run in which smtpprobe's
// own receiver gets the real return receipt. Skips unless root and the chroots are built.
#include "tests/support/child_process.hpp"
#include "tests/support/loopback_receiver.hpp"
#include "tests/support/mta_chroot.hpp"
#include "tests/support/mta_traffic.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <memory>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

struct DsnRun {
    RunResult run;
    nlohmann::json doc;
};

DsnRun dsn_test(const MtaChroot& mta, std::vector<std::string> extra)
{
    TempDir dir;
    std::vector<std::string> args = {"--db",
                                     dir.file("h.db"),
                                     "--json",
                                     "dsn-test",
                                     "127.0.0.1:" + std::to_string(mta.port()),
                                     "--rcpt",
                                     "sender@" + mta.domain()};
    bool has_from = false;
    for (const std::string& a : extra) {
        has_from = has_from || a == "--from";
    }
    if (!has_from) {
        args.push_back("--from");
        args.push_back("probe@ok.test"); // a domain the MTA can resolve
    }
    args.insert(args.end(), extra.begin(), extra.end());
    RunOptions options;
    options.timeout = 120s;
    DsnRun r;
    r.run = run_smtpprobe(args, options);
    r.doc = nlohmann::json::parse(r.run.out, nullptr, false);
    return r;
}

std::unique_ptr<MtaChroot> started(MtaKind kind, MtaOptions options)
{
    std::string why;
    std::optional<std::string> root = mta_chroot_dir(kind, &why);
    if (!root) {
        SMTPPROBE_SKIP(why);
    }
    auto mta = std::make_unique<MtaChroot>(kind, *root, options);
    mta->start();
    return mta;
}

std::string advice(const DsnRun& r)
{
    return r.doc.is_object() && r.doc["advice"].is_string() ? r.doc["advice"].get<std::string>()
                                                            : std::string();
}

} // namespace

TEST_CASE("dsn-test against real sendmail 8.17: Debian default is a risk, noreceipts fixes it")
{
    MtaOptions options;
    options.debian_default = true;
    auto mta = started(MtaKind::sendmail, options);
    if (!mta) {
        return;
    }
    DsnRun risk = dsn_test(*mta, {});
    CAPTURE(risk.run.out);
    CAPTURE(risk.run.err);
    CHECK(risk.run.exit_code == 1);
    CHECK(risk.doc["verdict"] == "backscatter-risk");
    CHECK(risk.doc["mta"] == "sendmail");
    CHECK(risk.doc["evidence"] == "dialogue");
    CHECK(advice(risk).find("append `,noreceipts`") != std::string::npos);
    CHECK(advice(risk).find("`goaway` does not include noreceipts") != std::string::npos);

    // A sender whose domain does not resolve: sendmail refuses it (553 5.1.8), so NOTIFY was
    // never tested and the one thing to change is --from.
    DsnRun sender = dsn_test(*mta, {"--from", "probe@no-such-domain.invalid"});
    CAPTURE(sender.run.out);
    CHECK(sender.run.exit_code == 3);
    CHECK(sender.doc["verdict"] == "inconclusive");
    CHECK(sender.doc["change"] == "--from");
    CHECK(sender.doc["notify_accepted"].is_null());

    mta->stop();
    options.dsn_remedy = true;
    MtaChroot fixed(MtaKind::sendmail, *mta_chroot_dir(MtaKind::sendmail), options);
    fixed.start();
    DsnRun safe = dsn_test(fixed, {});
    CAPTURE(safe.run.out);
    CHECK(safe.run.exit_code == 0);
    CHECK(safe.doc["verdict"] == "safe");
    CHECK(safe.doc["dsn_advertised"] == false);
}

TEST_CASE("dsn-test against real Exim 4.96: Debian default is safe, dsn_advertise_hosts is not")
{
    MtaOptions options;
    options.debian_default = true;
    auto mta = started(MtaKind::exim, options);
    if (!mta) {
        return;
    }
    DsnRun safe = dsn_test(*mta, {});
    CAPTURE(safe.run.out);
    CHECK(safe.run.exit_code == 0);
    CHECK(safe.doc["verdict"] == "safe");
    CHECK(safe.doc["mta"] == "exim");
    mta->stop();

    MtaOptions risky;
    risky.relay_port = 9; // unused: nothing is delivered here
    MtaChroot open(MtaKind::exim, *mta_chroot_dir(MtaKind::exim), risky);
    open.start();
    DsnRun risk = dsn_test(open, {});
    CAPTURE(risk.run.out);
    CHECK(risk.run.exit_code == 1);
    CHECK(risk.doc["verdict"] == "backscatter-risk");
    CHECK(advice(risk).find("dsn_advertise_hosts") != std::string::npos);
    open.stop();

    risky.dsn_remedy = true;
    MtaChroot fixed(MtaKind::exim, *mta_chroot_dir(MtaKind::exim), risky);
    fixed.start();
    DsnRun after = dsn_test(fixed, {});
    CAPTURE(after.run.out);
    CHECK(after.run.exit_code == 0);
    CHECK(after.doc["verdict"] == "safe");
}

TEST_CASE("dsn-test: DSN only after STARTTLS with a self-signed certificate and require-valid")
{
    MtaOptions options;
    options.relay_port = 9;
    options.dsn_after_starttls_only = true;
    auto mta = started(MtaKind::exim, options);
    if (!mta) {
        return;
    }
    DsnRun strict = dsn_test(*mta, {"--tls", "require-valid"});
    CAPTURE(strict.run.out);
    CHECK(strict.run.exit_code == 3);
    CHECK(strict.doc["verdict"] == "inconclusive");
    CHECK(strict.doc["change"] == "--tls");
    CHECK(strict.doc["stopped_at"] == "tls-handshake");
    CHECK(strict.doc["rcpt_with_notify"].is_null());
    // The same server over an unverified TLS session: DSN is there, and accepted.
    DsnRun tls = dsn_test(*mta, {"--tls", "auto"});
    CAPTURE(tls.run.out);
    CHECK(tls.doc["verdict"] == "backscatter-risk");
    CHECK(tls.run.exit_code == 1);
}

TEST_CASE("dsn-test against real OpenSMTPD 6.8: Debian default is a risk, no-dsn fixes it")
{
    MtaOptions options;
    options.debian_default = true;
    auto mta = started(MtaKind::opensmtpd, options);
    if (!mta) {
        return;
    }
    DsnRun risk = dsn_test(*mta, {});
    CAPTURE(risk.run.out);
    CHECK(risk.run.exit_code == 1);
    CHECK(risk.doc["verdict"] == "backscatter-risk");
    CHECK(risk.doc["mta"] == "opensmtpd");
    CHECK(advice(risk).find("no-dsn") != std::string::npos);
    CHECK(advice(risk).find("noreceipts") == std::string::npos); // not the generic text
    mta->stop();

    options.dsn_remedy = true;
    MtaChroot fixed(MtaKind::opensmtpd, *mta_chroot_dir(MtaKind::opensmtpd), options);
    fixed.start();
    DsnRun safe = dsn_test(fixed, {});
    CAPTURE(safe.run.out);
    CHECK(safe.run.exit_code == 0);
    CHECK(safe.doc["verdict"] == "safe");
}

TEST_CASE("dsn-test --send: the real sendmail's return receipt comes back to smtpprobe")
{
    std::string why;
    if (!mta_chroot_dir(MtaKind::sendmail, &why)) {
        SMTPPROBE_SKIP(why);
    }
    LoopbackReceiver receiver; // the other relays; mx.receipts.test is smtpprobe's own
    MtaOptions options;
    options.relay_port = receiver.port();
    MtaChroot mta(MtaKind::sendmail, *mta_chroot_dir(MtaKind::sendmail), options);
    mta.start();
    std::string receive =
        std::string(ReceiverAddresses::receipts) + ":" + std::to_string(receiver.port());
    DsnRun loop = dsn_test(
        mta, {"--from", "probe@receipts.test", "--send", "--receive", receive, "--wait", "60"});
    CAPTURE(loop.run.out);
    CAPTURE(loop.run.err);
    CAPTURE(mta.log_text());
    CHECK(loop.run.exit_code == 1);
    CHECK(loop.doc["verdict"] == "backscatter-risk");
    CHECK(loop.doc["evidence"] == "closed-loop");
    REQUIRE(loop.doc["closed_loop"].is_object());
    CHECK(loop.doc["closed_loop"]["sent"] == true);
    CHECK(loop.doc["closed_loop"]["success_dsn"] == true);
    CHECK(loop.doc["closed_loop"]["delay_seconds"].is_number());
    CHECK(mta.log_text().find("DSN: Return receipt") != std::string::npos);

    // Without --send the output says the verdict is only inferred.
    TempDir dir;
    RunResult human = run_smtpprobe({"--db", dir.file("h.db"), "dsn-test",
                                     "127.0.0.1:" + std::to_string(mta.port()), "--rcpt",
                                     "sender@" + mta.domain(), "--from", "probe@ok.test"});
    CHECK(human.out.find("inferred from the SMTP dialogue") != std::string::npos);
    CHECK(human.out.find("MTA:              sendmail") != std::string::npos);
}
