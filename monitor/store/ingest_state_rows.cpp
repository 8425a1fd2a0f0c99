// Log ingestion's join and cursor SQL (see ingest_state_rows.hpp).
#include "monitor/store/ingest_state_rows.hpp"

namespace smtpprobe::store {

// A join of node '' (before fleets) is read, counted and removed like the node's own: it is
// the message this node queued before the upgrade.
QueuedMessageRows::QueuedMessageRows(Database& db, std::string node)
    : m_node(std::move(node)),
      m_put(db, "INSERT INTO ingest_message (node, host, queue_id, sender, size, time, "
                "recipients_left) VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6) "
                "ON CONFLICT(node, host, queue_id) DO UPDATE SET sender = excluded.sender, "
                "size = excluded.size, time = excluded.time, "
                "recipients_left = excluded.recipients_left"),
      m_count(db, "UPDATE ingest_message SET recipients_left = ?3 WHERE node IN (?4, '') AND "
                  "host = ?1 AND queue_id = ?2"),
      m_delete(db, "DELETE FROM ingest_message WHERE node IN (?3, '') AND host = ?1 AND "
                   "queue_id = ?2"),
      m_find(db, "SELECT sender, size, recipients_left FROM ingest_message WHERE "
                 "node IN (?3, '') AND host = ?1 AND queue_id = ?2 ORDER BY node DESC LIMIT 1")
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
    m_put.bind_borrowed(7, m_node);
    m_put.run();
}

void QueuedMessageRows::set_recipients_left(std::string_view host, std::string_view queue_id,
                                            std::int64_t recipients_left)
{
    m_count.bind(1, host);
    m_count.bind(2, queue_id);
    m_count.bind(3, recipients_left);
    m_count.bind_borrowed(4, m_node);
    m_count.run();
}

void QueuedMessageRows::remove(std::string_view host, std::string_view queue_id)
{
    m_delete.bind(1, host);
    m_delete.bind(2, queue_id);
    m_delete.bind_borrowed(3, m_node);
    m_delete.run();
}

std::optional<QueuedMessageRow> QueuedMessageRows::find(std::string_view host,
                                                        std::string_view queue_id)
{
    m_find.bind(1, host);
    m_find.bind(2, queue_id);
    m_find.bind_borrowed(3, m_node);
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

std::optional<IngestCursorRow> read_ingest_cursor(Database& db, const std::string& node,
                                                  const std::string& path)
{
    // The node's own cursor sorts first ('' is the smallest name).
    Statement query(db, "SELECT node, identity, \"offset\", checksum, content_id FROM "
                        "ingest_cursor WHERE node IN (?1, '') AND path = ?2 "
                        "ORDER BY node DESC LIMIT 1");
    query.bind(1, node);
    query.bind(2, path);
    if (!query.step()) {
        return std::nullopt;
    }
    IngestCursorRow out;
    out.node = query.column_text(0);
    out.path = path;
    out.identity = query.column_text(1);
    out.offset = query.column_int(2);
    out.checksum = query.column_text(3);
    out.content_id = query.column_text(4);
    return out;
}

void write_ingest_cursor(Database& db, const IngestCursorRow& row)
{
    Statement save(db, "INSERT INTO ingest_cursor (node, path, identity, \"offset\", checksum, "
                       "updated_at, content_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                       "ON CONFLICT(node, path) DO UPDATE SET identity = excluded.identity, "
                       "\"offset\" = excluded.\"offset\", checksum = excluded.checksum, "
                       "updated_at = excluded.updated_at, content_id = excluded.content_id");
    save.bind(1, row.node);
    save.bind(2, row.path);
    save.bind(3, row.identity);
    save.bind(4, row.offset);
    save.bind(5, row.checksum);
    save.bind(6, row.updated_at);
    save.bind(7, row.content_id);
    save.run();
    if (!row.node.empty()) {
        Statement taken(db, "DELETE FROM ingest_cursor WHERE node = '' AND path = ?1");
        taken.bind(1, row.path);
        taken.run();
    }
}

} // namespace smtpprobe::store
