// What log ingestion writes, and by which path (see ingest_store.hpp).
#include "monitor/ingest/ingest_store.hpp"

#include "monitor/ingest/log_time.hpp"

#include <algorithm>
#include <ctime>

namespace smtpprobe::ingest {

namespace {

// WAL size at which a commit folds it back into the database.
constexpr std::int64_t k_wal_bytes = 64 * 1024 * 1024;

// The delivery row of a log record (borrowing its text).
store::DeliveryRowView delivery_row(const LogRecord& record, std::string_view time,
                                    std::string_view source_key, const QueuedMessage* message,
                                    const classify::Result& result)
{
    store::DeliveryRowView row;
    row.time = time;
    row.mta = mta_name(record.mta);
    row.host = record.host;
    row.queue_id = record.queue_id;
    if (message != nullptr) {
        row.sender = message->sender;
        row.size = message->size;
    }
    row.recipient = record.recipient;
    row.orig_recipient = record.orig_recipient;
    row.relay_host = record.relay_host;
    row.relay_ip = record.relay_ip;
    row.relay_port = record.relay_port;
    row.delay = record.delay;
    row.dsn = record.dsn;
    row.status = record.status;
    row.reply = record.reply;
    row.provider = result.provider;
    row.scope = result.scope;
    row.reason = result.reason;
    row.provider_code = result.provider_code;
    row.about = result.about;
    row.source_key = source_key;
    row.reply_truncated = record.reply_truncated;
    return row;
}

} // namespace

IngestStore::IngestStore(store::Database& db, std::string node, bool fresh_path,
                         std::string unnamed_ip)
    : m_db(db), m_node(std::move(node)), m_deliveries(db, m_node), m_message_rows(db, m_node),
      m_evidence(db, m_node, std::move(unnamed_ip)), m_fresh_path(fresh_path)
{
    // A bigger page cache and fewer checkpoints for bulk inserts (bounded: 32 MB, WAL up to
    // ~64 MB before it is folded back).
    m_db.tune_for_bulk_writes(32768, k_wal_bytes);
    m_db_may_have = store::any_queued_message(db);
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
    m_deliveries.write_batched();
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
        m_fresh_floor = m_deliveries.max_source_key(prefix, end).value_or(m_fresh_prefix);
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
    std::optional<std::int64_t> id =
        m_deliveries.insert(delivery_row(record, time_text, source_key, message, result));
    if (!id) {
        return false;
    }
    m_evidence.record(time_text, evidence::SourceKind::log, *id, decision);
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
        m_next_id = m_deliveries.next_delivery_id();
    }
    std::int64_t id = m_next_id++;
    m_deliveries.add_batched(id, delivery_row(record, time, source_key, message, result));
    m_evidence.record(time, evidence::SourceKind::log, id, decision);
}

bool IngestStore::add_finding(const LogRecord& record, std::string_view kind,
                              std::string_view source_key)
{
    char time[24];
    return m_deliveries.insert_finding({std::string_view(time, format_utc(record.time, time)), kind,
                                        record.host, record.queue_id, record.detail, source_key});
}

std::optional<FileCursor> IngestStore::cursor(const std::string& path)
{
    std::optional<store::IngestCursorRow> row = store::read_ingest_cursor(m_db, m_node, path);
    if (!row) {
        return std::nullopt;
    }
    FileCursor out;
    out.path = path;
    out.identity = std::move(row->identity);
    out.offset = static_cast<std::uint64_t>(row->offset);
    out.checksum = std::move(row->checksum);
    out.content_id = std::move(row->content_id);
    return out;
}

void IngestStore::save_cursor(const FileCursor& cursor)
{
    store::write_ingest_cursor(m_db, {m_node, cursor.path, cursor.identity,
                                      static_cast<std::int64_t>(cursor.offset), cursor.checksum,
                                      format_utc(static_cast<std::int64_t>(std::time(nullptr))),
                                      cursor.content_id});
}

} // namespace smtpprobe::ingest
