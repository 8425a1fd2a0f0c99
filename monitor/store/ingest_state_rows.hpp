// The SQL of log ingestion's own state (schema 001, 003, 012, 018): the sender/size join of
// queued messages (ingest_message, keyed by node, host and queue id) and the per-node, per-file
// read cursor (ingest_cursor). monitor/ingest/ingest_store.hpp decides what is cached and when it
// is written; this file only reads and writes rows.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::store {

// One queued message of the join. Numbers below zero are NULL.
struct QueuedMessageRow {
    std::string sender;
    std::int64_t size = -1;
    std::int64_t recipients_left = -1;
};

// The join's statements of one node, prepared once for a whole ingest. Text is bound without a
// copy. The node's own rows are written; find() reads the node's row, else the row of node ''
// (written before fleets, schema 018), which set_recipients_left() and remove() also reach.
class QueuedMessageRows {
public:
    QueuedMessageRows(Database& db, std::string node);

    // Inserts or replaces the join of (host, queue_id); time is ISO 8601 UTC.
    void put(std::string_view host, std::string_view queue_id, std::string_view sender,
             std::int64_t size, std::string_view time, std::int64_t recipients_left);
    void set_recipients_left(std::string_view host, std::string_view queue_id,
                             std::int64_t recipients_left);
    void remove(std::string_view host, std::string_view queue_id);
    std::optional<QueuedMessageRow> find(std::string_view host, std::string_view queue_id);

private:
    std::string m_node;
    Statement m_put;
    Statement m_count;
    Statement m_delete;
    Statement m_find;
};

// Whether the join holds any row (a cache may then miss what the table has).
bool any_queued_message(Database& db);
// Forgets joins written before `time` (ISO 8601 UTC).
void prune_queued_messages(Database& db, const std::string& time);

// How far one log file has been read by one node.
struct IngestCursorRow {
    std::string node; // '' = written before fleets (schema 018)
    std::string path;
    std::string identity; // device:inode
    std::int64_t offset = 0;
    std::string checksum;   // of the line that ends at offset
    std::string updated_at; // ISO 8601 UTC (written; read only by the listings)
    std::string content_id; // checksum of the first line
};
// The cursor of (node, path); when the node has none, the path's cursor of node '' (written
// before fleets; row.node tells which was read).
std::optional<IngestCursorRow> read_ingest_cursor(Database& db, const std::string& node,
                                                  const std::string& path);
// Inserts or updates the cursor of (row.node, row.path), and deletes the path's cursor of node
// '': the first node to save a cursor of the path takes the pre-fleet cursor over, so no other
// node continues from it (schema 018).
void write_ingest_cursor(Database& db, const IngestCursorRow& row);

} // namespace smtpprobe::store
