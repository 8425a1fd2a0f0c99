// What log ingestion writes to the history, all through prepared statements with bound
// values: delivery rows (+ their evidence), backscatter findings, the sender/size join of
// queued messages, and the per-file cursor. Writes happen in batches: begin() opens a
// transaction, commit() ends it; rows and the cursor always commit together, so a kill at any
// moment loses only an uncommitted batch, which the next run reads again.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/log_record.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smtpprobe::ingest {

struct FileCursor {
    std::string path;
    std::string identity;   // device:inode
    std::string content_id; // checksum of the first line
    std::uint64_t offset = 0;
    std::string checksum; // of the line that ends at offset
};

struct QueuedMessage {
    std::string sender;
    std::int64_t size = -1;
};

class IngestStore {
public:
    explicit IngestStore(store::Database& db);
    ~IngestStore();

    void begin();
    // Writes pending queued-message changes, then commits.
    void commit();
    bool in_transaction() const { return m_transaction.has_value(); }

    // Inserts the delivery unless its source_key is known; with a new row, also its evidence
    // (when evidence_scope is not empty). Returns whether the row is new.
    bool add_delivery(const LogRecord& record, std::string_view source_key,
                      const QueuedMessage* message, const classify::Result& result,
                      std::string_view evidence_scope, std::string_view verdict);
    bool add_finding(const LogRecord& record, std::string_view kind, std::string_view source_key);

    // The sender join, keyed by (host, queue id).
    void put_message(const LogRecord& record);
    void remove_message(const LogRecord& record);
    const QueuedMessage* find_message(const LogRecord& record);
    // Forgets joins older than keep_seconds before newest (sendmail never logs "removed").
    void prune_messages(std::int64_t newest, std::int64_t keep_seconds);

    std::optional<FileCursor> cursor(const std::string& path);
    void save_cursor(const FileCursor& cursor);

private:
    struct Cached {
        QueuedMessage message;
        std::int64_t time = 0; // of the from= line
        bool dirty = false;
        bool persisted = false; // written by a flush or read from the database
    };
    void flush_messages();
    const std::string& message_key(const LogRecord& record);

    store::Database& m_db;
    std::optional<store::Transaction> m_transaction;
    store::Statement m_insert_delivery;
    store::Statement m_insert_evidence;
    store::Statement m_insert_finding;
    store::Statement m_put_message;
    store::Statement m_delete_message;
    store::Statement m_find_message;
    std::unordered_map<std::string, Cached> m_messages;
    std::vector<std::string> m_dirty;
    std::string m_key;         // reused lookup key
    bool m_db_may_have = true; // older joins may be in the table, not in the cache
    QueuedMessage m_found;     // a database hit when the cache is full
};

} // namespace smtpprobe::ingest
