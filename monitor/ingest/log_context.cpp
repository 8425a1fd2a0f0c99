// Cross-line memory of the MTA parsers (see log_context.hpp).
#include "monitor/ingest/log_context.hpp"

namespace smtpprobe::ingest {

LogContext::Slot* LogContext::find(std::string_view key)
{
    if (key.empty()) {
        return nullptr;
    }
    for (Slot& slot : m_slots) {
        if (slot.key == key) {
            return &slot;
        }
    }
    return nullptr;
}

LogContext::Slot& LogContext::put(std::string_view key)
{
    if (Slot* found = find(key)) {
        return *found;
    }
    Slot& slot = m_slots[m_next];
    m_next = (m_next + 1) % k_slots;
    slot.key.assign(key);
    slot.outcomes = 0;
    slot.unanswered_failures = 0;
    slot.host.clear();
    slot.ip.clear();
    return slot;
}

bool LogContext::is_local_session(std::string_view session) const
{
    for (const std::string& known : m_local_sessions) {
        if (!known.empty() && known == session) {
            return true;
        }
    }
    return false;
}

RecordKind LogContext::receipt(LogRecord& record, std::string_view detail)
{
    m_detail.assign(detail);
    record.detail = m_detail;
    record.status = "success DSN";
    return RecordKind::receipt;
}

RecordKind LogContext::complete(LogRecord& record, RecordKind kind)
{
    if (record.mta == Mta::exim) {
        if (record.hint == LineHint::host_seen && !record.queue_id.empty()) {
            Slot& slot = put(record.queue_id);
            slot.host.assign(record.relay_host);
            slot.ip.assign(record.relay_ip);
            return kind;
        }
        if (kind == RecordKind::delivery) {
            Slot& slot = put(record.queue_id);
            slot.outcomes |= record.status == "sent"      ? delivered
                             : record.status == "bounced" ? failed
                                                          : deferred;
            if (record.relay_host.empty() && record.relay_ip.empty() && !record.local &&
                (!slot.host.empty() || !slot.ip.empty())) {
                m_host = slot.host;
                m_ip = slot.ip;
                record.relay_host = m_host;
                record.relay_ip = m_ip;
            }
            return kind;
        }
        if (record.hint == LineHint::dsn_generated) {
            const Slot* parent = find(record.dsn_parent);
            if (parent != nullptr && parent->outcomes == delivered) {
                std::string detail(record.queue_id);
                detail += ": success DSN for ";
                detail += record.dsn_parent;
                return receipt(record, detail);
            }
        }
        return kind;
    }
    if (record.mta == Mta::opensmtpd) {
        if (record.hint == LineHint::local_session) {
            m_local_sessions[m_next_session].assign(record.session);
            m_next_session = (m_next_session + 1) % m_local_sessions.size();
            return kind;
        }
        if (kind == RecordKind::delivery && !record.sender.empty()) {
            Slot& slot = put(record.sender);
            if (record.status == "sent") {
                slot.outcomes |= delivered;
            } else if (record.status == "bounced") {
                slot.outcomes |= failed;
                if (slot.unanswered_failures < 1000) {
                    ++slot.unanswered_failures;
                }
            }
            return kind;
        }
        if (record.hint == LineHint::dsn_generated && is_local_session(record.session)) {
            Slot* origin = find(record.recipient);
            if (origin != nullptr && origin->unanswered_failures > 0) {
                --origin->unanswered_failures; // the bounce of one of them
                return kind;
            }
            if (origin != nullptr && (origin->outcomes & delivered) != 0) {
                std::string detail(record.queue_id);
                detail += ": success DSN to ";
                detail += record.recipient;
                return receipt(record, detail);
            }
        }
    }
    return kind;
}

} // namespace smtpprobe::ingest
