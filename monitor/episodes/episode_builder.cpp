// Incremental and full episode building over the store (see episode_builder.hpp).
#include "monitor/episodes/episode_builder.hpp"

#include "monitor/episodes/episode_fold.hpp"
#include "monitor/episodes/episode_rows.hpp"
#include "monitor/evidence/policy.hpp"
#include "monitor/store/episode_fold_rows.hpp"
#include "monitor/store/evidence_rows.hpp"
#include "monitor/store/node_rows.hpp"
#include "monitor/store/state_counts.hpp"
#include "monitor/store/state_rows.hpp"

#include <algorithm>
#include <optional>
#include <vector>

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

// Folds the evidence of one key with id > after_id (every row of the key when 0), in fold
// order, one row at a time, into state, and saves the episodes it ends as it goes (a key with
// thousands of blocks never holds them all).
void fold_key(Database& db, KeyState& state, std::int64_t after_id, const BuildOptions& options)
{
    constexpr std::size_t k_save_every = 256;
    std::vector<Episode> finished;
    auto save_finished = [&] {
        for (Episode& episode : finished) {
            save_episode(db, episode);
        }
        finished.clear();
    };
    store::read_evidence_of_key(
        db, state.ip, state.scope, options.default_ip, after_id, [&](store::StoredEvidence&& row) {
            fold(state, read_item(std::move(row), options.default_ip), options.settings, finished);
            if (finished.size() >= k_save_every) {
                save_finished();
            }
        });
    save_finished();
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

    // Key by key, each key's new evidence streamed in fold order: memory stays bounded by
    // the number of keys, however much evidence one ingest added.
    const store::FreshKeys fresh = store::read_fresh_keys(db, cursor, options.default_ip);
    const std::int64_t last_id = std::max(cursor, fresh.max_id);
    for (const store::FreshKey& key : fresh.keys) {
        result.evidence_folded += key.rows;
        KeyState state;
        bool known = load_state(db, key.ip, key.scope, state);
        if (!known) {
            state.ip = key.ip;
            state.scope = key.scope;
        }
        std::int64_t from = cursor;
        if (known) {
            std::optional<EvidenceItem> first;
            store::read_evidence_of_key(
                db, key.ip, key.scope, options.default_ip, cursor,
                [&](store::StoredEvidence&& row) {
                    first = read_item(std::move(row), options.default_ip);
                },
                1);
            if (first && !state.is_after(*first)) {
                // Late evidence: refold this key from all of its evidence.
                delete_key(db, key.ip, key.scope);
                state = KeyState{};
                state.ip = key.ip;
                state.scope = key.scope;
                from = 0;
                ++result.keys_rebuilt;
            }
        }
        fold_key(db, state, from, options);
        if (state.open) {
            save_episode(db, *state.open);
        }
        save_state(db, state);
    }
    // Which node observed what was read (the fleet overview's `?node=` joins it), and the
    // per-IP counts of the pairs just written (its counts and pages of IPs read them).
    store::record_state_nodes(db, cursor, last_id);
    if (result.full_rebuild) {
        store::recount_all_state_ips(db);
        store::recount_all_node_ips(db, options.default_ip);
    } else {
        std::vector<std::string> ips;
        for (const store::FreshKey& key : fresh.keys) {
            if (ips.empty() || ips.back() != key.ip) {
                ips.push_back(key.ip);
            }
        }
        store::recount_state_ips(db, ips);
        store::recount_node_ips(db, options.default_ip, ips);
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
    return build(
        db,
        {config.episodes, evidence::unattributed_ip(config, store::count_observing_nodes(db) > 1)},
        false);
}

BuildResult rebuild_episodes(Database& db, const BuildOptions& options)
{
    return build(db, options, true);
}

} // namespace smtpprobe::episodes
