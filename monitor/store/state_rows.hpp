// The SQL behind the read-only state query (monitor/evidence/state_query.hpp): the folded
// state per (sending IP, scope), its open episode, the evidence that explains it, and how far
// the fold has read. Reads only; safe on a read-only connection.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace smtpprobe::store {

// One row of episode_state with its open episode and the newest blocked evidence of the key.
struct StateRow {
    std::string ip;
    std::string scope;
    std::string state; // blocked | clear | unknown
    std::optional<std::string> since;
    std::string last_time; // the latest observation folded
    std::int64_t last_id = 0;
    std::string last_verdict;
    std::string provider_code; // of the last item that agreed with the state
    std::string reason;
    // The open episode (state blocked).
    std::optional<std::int64_t> episode_id;
    std::optional<std::string> episode_opened;
    std::string episode_codes; // JSON array
    std::int64_t episode_evidence = 0;
    std::string episode_reason;
    // The newest blocked evidence of the key (0: none): what the action is read from.
    std::int64_t last_blocked_evidence = 0;
    std::string last_blocked_receiver; // its receiver column (a list's scope: who named it)
};

// Which folded pairs read_state_rows reads (every one by default).
struct StateRowFilter {
    std::string state;            // "" = every state; else blocked | clear | unknown
    std::vector<std::string> ips; // empty = every IP; else only these (a page of a fleet)
    std::string node;             // "" = every node; else the pairs it observed (state_node)
    // >= 0: only the newest this many by since (the open episode's opening when unknown),
    // newest first, ties by ip then scope; -1: every row, ordered by ip then scope.
    std::int64_t newest = -1;
};

// The folded (ip, scope) pairs the filter keeps, ordered by ip then scope (or newest first,
// see StateRowFilter::newest). default_ip: the IP unattributed evidence belongs to (it joins
// the newest blocked evidence of ip "" to that key, and a node's evidence of ip "" to it).
std::vector<StateRow> read_state_rows(Database& db, const std::string& default_ip,
                                      const StateRowFilter& filter = {});

// The (ip, scope) keys with folded evidence observed by node (state_node, schema 020; ip ""
// read as default_ip, as the fold keys it), in no particular order; empty for a node that
// observed nothing.
std::vector<std::pair<std::string, std::string>>
read_node_keys(Database& db, const std::string& node, const std::string& default_ip);

// How many evidence rows the last fold has not read yet (0 when it is up to date).
std::int64_t unfolded_evidence(Database& db);

// The reply behind one piece of evidence (a probe's decisive reply, a log line's dsn and
// reply, a bounce's diagnostic) as the classifier reads it.
struct EvidenceReply {
    std::optional<int> code;
    std::string enhanced;
    std::string text;
    std::string host;
};

// What explains a blocking evidence row: an SNDS block's range reason, or the reply of its
// probe, log line or bounce (none for other sources, or when the source row is gone). Read for
// many rows at once, one statement per 500 (the state query reads it for every blocked pair:
// one statement each cost a round trip each on PostgreSQL). Rows not found are not in the map.
struct BlockingSource {
    std::optional<std::string> snds_reason; // an SNDS block: its range's reason
    std::optional<EvidenceReply> reply;     // a probe, log line or bounce: its reply
};
std::unordered_map<std::int64_t, BlockingSource>
read_blocking_sources(Database& db, const std::vector<std::int64_t>& evidence_ids);

} // namespace smtpprobe::store
