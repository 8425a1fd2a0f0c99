// The ONE writer of evidence: every source (probe, log, bounce, DNSBL, note, reports) hands its
// policy decisions (policy.hpp) here; nothing else inserts into the evidence table.
//
// Rows are collected and written with multi-row INSERTs (store/evidence_rows.hpp) when the
// caller says so (write(), inside its transaction), so a source's rows and their evidence
// commit together or not at all (discard() after a rollback).
//
// Counted successes (schema 009): a log source writes one 'clear' row per success only when
// it changes the picture, and counts the others on it. A clear log item opens a new row when
//   - no row of that (IP, scope) is open in this batch (the first success of a transaction:
//     rows never grow across commits, so an episode fold that already read a row never misses
//     observations added to it later),
//   - any non-clear evidence of the same scope (any IP: "" maps onto an identity's IP in the
//     fold) came after the open row: the first success after a block always gets its own row,
//     at its own time, so episodes close exactly where they would with one row each,
//   - the item is in another UTC hour than the open row (a heartbeat: last_time stays in the
//     row's hour, which readers rely on), or earlier than its first item, or has another
//     reason, provider code, receiver or named IP.
// Every other item is written as it comes. Rows keep the order of the items that opened them,
// so ids follow the source and same-second items fold in the same order as one row each.
// Other sources never count: one source row, one evidence row (a source row that stands for
// several observations, a DMARC record, says how many).
//
// Limit: evidence of the scope from another source with a time inside a counted row's span
// (at most an hour, one transaction) folds after the whole row, not between its successes.
//
// Memory is bounded: after k_max_pending rows the writer writes itself out (closing its open
// rows, which only costs more rows). Rows name the source row they come from (the first one
// for a counted row).
#pragma once

#include "monitor/evidence/policy.hpp"
#include "monitor/store/evidence_rows.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smtpprobe::evidence {

class EvidenceWriter {
public:
    static constexpr std::size_t k_max_pending = 16384;

    // node: the node whose observations these are (monitor/run/node_name.hpp; stored with
    // every row, schema 018); "" when no node observed them (stored as NULL). unnamed_ip: the
    // sending IP of a decision that names none (a Postfix log line never does): the observing
    // node's single identity (Config::default_ip()), so that in a fleet each node's log
    // evidence is its own IP's, not one "this server" of every node; "" keeps it unattributed.
    EvidenceWriter(store::Database& db, std::string node, std::string unnamed_ip = {});

    // Records what decision says about source row source_id at time (ISO 8601 UTC,
    // "2026-01-31T00:00:02Z"); nothing when the decision recorded nothing. observations: how
    // many observations the one source row stands for (a DMARC record's message count).
    void record(std::string_view time, SourceKind source, std::int64_t source_id,
                const Decision& decision, std::int64_t observations = 1);
    // Writes every pending row (the open rows close). Call inside the caller's transaction.
    void write();
    // Forgets pending rows (their transaction rolled back).
    void discard();
    std::size_t pending() const { return m_count; }

private:
    struct Row {
        std::string time;
        std::string ip;
        std::string scope;
        Verdict verdict = Verdict::unknown;
        std::string reason;
        std::string provider_code;
        SourceKind source = SourceKind::probe;
        std::int64_t source_id = 0;
        std::int64_t observations = 1;
        std::string last_time; // "" while the row stands for one item
        std::string receiver;
        std::string named_ip;
        OutcomeClass outcome = OutcomeClass::unclassified;
    };
    struct OpenRow {
        std::string ip;
        std::size_t index = 0; // into m_rows
    };
    Row& push(std::string_view time, SourceKind source, std::int64_t source_id,
              const Decision& decision);
    bool counts_on(const Row& row, std::string_view time, const Decision& decision) const;

    store::EvidenceRows m_out;
    std::string m_unnamed_ip;
    std::vector<Row> m_rows; // m_rows[0, m_count) are pending; the rest keep their capacity
    std::size_t m_count = 0;
    // Open clear log rows per scope (few IPs per scope: a linear look-up).
    std::unordered_map<std::string, std::vector<OpenRow>> m_open;
    std::string m_key; // reused look-up key
};

} // namespace smtpprobe::evidence
