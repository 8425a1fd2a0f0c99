// Incremental and full episode building over the store (see episode_builder.hpp).
#include "monitor/episodes/episode_builder.hpp"

#include "monitor/episodes/episode_fold.hpp"
#include "monitor/episodes/episode_rows.hpp"
#include "monitor/store/episode_fold_rows.hpp"
#include "monitor/store/evidence_rows.hpp"

#include <algorithm>
#include <map>

namespace smtpprobe::episodes {

namespace {

using store::Database;

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

EvidenceItem read_item(store::StoredEvidence&& row, const std::string& default_ip)
{
    EvidenceItem item;
    item.id = row.id;
    item.time = std::move(row.time);
    item.ip = row.ip.empty() ? default_ip : std::move(row.ip);
    item.scope = std::move(row.scope);
    item.verdict = evidence::parse_verdict(row.verdict).value_or(evidence::Verdict::unknown);
    item.reason = std::move(row.reason);
    item.provider_code = std::move(row.provider_code);
    item.observations = std::max<std::int64_t>(row.observations, 1);
    item.last_time = std::move(row.last_time);
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
    std::vector<EvidenceItem> items;
    store::read_evidence_of_key(db, ip, scope, default_ip, [&](store::StoredEvidence&& row) {
        items.push_back(read_item(std::move(row), default_ip));
    });
    return items;
}

BuildResult build(Database& db, const BuildOptions& options, bool force_full)
{
    store::Transaction tx(db);
    BuildResult result;
    std::int64_t want = fingerprint(options);
    std::optional<std::int64_t> have = store::read_monitor_cursor(db, k_fingerprint);
    std::int64_t cursor = store::read_monitor_cursor(db, k_cursor).value_or(0);
    if (force_full || !have || *have != want) {
        store::delete_all_episodes(db);
        cursor = 0;
        result.full_rebuild = true;
        store::write_monitor_cursor(db, k_fingerprint, want);
    }

    std::map<std::pair<std::string, std::string>, std::vector<EvidenceItem>> fresh;
    std::int64_t last_id = cursor;
    store::read_evidence_after(db, cursor, [&](store::StoredEvidence&& row) {
        EvidenceItem item = read_item(std::move(row), options.default_ip);
        last_id = std::max(last_id, item.id);
        fresh[{item.ip, item.scope}].push_back(std::move(item));
        ++result.evidence_folded;
    });

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
    store::write_monitor_cursor(db, k_cursor, last_id);
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
