// A known history for the dashboard tests, written straight through the store: one sending
// IP blocked by Outlook.com's EUR cluster (open episode, S3140), a closed episode on the
// North-America cluster, a Microsoft 365 tenant block that was delisted, a DNSBL listing, a
// manual note, and a probe whose banner and replies carry hostile markup (<script>,
// </textarea>) that every page must show as text.
#pragma once

#include <string>

namespace smtpprobe::test {

inline constexpr const char* k_fixture_ip = "192.0.2.25";
inline constexpr const char* k_fixture_eur = "microsoft-consumer/eur";
inline constexpr const char* k_fixture_na = "microsoft-consumer/na";
inline constexpr const char* k_fixture_m365 = "microsoft-365/example-com";
inline constexpr const char* k_fixture_zone = "dnsbl/zen.spamhaus.org";
inline constexpr const char* k_fixture_spamcop = "dnsbl/bl.spamcop.net";
// Text the hostile probe's banner carries: if a page ran it, window.__smtpprobe_xss is set.
inline constexpr const char* k_hostile_banner =
    "mx.example.net ESMTP <script>window.__smtpprobe_xss=1</script></textarea><img src=x "
    "onerror=\"window.__smtpprobe_xss=2\">";

struct DashboardFixture {
    long long hostile_probe_id = 0; // the probe run with the hostile banner
    long long blocked_probe_id = 0; // the probe run refused with S3140
    long long open_episode_id = 0;  // EUR, still open
    int episode_count = 0;
    int evidence_count = 0;
};

// Writes the story into the database at path (created and migrated if needed).
DashboardFixture fill_dashboard_fixture(const std::string& db_path);

// What the "needs attention" list and the DNSBL page add to the story (issue 18), written after
// fill_dashboard_fixture: the Spamhaus ZEN answer becomes evidence (an open listing since
// 2026-03-11T21:00:00Z), SpamCop listed the IP on 2026-03-10T21:00:00Z and delisted it by
// 2026-03-11T21:00:00Z, a DSN test found our MX honouring NOTIFY=SUCCESS (backscatter risk),
// the log showed two return receipts (backscatter findings, the newest 2026-03-12T07:00:00Z),
// and a log line read late adds evidence older than rows stored before it (a higher id, an
// earlier time).
struct AttentionFixture {
    long long dsn_test_probe_id = 0;
    long long late_evidence_id = 0; // time 2026-03-10T08:00:00Z, the highest id
};
AttentionFixture add_attention_fixture(const std::string& db_path);

} // namespace smtpprobe::test
