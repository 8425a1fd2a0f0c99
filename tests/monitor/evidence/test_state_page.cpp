// The fleet overview's read model (issue 20): the per-IP counts (state_ip) and the node's pairs
// (state_node) the fold keeps, and the pages of the state read from them, must say exactly
// what the full state query says, over random evidence streams with nodes, late evidence and
// evidence that names no IP, on both backends.
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/evidence/state_page.hpp"
#include "monitor/evidence/state_query.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <algorithm>
#include <cstdio>
#include <doctest/doctest.h>
#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace smtpprobe;
using smtpprobe::test::TempDir;

namespace {

void add(store::Database& db, const std::string& time, const std::string& ip,
         const std::string& scope, const std::string& verdict, const std::string& node)
{
    static std::int64_t source = 0;
    db.prepare("INSERT INTO evidence(time, ip, scope, verdict, reason, source_kind, source_id, "
               "node) VALUES (?, ?, ?, ?, ?, 'log', ?, ?)")
        .bind(1, time)
        .bind(2, ip)
        .bind(3, scope)
        .bind(4, verdict)
        .bind(5, verdict == "blocked" ? "blocked" : (verdict == "clear" ? "delivered" : ""))
        .bind(6, ++source)
        .bind_text_or_null(7, node)
        .run();
}

std::string t(int minute)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "2026-03-11T%02d:%02d:00Z", 10 + minute / 60, minute % 60);
    return buf;
}

using IpCounts = std::map<std::string, std::tuple<std::int64_t, std::int64_t, std::int64_t>>;

IpCounts state_ip_rows(store::Database& db)
{
    IpCounts out;
    store::Statement st(db, "SELECT ip, pairs, blocked, unknown FROM state_ip");
    while (st.step()) {
        out[st.column_text(0)] = {st.column_int(1), st.column_int(2), st.column_int(3)};
    }
    return out;
}

IpCounts recounted(store::Database& db)
{
    IpCounts out;
    store::Statement st(db, "SELECT ip, state FROM episode_state");
    while (st.step()) {
        auto& [pairs, blocked, unknown] = out[st.column_text(0)];
        ++pairs;
        blocked += st.column_text(1) == "blocked" ? 1 : 0;
        unknown += st.column_text(1) == "unknown" ? 1 : 0;
    }
    return out;
}

using NodeKeys = std::set<std::tuple<std::string, std::string, std::string>>;

NodeKeys state_node_rows(store::Database& db)
{
    NodeKeys out;
    store::Statement st(db, "SELECT node, ip, scope FROM state_node");
    while (st.step()) {
        out.emplace(st.column_text(0), st.column_text(1), st.column_text(2));
    }
    return out;
}

NodeKeys evidence_nodes(store::Database& db)
{
    NodeKeys out;
    store::Statement st(db, "SELECT node, ip, scope FROM evidence WHERE node IS NOT NULL");
    while (st.step()) {
        out.emplace(st.column_text(0), st.column_text(1), st.column_text(2));
    }
    return out;
}

// What a page shows of a pair: enough to tell two answers apart.
std::string key_of(const evidence::ScopeState& s)
{
    return s.ip + "|" + s.scope + "|" + std::string(evidence::name(s.state)) + "|" +
           s.since.value_or("-") + "|" + s.provider_code + "|" + s.meaning + "|" + s.action + "|" +
           std::to_string(s.episode ? s.episode->id : 0);
}

