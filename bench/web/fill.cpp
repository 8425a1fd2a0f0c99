// bench_web_fill DB [EVIDENCE_ROWS]: creates (migrates) DB and fills it with a synthetic but
// realistically shaped history for the dashboard benchmark: 4 sending IPs x 25 receiver
// scopes, EVIDENCE_ROWS evidence rows (default 1,000,000) spread over two years, block
// episodes every few weeks per pair, notes, DNSBL checks and probe runs.
#include "monitor/store/database.hpp"

#include <charconv>
#include <cstdio>
#include <string>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_web_fill DB [EVIDENCE_ROWS]\n");
        return 2;
    }
    long long rows = 1'000'000;
    if (argc > 2) {
        std::string_view text = argv[2];
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rows);
        if (ec != std::errc() || end != text.data() + text.size() || rows < 1) {
            std::fprintf(stderr, "bench_web_fill: bad row count '%s'\n", argv[2]);
            return 2;
        }
    }
    smtpprobe::store::Database db(argv[1]);
    smtpprobe::store::Transaction tx(db);
    // Row i: pair i % 100, one row every 63 s from 2024-11-01; blocked in the first
    // quarter of every 30-day cycle of its pair.
    auto evidence = db.prepare(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) "
        "INSERT INTO evidence (time, ip, scope, verdict, reason, provider_code, source_kind, "
        "source_id) SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 1730419200 + i * 63, 'unixepoch'), "
        "'198.51.100.' || (i % 4 + 1), 'provider-' || ((i / 4) % 25) || '/cluster', "
        "CASE WHEN ((i * 63 + (i % 100) * 86400) % 2592000) < 648000 THEN 'blocked' "
        "ELSE 'clear' END, 'blocked', 'S3140', 'log', i FROM n");
    evidence.bind(1, static_cast<std::int64_t>(rows));
    evidence.run();
    // Episodes: per pair, one every 30 days lasting 7.5 days.
    db.exec("WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < 2400) "
            "INSERT INTO episode (ip, scope, opened, closed, reason, codes, evidence_count) "
            "SELECT '198.51.100.' || (j % 4 + 1), 'provider-' || ((j / 4) % 25) || '/cluster', "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 1730419200 + (j / 100) * 2592000 + (j % 100) * 3600, "
            "'unixepoch'), CASE WHEN j >= 2300 THEN NULL ELSE "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 1730419200 + (j / 100) * 2592000 + (j % 100) * 3600 "
            "+ 648000, 'unixepoch') END, 'blocked', '[\"S3140\"]', 100 FROM k");
    db.exec("WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < 200) "
            "INSERT INTO note (time, ip, scope, text) SELECT "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 1730419200 + j * 300000, 'unixepoch'), "
            "'198.51.100.' || (j % 4 + 1), 'provider-' || (j % 25) || '/cluster', "
            "'delist requested, ticket ' || j FROM k");
    db.exec("WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < 5000) "
            "INSERT INTO dnsbl_check (time, ip, zone, result) SELECT "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 1730419200 + j * 12000, 'unixepoch'), "
            "'198.51.100.' || (j % 4 + 1), 'zone' || (j % 10) || '.example', "
            "CASE WHEN j % 7 = 0 THEN 'listed' ELSE 'clean' END FROM k");
    db.exec("WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < 2000) "
            "INSERT INTO probe_run (started_at, finished_at, script, target, outcome) SELECT "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 1730419200 + j * 30000, 'unixepoch'), "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 1730419200 + j * 30000 + 3, 'unixepoch'), "
            "'blocklist', 'provider-' || (j % 25) || '.example', "
            "CASE WHEN j % 5 = 0 THEN 'rejected' ELSE 'completed' END FROM k");
    tx.commit();
    db.exec("ANALYZE");
    std::printf("filled %s: %lld evidence rows\n", argv[1], rows);
    return 0;
}
