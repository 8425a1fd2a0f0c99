// SQLite writes of log ingestion (see ingest_store.hpp).
#include "monitor/ingest/ingest_store.hpp"

#include "monitor/ingest/log_time.hpp"

#include <algorithm>
#include <ctime>

namespace smtpprobe::ingest {

namespace {

// WAL size at which a commit folds it back into the database.
constexpr std::int64_t k_wal_bytes = 64 * 1024 * 1024;

// Empty optional text is stored as NULL.
std::optional<std::string_view> text_or_null(std::string_view text)
{
    if (text.empty()) {
        return std::nullopt;
    }
    return text;
}

// Borrowed text (valid until the statement runs), empty as NULL: no copy per column.
void bind_text(store::Statement& statement, int index, std::string_view text)
{
    if (text.empty()) {
        statement.bind(index, nullptr);
    } else {
        statement.bind_borrowed(index, text);
    }
}

} // namespace

IngestStore::IngestStore(store::Database& db, bool fresh_path)
    : m_db(db),
      m_insert_delivery(db, "INSERT OR IGNORE INTO delivery (time, mta, host, queue_id, sender, "
                            "recipient, orig_recipient, relay_host, relay_ip, relay_port, delay, "
                            "dsn, status, reply, provider, scope, reason, provider_code, about, "
                            "size, source_key, reply_truncated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                            "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
                            "?21, ?22)"),
      m_insert_finding(db, "INSERT OR IGNORE INTO finding (time, kind, host, queue_id, detail, "
                           "source_kind, source_key) VALUES (?1, ?2, ?3, ?4, ?5, 'log', ?6)"),
      m_put_message(db, "INSERT OR REPLACE INTO ingest_message (host, queue_id, sender, size, "
                        "time, recipients_left) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
      m_count_message(db, "UPDATE ingest_message SET recipients_left = ?3 WHERE host = ?1 AND "
                          "queue_id = ?2"),
      m_delete_message(db, "DELETE FROM ingest_message WHERE host = ?1 AND queue_id = ?2"),
      m_find_message(db, "SELECT sender, size, recipients_left FROM ingest_message WHERE "
                         "host = ?1 AND queue_id = ?2"),
      m_max_key(db, "SELECT max(source_key) FROM delivery WHERE source_key > ?1 AND "
                    "source_key < ?2"),
      m_max_delivery_id(db, "SELECT max(id) FROM delivery"),
      m_delivery_rows(db,
                      "INSERT OR IGNORE INTO delivery (id, time, mta, host, queue_id, sender, "
                      "recipient, orig_recipient, relay_host, relay_ip, relay_port, delay, dsn, "
                      "status, reply, provider, scope, reason, provider_code, about, size, "
                      "source_key, reply_truncated)",
                      23, true),
      m_evidence(db), m_fresh_path(fresh_path)
{
    // A bigger page cache and fewer checkpoints for bulk inserts (bounded: 32 MB, WAL up to
    // ~64 MB before it is folded back).
    m_db.tune_for_bulk_writes(32768, k_wal_bytes);
    store::Statement any(db, "SELECT EXISTS (SELECT 1 FROM ingest_message)");
    m_db_may_have = any.step() && any.column_int(0) != 0;
}

IngestStore::~IngestStore() = default; // an open batch rolls back, pending rows are dropped

void IngestStore::begin()
{
    if (!m_transaction) {
        m_transaction.emplace(m_db);
        m_evidence.discard(); // left over from a batch that failed before its commit
        // Another writer may have added rows since the last transaction.
        m_fresh_known = false;
        m_next_id = 0;
    }
}

void IngestStore::commit()
{
    write_rows();
    m_evidence.write();
    flush_messages();
    if (m_transaction) {
        m_transaction->commit();
        m_transaction.reset();
    }
    m_fresh_known = false;
    m_next_id = 0;
}

void IngestStore::write_rows()
{
    // Evidence waits for the commit (the writer counts successes until then); no constraint
    // ties it to the delivery rows.
    m_delivery_rows.write();
}

bool IngestStore::fresh(std::string_view source_key)
{
    std::size_t colon = source_key.rfind(':');
    if (colon == std::string_view::npos || !m_transaction || !m_fresh_path) {
        return false;
    }
    std::string_view prefix = source_key.substr(0, colon + 1);
    if (!m_fresh_known || prefix != m_fresh_prefix) {
        // The highest stored key of this file: every key above it is not stored. Asked under
        // the write lock (BEGIN IMMEDIATE), so it holds until commit.
        write_rows();
        m_fresh_prefix.assign(prefix);
        std::string end(prefix);
        end.back() = ':' + 1;
        m_max_key.bind(1, prefix);
        m_max_key.bind(2, end);
        m_fresh_floor =
            m_max_key.step() && !m_max_key.is_null(0) ? m_max_key.column_text(0) : m_fresh_prefix;
        m_max_key.reset();
        m_fresh_known = true;
    }
    if (source_key <= std::string_view(m_fresh_floor)) {
        return false;
    }
    m_fresh_floor.assign(source_key);
    return true;
}

bool IngestStore::add_delivery(const LogRecord& record, std::string_view source_key,
                               const QueuedMessage* message, const classify::Result& result,
                               const evidence::Decision& decision)
{
    char time[24];
    std::string_view time_text(time, format_utc(record.time, time));
    if (fresh(source_key)) {
        add_fresh_delivery(record, time_text, source_key, message, result, decision);
        return true;
    }
    // Checked path: pending fresh rows go first (the OR IGNORE must see them, ids stay in
    // order), and the next fresh row asks for the highest id again.
    write_rows();
    m_next_id = 0;
    auto& s = m_insert_delivery;
    s.bind_borrowed(1, time_text);
    s.bind_borrowed(2, mta_name(record.mta));
    bind_text(s, 3, record.host);
    bind_text(s, 4, record.queue_id);
    if (message != nullptr) {
        s.bind_borrowed(5, message->sender);
    } else {
        s.bind(5, nullptr);
    }
    s.bind_borrowed(6, record.recipient);
    bind_text(s, 7, record.orig_recipient);
    bind_text(s, 8, record.relay_host);
    bind_text(s, 9, record.relay_ip);
    if (record.relay_port > 0) {
        s.bind(10, record.relay_port);
    } else {
        s.bind(10, nullptr);
    }
    if (record.delay >= 0) {
        s.bind(11, record.delay);
    } else {
        s.bind(11, nullptr);
    }
    bind_text(s, 12, record.dsn);
    s.bind_borrowed(13, record.status);
    bind_text(s, 14, record.reply);
    bind_text(s, 15, result.provider);
    bind_text(s, 16, result.scope);
    bind_text(s, 17, result.reason);
    bind_text(s, 18, result.provider_code);
    bind_text(s, 19, result.about);
    if (message != nullptr && message->size >= 0) {
        s.bind(20, static_cast<std::int64_t>(message->size));
    } else {
        s.bind(20, nullptr);
    }
    s.bind_borrowed(21, source_key);
    s.bind(22, record.reply_truncated ? 1 : 0);
    s.run();
    if (m_db.changes() == 0) {
        return false;
    }
    m_evidence.record(time_text, evidence::SourceKind::log, m_db.last_insert_id(), decision);
    if (!m_transaction) {
        m_evidence.write(); // no batch to wait for: each statement commits on its own
    }
    return true;
}

void IngestStore::add_fresh_delivery(const LogRecord& record, std::string_view time,
                                     std::string_view source_key, const QueuedMessage* message,
                                     const classify::Result& result,
                                     const evidence::Decision& decision)
{
    if (m_next_id == 0) {
        write_rows();
        m_next_id = m_max_delivery_id.step() ? m_max_delivery_id.column_int(0) + 1 : 1;
        m_max_delivery_id.reset();
    }
    std::int64_t id = m_next_id++;
    auto& d = m_delivery_rows;
    // Empty optional text is NULL, as on the checked path.
    auto text = [&d](std::string_view value) {
        if (value.empty()) {
            d.add_null();
        } else {
            d.add_text(value);
        }
    };
    d.add_int(id);
    d.add_text(time);
    d.add_text(mta_name(record.mta));
    text(record.host);
    text(record.queue_id);
    if (message != nullptr) {
        d.add_text(message->sender);
    } else {
        d.add_null();
    }
    d.add_text(record.recipient);
    text(record.orig_recipient);
    text(record.relay_host);
    text(record.relay_ip);
    if (record.relay_port > 0) {
        d.add_int(record.relay_port);
    } else {
        d.add_null();
    }
    if (record.delay >= 0) {
        d.add_real(record.delay);
    } else {
        d.add_null();
    }
    text(record.dsn);
    d.add_text(record.status);
    text(record.reply);
    text(result.provider);
    text(result.scope);
    text(result.reason);
    text(result.provider_code);
    text(result.about);
    if (message != nullptr && message->size >= 0) {
        d.add_int(message->size);
    } else {
        d.add_null();
    }
    d.add_text(source_key);
    d.add_int(record.reply_truncated ? 1 : 0);
    m_evidence.record(time, evidence::SourceKind::log, id, decision);
}

bool IngestStore::add_finding(const LogRecord& record, std::string_view kind,
                              std::string_view source_key)
{
    char time[24];
    auto& s = m_insert_finding;
    s.bind(1, std::string_view(time, format_utc(record.time, time)));
    s.bind(2, kind);
    s.bind(3, text_or_null(record.host));
    s.bind(4, text_or_null(record.queue_id));
    s.bind(5, text_or_null(record.detail));
    s.bind(6, source_key);
    s.run();
    return m_db.changes() > 0;
}

std::optional<FileCursor> IngestStore::cursor(const std::string& path)
{
    store::Statement query(m_db, "SELECT identity, offset, checksum, content_id FROM "
                                 "ingest_cursor WHERE path = ?1");
    query.bind(1, path);
    if (!query.step()) {
        return std::nullopt;
    }
    FileCursor out;
    out.path = path;
    out.identity = query.column_text(0);
    out.offset = static_cast<std::uint64_t>(query.column_int(1));
    out.checksum = query.column_text(2);
    out.content_id = query.column_text(3);
    return out;
}

void IngestStore::save_cursor(const FileCursor& cursor)
{
    store::Statement save(m_db, "INSERT INTO ingest_cursor (path, identity, offset, checksum, "
                                "updated_at, content_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                                "ON CONFLICT(path) DO UPDATE SET identity = excluded.identity, "
                                "offset = excluded.offset, checksum = excluded.checksum, "
                                "updated_at = excluded.updated_at, content_id = "
                                "excluded.content_id");
    save.bind(1, cursor.path);
    save.bind(2, cursor.identity);
    save.bind(3, static_cast<std::int64_t>(cursor.offset));
    save.bind(4, cursor.checksum);
    save.bind(5, format_utc(static_cast<std::int64_t>(std::time(nullptr))));
    save.bind(6, cursor.content_id);
    save.run();
}

} // namespace smtpprobe::ingest
