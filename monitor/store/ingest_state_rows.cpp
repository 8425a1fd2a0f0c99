// Log ingestion's join and cursor SQL (see ingest_state_rows.hpp).
#include "monitor/store/ingest_state_rows.hpp"

namespace smtpprobe::store {

QueuedMessageRows::QueuedMessageRows(Database& db)
    : m_put(db, "INSERT INTO ingest_message (host, queue_id, sender, size, time, "
                "recipients_left) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(host, queue_id) "
                "DO UPDATE SET sender = excluded.sender, size = excluded.size, "
                "time = excluded.time, recipients_left = excluded.recipients_left"),
      m_count(db, "UPDATE ingest_message SET recipients_left = ?3 WHERE host = ?1 AND "
                  "queue_id = ?2"),
      m_delete(db, "DELETE FROM ingest_message WHERE host = ?1 AND queue_id = ?2"),
      m_find(db, "SELECT sender, size, recipients_left FROM ingest_message WHERE "
                 "host = ?1 AND queue_id = ?2")
{
}

void QueuedMessageRows::put(std::string_view host, std::string_view queue_id,
                            std::string_view sender, std::int64_t size, std::string_view time,
                            std::int64_t recipients_left)
{
    m_put.bind_borrowed(1, host);
    m_put.bind_borrowed(2, queue_id);
    m_put.bind_borrowed(3, sender);
    if (size >= 0) {
        m_put.bind(4, size);
    } else {
        m_put.bind(4, nullptr);
    }
    m_put.bind_borrowed(5, time);
    if (recipients_left >= 0) {
        m_put.bind(6, recipients_left);
    } else {
        m_put.bind(6, nullptr);
    }
    m_put.run();
}

void QueuedMessageRows::set_recipients_left(std::string_view host, std::string_view queue_id,
                                            std::int64_t recipients_left)
{
    m_count.bind(1, host);
    m_count.bind(2, queue_id);
    m_count.bind(3, recipients_left);
    m_count.run();
}

void QueuedMessageRows::remove(std::string_view host, std::string_view queue_id)
{
    m_delete.bind(1, host);
    m_delete.bind(2, queue_id);
    m_delete.run();
}

std::optional<QueuedMessageRow> QueuedMessageRows::find(std::string_view host,
                                                        std::string_view queue_id)
{
    m_find.bind(1, host);
    m_find.bind(2, queue_id);
    std::optional<QueuedMessageRow> out;
    if (m_find.step()) {
        QueuedMessageRow row;
        row.sender = m_find.column_text(0);
        row.size = m_find.is_null(1) ? -1 : m_find.column_int(1);
        row.recipients_left = m_find.is_null(2) ? -1 : m_find.column_int(2);
        out = std::move(row);
    }
    m_find.reset();
    return out;
}

bool any_queued_message(Database& db)
{
    Statement any(db, "SELECT EXISTS (SELECT 1 FROM ingest_message)");
    return any.step() && any.column_int(0) != 0;
}

void prune_queued_messages(Database& db, const std::string& time)
{
    Statement prune(db, "DELETE FROM ingest_message WHERE time < ?1");
    prune.bind(1, time);
    prune.run();
}

std::optional<IngestCursorRow> read_ingest_cursor(Database& db, const std::string& path)
{
    Statement query(db, "SELECT identity, offset, checksum, content_id FROM "
                        "ingest_cursor WHERE path = ?1");
    query.bind(1, path);
    if (!query.step()) {
        return std::nullopt;
    }
    IngestCursorRow out;
    out.path = path;
    out.identity = query.column_text(0);
    out.offset = query.column_int(1);
    out.checksum = query.column_text(2);
    out.content_id = query.column_text(3);
    return out;
}

void write_ingest_cursor(Database& db, const IngestCursorRow& row)
{
    Statement save(db, "INSERT INTO ingest_cursor (path, identity, offset, checksum, "
                       "updated_at, content_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                       "ON CONFLICT(path) DO UPDATE SET identity = excluded.identity, "
                       "offset = excluded.offset, checksum = excluded.checksum, "
                       "updated_at = excluded.updated_at, content_id = excluded.content_id");
    save.bind(1, row.path);
    save.bind(2, row.identity);
    save.bind(3, row.offset);
    save.bind(4, row.checksum);
    save.bind(5, row.updated_at);
    save.bind(6, row.content_id);
    save.run();
}

} // namespace smtpprobe::store
