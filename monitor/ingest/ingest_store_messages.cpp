// The sender join of IngestStore (see ingest_store.hpp): from= / <= lines of queued
// messages in a bounded cache, written to ingest_message at each commit when still needed,
// forgotten when the message left the queue (Postfix "removed", Exim "Completed", sendmail:
// every nrcpts recipient done).
#include "monitor/ingest/ingest_store.hpp"
#include "monitor/ingest/log_time.hpp"

#include <algorithm>

namespace smtpprobe::ingest {

namespace {

// ~100 bytes each: the cache stays near 20 MB whatever the log size (the table has the rest).
constexpr std::size_t k_message_cache_limit = 100000;

std::string_view host_key(const LogRecord& record)
{
    return record.host;
}

} // namespace

const std::string& IngestStore::message_key(const LogRecord& record)
{
    // Built in a reused buffer: no allocation per line.
    m_key.assign(host_key(record));
    m_key += '\0';
    m_key += record.queue_id;
    return m_key;
}

void IngestStore::make_room()
{
    if (m_messages.size() >= k_message_cache_limit) {
        // The database holds every join once flushed: the cache can start over.
        flush_messages();
        m_messages.clear();
        m_db_may_have = true;
    }
}

void IngestStore::put_message(const LogRecord& record)
{
    make_room();
    auto [it, added] = m_messages.try_emplace(message_key(record));
    Cached& cached = it->second;
    if (added) {
        cached.persisted = m_db_may_have;
    }
    cached.message.sender.assign(record.sender);
    cached.message.size = record.size;
    cached.message.recipients_left = record.recipients;
    cached.time = record.time;
    if (!cached.dirty) {
        cached.dirty = true;
        m_dirty.push_back(it->first);
    }
}

void IngestStore::remove_message(const LogRecord& record)
{
    auto found = m_messages.find(message_key(record));
    if (found != m_messages.end()) {
        bool persisted = found->second.persisted;
        m_messages.erase(found);
        if (!persisted) {
            return; // never written: nothing to delete
        }
    }
    // It may have been written by an earlier batch or run.
    m_delete_message.bind(1, host_key(record));
    m_delete_message.bind(2, record.queue_id);
    m_delete_message.run();
}

const QueuedMessage* IngestStore::find_message(const LogRecord& record)
{
    auto found = m_messages.find(message_key(record));
    if (found != m_messages.end()) {
        return &found->second.message;
    }
    m_find_message.bind(1, host_key(record));
    m_find_message.bind(2, record.queue_id);
    const QueuedMessage* out = nullptr;
    if (m_find_message.step()) {
        QueuedMessage message;
        message.sender = m_find_message.column_text(0);
        message.size = m_find_message.is_null(1) ? -1 : m_find_message.column_int(1);
        message.recipients_left =
            m_find_message.is_null(2) ? -1 : static_cast<int>(m_find_message.column_int(2));
        // Always cached (count_delivery() counts on it); make_room() keeps m_key.
        make_room();
        Cached& cached = m_messages[m_key];
        cached.message = std::move(message);
        cached.time = -1; // only written whole when put again (then dirty)
        cached.persisted = true;
        out = &cached.message;
    }
    m_find_message.reset();
    return out;
}

void IngestStore::count_delivery(const LogRecord& record)
{
    // Final: delivered (2.x.x) or failed for good (5.x.x); a deferral is tried again.
    if (record.dsn.empty() || (record.dsn[0] != '2' && record.dsn[0] != '5')) {
        return;
    }
    auto found = m_messages.find(message_key(record));
    if (found == m_messages.end() || found->second.message.recipients_left < 0) {
        return; // not counted (Postfix, Exim; a sendmail from= without nrcpts)
    }
    // One to= line names every recipient of one delivery: "to=<a@x>,<b@x>".
    int done =
        1 + static_cast<int>(std::count(record.recipient.begin(), record.recipient.end(), ','));
    Cached& cached = found->second;
    cached.message.recipients_left = std::max(0, cached.message.recipients_left - done);
    if (cached.message.recipients_left == 0) {
        remove_message(record); // every recipient done: it left the queue
        return;
    }
    if (cached.dirty) {
        return; // written whole, count included, by the next flush
    }
    // Stored by an earlier batch or run: the stored count follows in this transaction.
    m_count_message.bind(1, host_key(record));
    m_count_message.bind(2, record.queue_id);
    m_count_message.bind(3, cached.message.recipients_left);
    m_count_message.run();
}

void IngestStore::flush_messages()
{
    for (const std::string& key : m_dirty) {
        auto found = m_messages.find(key);
        if (found == m_messages.end() || !found->second.dirty) {
            continue; // removed (or already written) since
        }
        std::size_t zero = key.find('\0');
        m_put_message.bind_borrowed(1, std::string_view(key).substr(0, zero));
        m_put_message.bind_borrowed(2, std::string_view(key).substr(zero + 1));
        m_put_message.bind_borrowed(3, found->second.message.sender);
        if (found->second.message.size >= 0) {
            m_put_message.bind(4, static_cast<std::int64_t>(found->second.message.size));
        } else {
            m_put_message.bind(4, nullptr);
        }
        char time[24];
        m_put_message.bind_borrowed(5,
                                    std::string_view(time, format_utc(found->second.time, time)));
        if (found->second.message.recipients_left >= 0) {
            m_put_message.bind(6, found->second.message.recipients_left);
        } else {
            m_put_message.bind(6, nullptr);
        }
        m_put_message.run();
        found->second.dirty = false;
        found->second.persisted = true;
    }
    m_dirty.clear();
}

void IngestStore::prune_messages(std::int64_t newest, std::int64_t keep_seconds)
{
    store::Statement prune(m_db, "DELETE FROM ingest_message WHERE time < ?1");
    prune.bind(1, format_utc(newest - keep_seconds));
    prune.run();
    m_messages.clear();
}

} // namespace smtpprobe::ingest
