// Bounce rows, evidence rows and seen-markers (see bounce_store.hpp).
#include "monitor/ingest/bounce/bounce_store.hpp"

#include "monitor/ingest/bounce/mime_reader.hpp"

namespace smtpprobe::ingest {

BounceStore::BounceStore(store::Database& db, const std::string& node,
                         const std::string& unnamed_ip)
    : m_db(db), m_rows(db, node), m_evidence(db, node, unnamed_ip)
{
}

BounceStore::~BounceStore() = default;

bool BounceStore::seen(const std::string& message_key)
{
    return m_rows.seen(message_key);
}

void BounceStore::begin()
{
    if (!m_tx) {
        m_evidence.discard(); // left over from a batch that rolled back
        m_tx = std::make_unique<store::Transaction>(m_db);
    }
}

void BounceStore::commit()
{
    m_evidence.write();
    if (m_tx) {
        m_tx->commit();
        m_tx.reset();
    }
}

void BounceStore::add(const std::string& message_key, const std::string& path,
                      const BounceReport& report,
                      const std::vector<ClassifiedRecipient>& classified,
                      const std::vector<RecipientEvidence>& evidence, const std::string& now)
{
    for (std::size_t i = 0;
         i < report.recipients.size() && i < classified.size() && i < evidence.size(); ++i) {
        const RecipientReport& r = report.recipients[i];
        const ClassifiedRecipient& c = classified[i];
        const std::string& time = evidence[i].time.empty() ? now : evidence[i].time;
        const std::string source_key = message_key + "#" + std::to_string(i + 1);
        std::optional<std::int64_t> id = m_rows.insert_bounce({time,
                                                               path,
                                                               report.message_id,
                                                               kind_name(report.kind),
                                                               report.reporting_mta,
                                                               report.arrival_date,
                                                               r.recipient,
                                                               r.original_recipient,
                                                               r.action,
                                                               c.status,
                                                               c.reply_code,
                                                               r.remote_mta,
                                                               r.diagnostic,
                                                               r.last_attempt,
                                                               report.original.message_id,
                                                               report.original.from,
                                                               report.original.to,
                                                               report.original.subject,
                                                               report.original.date,
                                                               c.named_ip,
                                                               c.result.provider,
                                                               c.result.scope,
                                                               c.result.reason,
                                                               c.result.provider_code,
                                                               c.result.about,
                                                               source_key,
                                                               report.received_from_mta,
                                                               r.sender,
                                                               report.feedback_type,
                                                               c.result.rule_id});
        if (!id) {
            continue; // already there (same message through another path)
        }
        if (!evidence[i].time.empty()) {
            m_evidence.record(time, evidence::SourceKind::bounce, *id, evidence[i].decision);
        }
    }
    m_rows.insert_message({message_key, report.message_id, path, kind_name(report.kind),
                           static_cast<std::int64_t>(report.recipients.size()), now});
}

void BounceStore::add_malformed(const std::string& message_key, const std::string& path,
                                const std::string& now)
{
    m_rows.insert_message({message_key, "", path, "malformed", 0, now});
}

} // namespace smtpprobe::ingest
