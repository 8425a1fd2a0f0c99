// The dashboard tests' known history (see dashboard_fixture.hpp).
#include "tests/support/dashboard_fixture.hpp"

#include "monitor/episodes/episode_builder.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>

namespace smtpprobe::test {
namespace {

using store::Database;

std::int64_t add_probe(Database& db, const char* started, const char* banner, const char* outcome,
                       const char* scope, int code, const char* enhanced, const char* text,
                       const char* provider_code)
{
    auto stmt = db.prepare(
        "INSERT INTO probe_run (started_at, finished_at, script, target, mx_host, ip, port, "
        "source_ip, helo, banner, extensions, outcome, stage, reply_code, reply_enhanced, "
        "reply_text, provider, scope, reason, provider_code) VALUES "
        "(?, ?, 'blocklist', 'outlook.com', 'eur.olc.protection.outlook.com', '192.0.2.200', 25, "
        "?, 'mail.example.org', ?, '[\"PIPELINING\",\"DSN\",\"STARTTLS\"]', ?, 'rcpt', ?, ?, ?, "
        "'microsoft-consumer', ?, ?, ?)");
    stmt.bind(1, started).bind(2, started).bind(3, k_fixture_ip).bind(4, banner).bind(5, outcome);
    stmt.bind(6, code).bind(7, enhanced).bind(8, text).bind(9, scope);
    stmt.bind(10, code >= 500 ? "blocked" : "delivered");
    stmt.bind(11, provider_code[0] ? std::optional<std::string>(provider_code) : std::nullopt);
    stmt.run();
    std::int64_t id = db.last_insert_id();
    struct Step {
        const char* stage;
        const char* command;
        int code;
        const char* enhanced;
        const char* text;
    };
    const Step steps[] = {
        {"banner", nullptr, 220, nullptr, banner},
        {"ehlo", "EHLO mail.example.org", 250, nullptr,
         "eur.olc.protection.outlook.com Hello [192.0.2.25]\nPIPELINING\nDSN\nSTARTTLS"},
        {"mail", "MAIL FROM:<probe@example.org>", 250, "2.1.0", "Sender OK"},
        {"rcpt", "RCPT TO:<postmaster@outlook.com>", code, enhanced, text},
        {"quit", "QUIT", 221, "2.0.0", "Service closing transmission channel"},
    };
    int seq = 0;
    for (const auto& step : steps) {
        auto insert = db.prepare("INSERT INTO probe_step (run_id, seq, stage, kind, command, "
                                 "reply_code, reply_enhanced, reply_text, elapsed_ms) "
                                 "VALUES (?, ?, ?, 'command', ?, ?, ?, ?, ?)");
        insert.bind(1, id).bind(2, seq).bind(3, step.stage);
        insert.bind(4, step.command ? std::optional<std::string>(step.command) : std::nullopt);
        insert.bind(5, step.code);
        insert.bind(6, step.enhanced ? std::optional<std::string>(step.enhanced) : std::nullopt);
        insert.bind(7, step.text).bind(8, 40 * seq);
        insert.run();
        ++seq;
    }
    return id;
}

std::int64_t add_evidence(Database& db, const char* time, const char* scope, const char* verdict,
                          const char* reason, const char* code, const char* kind,
                          std::int64_t source)
{
    auto stmt = db.prepare("INSERT INTO evidence (time, ip, scope, verdict, reason, "
                           "provider_code, source_kind, source_id) VALUES (?,?,?,?,?,?,?,?)");
    stmt.bind(1, time).bind(2, k_fixture_ip).bind(3, scope).bind(4, verdict).bind(5, reason);
    stmt.bind(6, code[0] ? std::optional<std::string>(code) : std::nullopt);
    stmt.bind(7, kind).bind(8, source);
    stmt.run();
    return db.last_insert_id();
}

std::int64_t add_delivery(Database& db, const char* time, const char* relay, const char* dsn,
                          const char* status, const char* reply, const char* key)
{
    auto stmt = db.prepare("INSERT INTO delivery (time, mta, queue_id, recipient, relay_host, "
                           "dsn, status, reply, source_key) "
                           "VALUES (?, 'sendmail', '2B1KIN3x012345', 'user@example.com', ?, ?, "
                           "?, ?, ?)");
    stmt.bind(1, time).bind(2, relay).bind(3, dsn).bind(4, status).bind(5, reply).bind(6, key);
    stmt.run();
    return db.last_insert_id();
}

} // namespace

DashboardFixture fill_dashboard_fixture(const std::string& db_path)
{
    Database db(db_path);
    store::Transaction tx(db);
    DashboardFixture out;
    const char* s3140 = "Unfortunately, messages from [192.0.2.25] weren't sent. Please contact "
                        "your Internet service provider since part of their network is on our "
                        "block list (S3140). You can also refer your provider to "
                        "http://mail.live.com/mail/troubleshooting.aspx#errors.";
    out.blocked_probe_id = add_probe(db, "2026-03-11T20:18:23Z",
                                     "eur.olc.protection.outlook.com "
                                     "Microsoft ESMTP MAIL Service ready",
                                     "rejected", k_fixture_eur, 550, "5.7.1", s3140, "S3140");
    out.hostile_probe_id = add_probe(db, "2026-03-13T08:00:00Z", k_hostile_banner, "rejected",
                                     k_fixture_eur, 550, "5.7.1",
                                     "blocked </textarea><script>window.__smtpprobe_xss=3"
                                     "</script> (S3140)",
                                     "S3140");
    std::int64_t ok_probe = add_probe(db, "2026-03-12T09:00:00Z",
                                      "hotmail-com.olc.protection."
                                      "outlook.com Microsoft ESMTP MAIL Service ready",
                                      "completed", k_fixture_na, 250, "2.1.5", "Recipient OK", "");
    std::int64_t blocked_log = add_delivery(
        db, "2026-03-10T14:02:11Z", "example-com.mail.protection.outlook.com", "5.7.606",
        "User unknown",
        "550 5.7.606 Access denied, banned sending IP [192.0.2.25]. To request removal from "
        "this list please visit https://sender.office.com/ and follow the directions.",
        "fixture:1");
    std::int64_t sent_log =
        add_delivery(db, "2026-03-11T09:30:00Z", "example-com.mail.protection.outlook.com", "2.0.0",
                     "Sent", "250 2.6.0 Queued mail for delivery", "fixture:2");
    std::int64_t na_log = add_delivery(db, "2026-03-11T20:10:00Z",
                                       "hotmail-com.olc.protection."
                                       "outlook.com",
                                       "5.0.0", "Service unavailable", s3140, "fixture:3");

    std::int64_t e1 = add_evidence(db, "2026-03-10T14:02:11Z", k_fixture_m365, "blocked", "blocked",
                                   "5.7.606", "log", blocked_log);
    std::int64_t e2 = add_evidence(db, "2026-03-11T09:30:00Z", k_fixture_m365, "clear", "delivered",
                                   "", "log", sent_log);
    std::int64_t e3 = add_evidence(db, "2026-03-11T20:10:00Z", k_fixture_na, "blocked", "blocked",
                                   "S3140", "log", na_log);
    std::int64_t e4 = add_evidence(db, "2026-03-11T20:18:23Z", k_fixture_eur, "blocked", "blocked",
                                   "S3140", "probe", out.blocked_probe_id);
    std::int64_t e5 = add_evidence(db, "2026-03-12T09:00:00Z", k_fixture_na, "clear", "delivered",
                                   "", "probe", ok_probe);
    std::int64_t e6 = add_evidence(db, "2026-03-13T08:00:00Z", k_fixture_eur, "blocked", "blocked",
                                   "S3140", "probe", out.hostile_probe_id);
    out.evidence_count = 6;

    (void)e1, (void)e2, (void)e3, (void)e4, (void)e5, (void)e6;

    auto note = db.prepare("INSERT INTO note (time, ip, scope, text) VALUES (?,?,?,?)");
    note.bind(1, "2026-03-12T10:00:00Z").bind(2, k_fixture_ip).bind(3, k_fixture_eur);
    note.bind(4, "delist requested, ticket 123 <b>not bold</b>");
    note.run();

    auto dnsbl = db.prepare("INSERT INTO dnsbl_check (time, ip, zone, result, codes, txt, "
                            "meaning) VALUES (?, ?, ?, ?, ?, ?, ?)");
    dnsbl.bind(1, "2026-03-11T21:00:00Z").bind(2, k_fixture_ip).bind(3, "zen.spamhaus.org");
    dnsbl.bind(4, "listed").bind(5, "[\"127.0.0.3\"]");
    dnsbl.bind(6, "https://check.spamhaus.org/query/ip/192.0.2.25 <script>x()</script>");
    dnsbl.bind(7, "CSS: snowshoe / low reputation");
    dnsbl.run();
    dnsbl.reset();
    dnsbl.bind(1, "2026-03-11T21:00:00Z").bind(2, k_fixture_ip).bind(3, "bl.spamcop.net");
    dnsbl.bind(4, "clean").bind(5, nullptr).bind(6, nullptr).bind(7, nullptr);
    dnsbl.run();

    // Sender hygiene (migration 006): PTR confirmed but not the HELO name, SPF softfail.
    db.prepare("INSERT INTO hygiene_check (time, ip, helo, mail_from_domain, ptr_names, fcrdns,"
               " helo_matches, ptr_detail, spf_result, spf_detail, dmarc_present, dmarc_policy,"
               " unknown, all_ok) VALUES (?, ?, ?, ?, ?, 1, 0, ?, 'softfail', ?, 1, 'reject', 0,"
               " 0)")
        .bind(1, "2026-03-11T21:05:00Z")
        .bind(2, k_fixture_ip)
        .bind(3, "mail.example.org")
        .bind(4, "example.org")
        .bind(5, "[\"host25.example.net\"]")
        .bind(6, "PTR host25.example.net resolves back; HELO mail.example.org is not a PTR name")
        .bind(7, "~all matched <script>")
        .run();
    tx.commit();
    // The episodes as the monitor folds them (Microsoft 365 delisted, NA closed, EUR open).
    episodes::update_episodes(db, episodes::BuildOptions{{1, 1}, ""});
    store::Statement open(db, "SELECT id FROM episode WHERE scope = ? AND closed IS NULL");
    open.bind(1, k_fixture_eur);
    if (open.step()) {
        out.open_episode_id = open.column_int(0);
    }
    store::Statement count(db, "SELECT count(*) FROM episode");
    count.step();
    out.episode_count = static_cast<int>(count.column_int(0));
    return out;
}

AttentionFixture add_attention_fixture(const std::string& db_path)
{
    Database db(db_path);
    store::Transaction tx(db);
    AttentionFixture out;
    std::int64_t zen_listed = 0;
    {
        store::Statement zen(db, "SELECT id FROM dnsbl_check WHERE zone = 'zen.spamhaus.org'");
        if (zen.step()) {
            zen_listed = zen.column_int(0);
        }
    }
    auto dnsbl = db.prepare("INSERT INTO dnsbl_check (time, ip, zone, result, codes) "
                            "VALUES (?, ?, 'bl.spamcop.net', 'listed', '[\"127.0.0.2\"]')");
    dnsbl.bind(1, "2026-03-10T21:00:00Z").bind(2, k_fixture_ip).run();
    std::int64_t spamcop_listed = db.last_insert_id();
    std::int64_t spamcop_clean = 0;
    {
        store::Statement clean(db, "SELECT id FROM dnsbl_check WHERE zone = 'bl.spamcop.net' "
                                   "AND result = 'clean'");
        if (clean.step()) {
            spamcop_clean = clean.column_int(0);
        }
    }
    add_evidence(db, "2026-03-10T21:00:00Z", k_fixture_spamcop, "blocked", "listed", "127.0.0.2",
                 "dnsbl", spamcop_listed);
    add_evidence(db, "2026-03-11T21:00:00Z", k_fixture_zone, "blocked", "listed", "127.0.0.3",
                 "dnsbl", zen_listed);
    add_evidence(db, "2026-03-11T21:00:00Z", k_fixture_spamcop, "clear", "not listed", "", "dnsbl",
                 spamcop_clean);
    std::int64_t late_log = add_delivery(
        db, "2026-03-10T08:00:00Z", "example-com.mail.protection.outlook.com", "5.7.606",
        "User unknown", "550 5.7.606 Access denied, banned sending IP [192.0.2.25].", "fixture:4");
    out.late_evidence_id = add_evidence(db, "2026-03-10T08:00:00Z", k_fixture_m365, "blocked",
                                        "blocked", "5.7.606", "log", late_log);

    // Two return receipts our server sent (the log ingester's backscatter findings).
    auto finding = db.prepare("INSERT INTO finding (time, kind, host, queue_id, detail, "
                              "source_kind, source_key) VALUES (?, 'backscatter', 'mail', ?, ?, "
                              "'log', ?)");
    finding.bind(1, "2026-03-12T06:00:00Z").bind(2, "06FAFVbL012698");
    finding.bind(3, "06FAFVbL012698: DSN: Return receipt").bind(4, "fixture:5").run();
    finding.reset();
    finding.bind(1, "2026-03-12T07:00:00Z").bind(2, "06FAFVbL012699");
    finding.bind(3, "06FAFVbL012699: DSN: Return receipt").bind(4, "fixture:6").run();

    db.prepare("INSERT INTO probe_run (started_at, finished_at, script, target, mx_host, ip, "
               "port, outcome, stage, reply_code, reply_enhanced, reply_text, verdict) VALUES "
               "(?, ?, 'dsn-test', 'mx.example.org', 'mx.example.org', '192.0.2.10', 25, "
               "'completed', 'rcpt', 250, '2.1.5', 'Recipient ok', 'backscatter-risk')")
        .bind(1, "2026-03-12T12:00:00Z")
        .bind(2, "2026-03-12T12:00:02Z")
        .run();
    out.dsn_test_probe_id = db.last_insert_id();
    tx.commit();
    episodes::update_episodes(db, episodes::BuildOptions{{1, 1}, ""});
    return out;
}

} // namespace smtpprobe::test
