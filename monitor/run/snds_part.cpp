// The SNDS part of a tick (issue 19): when [snds] has a key and the task "snds" is due, fetch
// the IP status feed and the data feed over HTTPS (ingest/reports/snds_fetch.hpp), record each
// fetch, and apply what they say (snds_apply.hpp): evidence for our IPs in the Outlook.com
// scope, reputation signals, findings. A feed that cannot be fetched (the key refused, a
// timeout, not a CSV) fails the part with one line that never holds the key; what the other
// feed brought is still applied.
#include "monitor/ingest/reports/snds_apply.hpp"
#include "monitor/ingest/reports/snds_fetch.hpp"
#include "monitor/run/run_parts.hpp"
#include "monitor/run/run_schedule.hpp"
#include "monitor/store/snds_store.hpp"

namespace smtpprobe::monitor {

namespace {

// A 200 answer that is not the feed (a sign-in page, an error text) has no row of either
// shape and at least one malformed line.
bool looks_like_feed(const ingest::SndsFeed& feed, const std::string& body)
{
    return !(feed.status.empty() && feed.data.empty() && !feed.malformed.empty()) &&
           body.find("<html") == std::string::npos && body.find("<HTML") == std::string::npos;
}

} // namespace

PartResult run_due_snds(TickContext& tick)
{
    PartResult part{"snds", false, true, ""};
    const config::SndsSettings& snds = tick.config.snds;
    if (!snds.enabled()) {
        part.detail = "no [snds] key configured";
        return part;
    }
    const std::string task = "snds";
    if (!tick.force && !task_due(tick.db, task, tick.now)) {
        part.detail = "not due";
        return part;
    }
    part.ran = true;
    const std::string base = tick.snds_url.empty() ? snds.url : tick.snds_url;
    const std::string time = iso_utc(tick.now);
    ingest::SndsFeed status;
    ingest::SndsFeed data;
    bool status_ok = false;
    std::vector<std::string> problems;
    std::uint64_t malformed = 0;
    store::Transaction tx(tick.db);
    std::int64_t status_fetch = 0;
    std::int64_t data_fetch = 0;
    for (const auto& [page, kind] : {std::pair{"ipStatus.aspx", ingest::SndsFeedKind::ip_status},
                                     std::pair{"data.aspx", ingest::SndsFeedKind::data}}) {
        const bool is_status = kind == ingest::SndsFeedKind::ip_status;
        ingest::SndsHttpResult got = ingest::fetch_snds_feed(base, page, snds.key, snds.timeout);
        ingest::SndsFeed feed;
        std::string outcome = got.outcome;
        std::string detail = got.error;
        if (got.ok) {
            feed = ingest::parse_snds_feed(got.body, kind);
            if (!looks_like_feed(feed, got.body)) {
                outcome = "error";
                detail = got.source + ": the answer is not an SNDS CSV feed";
                feed = {};
            } else if (!feed.malformed.empty()) {
                detail = std::to_string(feed.malformed.size()) + " malformed rows skipped (line " +
                         std::to_string(feed.malformed.front().line) + ": " +
                         feed.malformed.front().why + ")";
            }
        }
        malformed += feed.malformed.size();
        const std::int64_t id = store::add_snds_fetch(
            tick.db, time, is_status ? "ip-status" : "data", got.source, outcome, detail,
            static_cast<std::int64_t>(feed.status.size() + feed.data.size()),
            static_cast<std::int64_t>(feed.malformed.size()));
        if (outcome != "ok") {
            problems.push_back(is_status ? "ip-status: " + detail : "data: " + detail);
            continue;
        }
        if (is_status) {
            status = std::move(feed);
            status_ok = true;
            status_fetch = id;
        } else {
            data = std::move(feed);
            data_fetch = id;
        }
    }
    // Data first: an IP the account knows (it has data rows) can then be cleared by status.
    ingest::SndsApplied from_data;
    if (data_fetch != 0) {
        from_data = ingest::apply_snds(tick.db, tick.config, data, data_fetch, time, false);
    }
    ingest::SndsApplied from_status;
    if (status_ok) {
        from_status = ingest::apply_snds(tick.db, tick.config, status, status_fetch, time, true);
    }
    task_done(tick.db, task, tick.now, {snds.interval, {}, {}},
              problems.empty() ? (from_status.blocked_ips.empty() ? "ok" : "blocked") : "failed");
    tx.commit();
    part.detail = std::to_string(from_status.status_rows) + " status ranges, " +
                  std::to_string(from_data.data_rows) + " data rows (" +
                  std::to_string(from_data.new_data_rows) + " new), " +
                  std::to_string(from_status.evidence) + " evidence, " +
                  std::to_string(from_data.findings + from_status.findings) + " findings" +
                  (malformed > 0 ? ", " + std::to_string(malformed) + " malformed rows" : "");
    for (const std::string& ip : from_status.blocked_ips) {
        part.detail += "; " + ip + " BLOCKED";
    }
    if (!problems.empty()) {
        part.ok = false;
        for (const std::string& p : problems) {
            part.detail += "; " + p;
        }
    }
    return part;
}

} // namespace smtpprobe::monitor
