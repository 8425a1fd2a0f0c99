// Incremental and full episode building over the store (see episode_builder.hpp).
#include "monitor/episodes/episode_builder.hpp"

#include "monitor/episodes/episode_fold.hpp"
#include "monitor/episodes/episode_rows.hpp"

#include <algorithm>
#include <map>

namespace smtpprobe::episodes {

namespace {

using store::Database;
using store::Statement;

constexpr const char* k_cursor = "episodes";
constexpr const char* k_fingerprint = "episodes.settings";

std::int64_t fingerprint(const BuildOptions& options)
{
    // "2|": the fold's semantics (state reason/code from agreeing items, schema 010): a
    // database folded by an older binary is rebuilt once.
    std::string text = "2|" + std::to_string(options.settings.open_after) + "|" +
                       std::to_string(options.settings.close_after) + "|" + options.default_ip;
    std::uint64_t hash = 1469598103934665603ULL; // FNV-1a: stable across builds
    for (unsigned char c : text) {
        hash = (hash ^ c) * 1099511628211ULL;
    }
    return static_cast<std::int64_t>(hash >> 1);
}

std::optional<std::int64_t> read_cursor(Database& db, const char* name)
{
    Statement st(db, "SELECT value FROM monitor_cursor WHERE name = ?");
    st.bind(1, name);
    if (st.step()) {
        return st.column_int(0);
    }
    return std::nullopt;
}

void write_cursor(Database& db, const char* name, std::int64_t value)
{
    db.prepare("INSERT INTO monitor_cursor(name, value) VALUES (?, ?) "
               "ON CONFLICT(name) DO UPDATE SET value = excluded.value")
        .bind(1, name)
        .bind(2, value)
        .run();
}

EvidenceItem read_item(Statement& st, const std::string& default_ip)
{
    EvidenceItem item;
    item.id = st.column_int(0);
    item.time = st.column_text(1);
    item.ip = st.column_text(2);
    if (item.ip.empty()) {
        item.ip = default_ip;
    }
    item.scope = st.column_text(3);
    item.verdict = evidence::parse_verdict(st.column_text(4)).value_or(evidence::Verdict::unknown);
    item.reason = st.column_text(5);
    item.provider_code = st.column_text(6);
    item.observations = std::max<std::int64_t>(st.column_int(7), 1);
    if (!st.is_null(8)) {
        item.last_time = st.column_text(8);
    }
    return item;
}

bool before(const EvidenceItem& a, const EvidenceItem& b)
{
    return a.time < b.time || (a.time == b.time && a.id < b.id);
}

// Every evidence item of one key (with "" attributed to the default IP), in fold order.
std::vector<EvidenceItem> all_items(Database& db, const std::string& ip, const std::string& scope,
                                    const std::string& default_ip)
{
    Statement st(db, "SELECT id, time, ip, scope, verdict, reason, provider_code, observations, "
                     "last_time FROM evidence WHERE scope = ?1 AND (ip = ?2 OR (ip = '' AND "
                     "?2 = ?3)) ORDER BY time, id");
    st.bind(1, scope).bind(2, ip).bind(3, default_ip);
    std::vector<EvidenceItem> items;
    while (st.step()) {
        items.push_back(read_item(st, default_ip));
    }
    return items;
}

BuildResult build(Database& db, const BuildOptions& options, bool force_full)
{
    store::Transaction tx(db);
    BuildResult result;
    std::int64_t want = fingerprint(options);
    std::optional<std::int64_t> have = read_cursor(db, k_fingerprint);
    std::int64_t cursor = read_cursor(db, k_cursor).value_or(0);
    if (force_full || !have || *have != want) {
        db.exec("DELETE FROM episode_state");
        db.exec("DELETE FROM episode");
        cursor = 0;
        result.full_rebuild = true;
        write_cursor(db, k_fingerprint, want);
    }

    std::map<std::pair<std::string, std::string>, std::vector<EvidenceItem>> fresh;
    std::int64_t last_id = cursor;
    {
        Statement st(db, "SELECT id, time, ip, scope, verdict, reason, provider_code, "
                         "observations, last_time FROM evidence WHERE id > ? ORDER BY id");
        st.bind(1, cursor);
        while (st.step()) {
            EvidenceItem item = read_item(st, options.default_ip);
            last_id = std::max(last_id, item.id);
            fresh[{item.ip, item.scope}].push_back(std::move(item));
            ++result.evidence_folded;
        }
    }

    for (auto& [key, items] : fresh) {
        std::sort(items.begin(), items.end(), before);
        KeyState state;
        bool known = load_state(db, key.first, key.second, state);
        if (!known) {
            state.ip = key.first;
            state.scope = key.second;
        } else if (!state.is_after(items.front())) {
            // Late evidence: refold this key from all of its evidence.
            delete_key(db, key.first, key.second);
            state = KeyState{};
            state.ip = key.first;
            state.scope = key.second;
            items = all_items(db, key.first, key.second, options.default_ip);
            ++result.keys_rebuilt;
        }
        std::vector<Episode> finished;
        for (const EvidenceItem& item : items) {
            fold(state, item, options.settings, finished);
        }
        for (Episode& episode : finished) {
            save_episode(db, episode);
        }
        if (state.open) {
            save_episode(db, *state.open);
        }
        save_state(db, state);
    }
    write_cursor(db, k_cursor, last_id);
    tx.commit();
    return result;
}

} // namespace

BuildResult update_episodes(Database& db, const BuildOptions& options)
{
    return build(db, options, false);
}

BuildResult update_episodes(Database& db, const config::Config& config)
{
    return build(db, {config.episodes, config.default_ip()}, false);
}

BuildResult rebuild_episodes(Database& db, const BuildOptions& options)
{
    return build(db, options, true);
}

} // namespace smtpprobe::episodes
