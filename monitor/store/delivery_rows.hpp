// The SQL of log ingestion's rows (schema 001, 003, 009): delivery rows, written one at a time
// (INSERT OR IGNORE: a known source key adds nothing) or, when the caller knows they are new,
// with ids it assigns in multi-row INSERTs (row_batch.hpp), and backscatter findings.
// monitor/ingest/ingest_store.hpp decides which path a row takes; this file only writes.
//
// Contract: views borrow the caller's text, which must stay valid until the call returns
// (add_batched() copies it). Empty optional text is stored as NULL.
#pragma once

#include "monitor/store/database.hpp"
#include "monitor/store/row_batch.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::store {

// One delivery row. Optional texts: "" = NULL; numbers below their bound = NULL.
struct DeliveryRowView {
    std::string_view time;
    std::string_view mta;
    std::string_view host;
    std::string_view queue_id;
    std::optional<std::string_view> sender; // nullopt = NULL ("" is stored as "")
    std::string_view recipient;
    std::string_view orig_recipient;
    std::string_view relay_host;
    std::string_view relay_ip;
    int relay_port = 0; // <= 0: NULL
    double delay = -1;  // < 0: NULL
    std::string_view dsn;
    std::string_view status;
    std::string_view reply;
    std::string_view provider;
    std::string_view scope;
    std::string_view reason;
    std::string_view provider_code;
    std::string_view about;
    std::int64_t size = -1; // < 0: NULL
    std::string_view source_key;
    bool reply_truncated = false;
};

// One backscatter (or other) finding of a log line.
struct LogFindingView {
    std::string_view time;
    std::string_view kind;
    std::string_view host;
    std::string_view queue_id;
    std::string_view detail;
    std::string_view source_key;
};

// Statements prepared once for a whole ingest (the caller's transactions around them). Every
// delivery and finding written names node, the node that read the log (schema 018).
class DeliveryRows {
public:
    DeliveryRows(Database& db, std::string node);

    // Inserts the row unless its source key is stored; the new row's id, else nullopt.
    std::optional<std::int64_t> insert(const DeliveryRowView& row);
    // Queues a row with an id of the caller's (see next_delivery_id()); a queued row the
    // database ignores throws StoreError when written.
    void add_batched(std::int64_t id, const DeliveryRowView& row);
    // Writes every queued row.
    void write_batched() { m_batch.write(); }
    // The highest stored source key in (low, high), if any.
    std::optional<std::string> max_source_key(std::string_view low, std::string_view high);
    // The next free delivery id (queued rows must be written first).
    std::int64_t next_delivery_id();
    // Inserts the finding unless its source key is stored; whether it was new.
    bool insert_finding(const LogFindingView& finding);

private:
    Database& m_db;
    std::string m_node;
    Statement m_insert;
    Statement m_insert_finding;
    Statement m_max_key;
    Statement m_max_id;
    RowBatch m_batch;
};

} // namespace smtpprobe::store