// Every page of request (limit IPs each, walking the offsets) against read_state's answer.
void check_pages(store::Database& db, const config::Config& config, const std::string& node,
                 const std::string& state, std::int64_t limit)
{
    CAPTURE(node);
    CAPTURE(state);
    CAPTURE(limit);
    evidence::StateFilter filter;
    filter.node = node;
    const evidence::StateSnapshot full = evidence::read_state(db, config, filter);

    std::vector<std::string> want;
    std::set<std::string> want_ips;
    std::int64_t blocked = 0;
    std::int64_t unknown = 0;
    std::set<std::string> all_ips;
    std::set<std::string> blocked_ips;
    for (const evidence::ScopeState& s : full.scopes) {
        all_ips.insert(s.ip);
        blocked += s.state == evidence::Verdict::blocked ? 1 : 0;
        unknown += s.state == evidence::Verdict::unknown ? 1 : 0;
        if (s.state == evidence::Verdict::blocked) {
            blocked_ips.insert(s.ip);
        }
        if (state.empty() || evidence::name(s.state) == state) {
            want.push_back(key_of(s));
            want_ips.insert(s.ip);
        }
    }

    std::vector<std::string> got;
    std::vector<std::string> got_ips;
    evidence::StatePageRequest request{node, state, 0, limit, 3};
    for (int pages = 0;; ++pages) {
        REQUIRE(pages <= static_cast<int>(all_ips.size()) + 1);
        const evidence::StatePage page = evidence::read_state_page(db, config, request);
        CHECK(page.counts.pairs == static_cast<std::int64_t>(full.scopes.size()));
        CHECK(page.counts.ips == static_cast<std::int64_t>(all_ips.size()));
        CHECK(page.counts.blocked == blocked);
        CHECK(page.counts.unknown == unknown);
        CHECK(page.counts.clear == page.counts.pairs - blocked - unknown);
        CHECK(page.counts.blocked_ips == static_cast<std::int64_t>(blocked_ips.size()));
        CHECK(page.ips_total == static_cast<std::int64_t>(want_ips.size()));
        CHECK(page.ips.size() <= static_cast<std::size_t>(limit));
        if (request.offset == 0) {
            // The newest blocked pairs: read_state's blocked ones by since, newest first (ties
            // by ip then scope), the first 3.
            std::vector<const evidence::ScopeState*> newest;
            for (const evidence::ScopeState& s : full.scopes) {
                if (s.state == evidence::Verdict::blocked) {
                    newest.push_back(&s);
                }
            }
            std::stable_sort(newest.begin(), newest.end(), [](const auto* a, const auto* b) {
                return a->since.value_or("") > b->since.value_or("");
            });
            newest.resize(std::min<std::size_t>(newest.size(), 3));
            std::vector<std::string> want_newest;
            for (const auto* s : newest) {
                want_newest.push_back(key_of(*s));
            }
            std::vector<std::string> got_newest;
            for (const evidence::ScopeState& s : page.newest_blocked.scopes) {
                got_newest.push_back(key_of(s));
            }
            CHECK(got_newest == want_newest);
        }
        for (const evidence::ScopeState& s : page.cells.scopes) {
            got.push_back(key_of(s));
        }
        got_ips.insert(got_ips.end(), page.ips.begin(), page.ips.end());
        if (page.ips.empty() || request.offset + limit >= page.ips_total) {
            break;
        }
        request.offset += limit;
    }
    CHECK(got == want);
    CHECK(std::is_sorted(got_ips.begin(), got_ips.end()));
    CHECK(std::set<std::string>(got_ips.begin(), got_ips.end()) == want_ips);
    CHECK(got_ips.size() == want_ips.size());
}

} // namespace

TEST_CASE("the fleet overview's counts and pages agree with the state query, on random streams")
{
    const unsigned seed = 20261206;
    MESSAGE("seed " << seed);
    std::mt19937 rng(seed);
    const std::vector<std::string> ips = {"192.0.2.1", "", "192.0.2.10", "2001:db8::1",
                                          "192.0.2.2"};
    const std::vector<std::string> scopes = {"microsoft-consumer/eur", "google", "yahoo",
                                             "dnsbl/zen.spamhaus.org"};
    const std::vector<std::string> verdicts = {"blocked", "blocked", "clear", "unknown"};
    const std::vector<std::string> nodes = {"mx1", "mx2", ""};
    for (int round = 0; round < 12; ++round) {
        CAPTURE(round);
        TempDir dir;
        store::Database db(smtpprobe::test::test_history(dir, "h.db"));
        config::Config config;
        if (round % 2 == 1) {
            config.identities.push_back(
                {"main", "192.0.2.1", "mx.example.org", "postmaster@example.org"});
        }
        const int batches = 1 + static_cast<int>(rng() % 5);
        for (int b = 0; b < batches; ++b) {
            const int count = static_cast<int>(rng() % 30);
            for (int i = 0; i < count; ++i) {
                // Mostly forward in time, sometimes late (a key refolded from the start).
                const int minute = (rng() % 5 == 0) ? static_cast<int>(rng() % 150)
                                                    : b * 30 + static_cast<int>(rng() % 30);
                add(db, t(minute), ips[rng() % ips.size()], scopes[rng() % scopes.size()],
                    verdicts[rng() % verdicts.size()], nodes[rng() % nodes.size()]);
            }
            episodes::update_episodes(db, config);
            CHECK(state_ip_rows(db) == recounted(db));
            CHECK(state_node_rows(db) == evidence_nodes(db));
        }
        for (const char* node : {"", "mx1", "mx2", "mx-none"}) {
            for (const char* state : {"", "blocked", "clear", "unknown"}) {
                check_pages(db, config, node, state, 1 + static_cast<std::int64_t>(rng() % 3));
            }
        }
        // Before a fold has counted the nodes' IPs (a history migrated to schema 020), a node's
        // view is read from its pairs: the same answer.
        db.exec("DELETE FROM monitor_cursor WHERE name = 'state_node_ip'");
        for (const char* node : {"mx1", "mx2"}) {
            for (const char* state : {"", "blocked"}) {
                check_pages(db, config, node, state, 2);
            }
        }
        add(db, t(299), "192.0.2.1", "google", "clear", "mx1");
        episodes::update_episodes(db, config); // counts them all again
        for (const char* node : {"mx1", "mx2"}) {
            check_pages(db, config, node, "", 2);
        }
        // A full rebuild recounts every IP.
        episodes::rebuild_episodes(
            db, episodes::BuildOptions{config.episodes, round % 2 == 1 ? "192.0.2.1" : ""});
        CHECK(state_ip_rows(db) == recounted(db));
    }
}
