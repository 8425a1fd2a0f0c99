// The evidence rows of log ingestion, collected per transaction and written with multi-row
// INSERTs (store/row_batch.hpp), with consecutive successes counted on one 'clear' row
// (schema 009_evidence_aggregates.sql) instead of one row each.
//
// A clear item opens a new row when it changes the picture and is counted on the open row of
// its (sending IP, scope) otherwise. It opens a row when
//   - no row of that (IP, scope) is open in this batch (the first success of a transaction:
//     rows never grow across commits, so an episode builder that already folded a row never
//     misses observations added to it later),
//   - blocked or unknown evidence of the same scope (any IP: "" maps onto an identity's IP in
//     the episode builder) came after the open row: the first success after a block always
//     gets its own row, at its own time, so episodes close exactly where they did,
//   - the item is in another UTC hour than the open row (a heartbeat: the timeline shows
//     successes hour by hour, and last_time stays in the row's hour, which readers rely on),
//     or earlier than its first item, or has another reason or provider code.
// Every other item is written as it comes. Rows keep the order of the items that opened them,
// so ids follow the log and same-second items fold in the same order as one row each did.
//
// Limit: evidence of the scope from another source (a probe, a bounce) with a time inside a
// counted row's span (at most an hour, one transaction) folds after the whole row, not between
// its successes: a block such evidence opens then closes at the next clear row of the scope
// instead of at the first success after it. Evidence of the log itself keeps its order exactly.
//
// Contract: the caller owns the transaction and calls write() before it commits, so a row and
// the deliveries it counts commit together (or roll back together: discard()). Rows name their
// first delivery (source_kind 'log', source_id). Memory is bounded: after k_max_pending rows
// the batch writes itself out (closing its open rows, which only costs more rows).
#pragma once

#include "monitor/store/database.hpp"
#include "monitor/store/row_batch.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smtpprobe::ingest {

class EvidenceBatch {
public:
    static constexpr std::size_t k_max_pending = 16384;

    explicit EvidenceBatch(store::Database& db);

    // One evidence item of the delivery with id source_id. time is ISO 8601 UTC
    // ("2026-01-31T00:00:02Z"); verdict blocked | clear | unknown; empty reason/code are NULL.
    void add(std::string_view time, std::string_view ip, std::string_view scope,
             std::string_view verdict, std::string_view reason, std::string_view provider_code,
             std::int64_t source_id);
    // Writes every pending row (the open rows close).
    void write();
    // Forgets pending rows (their transaction rolled back).
    void discard();
    std::size_t pending() const { return m_count; }

private:
    struct Row {
        std::string time;
        std::string ip;
        std::string scope;
        std::string verdict;
        std::string reason;
        std::string provider_code;
        std::string last_time; // "" while the row stands for one item
        std::int64_t source_id = 0;
        std::int64_t observations = 1;
    };
    struct OpenRow {
        std::string ip;
        std::size_t index = 0; // into m_rows
    };
    Row& push(std::string_view time, std::string_view ip, std::string_view scope,
              std::string_view verdict, std::string_view reason, std::string_view provider_code,
              std::int64_t source_id);

    store::RowBatch m_rows_out;
    std::vector<Row> m_rows; // m_rows[0, m_count) are pending; the rest keep their capacity
    std::size_t m_count = 0;
    // Open clear rows per scope (few IPs per scope: a linear look-up).
    std::unordered_map<std::string, std::vector<OpenRow>> m_open;
    std::string m_key; // reused look-up key
};

} // namespace smtpprobe::ingest
