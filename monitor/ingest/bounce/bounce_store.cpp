// Bounce rows, evidence rows and seen-markers (see bounce_store.hpp).
#include "monitor/ingest/bounce/bounce_store.hpp"

#include "monitor/ingest/bounce/mime_reader.hpp"

namespace smtpprobe::ingest {

namespace {

std::optional<std::string> optional_text(std::string_view value)
{
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

} // namespace

BounceStore::BounceStore(store::Database& db)
    : m_db(db), m_seen(db, "SELECT 1 FROM bounce_message WHERE message_key = ?1"),
      m_insert_bounce(
          db, "INSERT OR IGNORE INTO bounce (time, file, message_id, kind, reporting_mta, "
              "arrival_date, recipient, original_recipient, action, status, reply_code, "
              "remote_mta, diagnostic, last_attempt, original_message_id, original_from, "
              "original_to, original_subject, original_date, named_ip, provider, scope, reason, "
              "provider_code, about, source_key, received_from_mta, sender, feedback_type, "
              "rule_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
              "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)"),
      m_evidence(db),
      m_insert_message(db, "INSERT OR IGNORE INTO bounce_message (message_key, message_id, path, "
                           "kind, recipients, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
{
}

BounceStore::~BounceStore() = default;

bool BounceStore::seen(const std::string& message_key)
{
    m_seen.reset();
    m_seen.bind(1, message_key);
    const bool found = m_seen.step();
    m_seen.reset();
    return found;
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
        m_insert_bounce.bind(1, time)
            .bind(2, path)
            .bind(3, optional_text(report.message_id))
            .bind(4, kind_name(report.kind))
            .bind(5, optional_text(report.reporting_mta))
            .bind(6, optional_text(report.arrival_date))
            .bind(7, optional_text(r.recipient))
            .bind(8, optional_text(r.original_recipient))
            .bind(9, optional_text(r.action))
            .bind(10, optional_text(c.status))
            .bind(11, c.reply_code)
            .bind(12, optional_text(r.remote_mta))
            .bind(13, optional_text(r.diagnostic))
            .bind(14, optional_text(r.last_attempt))
            .bind(15, optional_text(report.original.message_id))
            .bind(16, optional_text(report.original.from))
            .bind(17, optional_text(report.original.to))
            .bind(18, optional_text(report.original.subject))
            .bind(19, optional_text(report.original.date))
            .bind(20, optional_text(c.named_ip))
            .bind(21, optional_text(c.result.provider))
            .bind(22, optional_text(c.result.scope))
            .bind(23, optional_text(c.result.reason))
            .bind(24, optional_text(c.result.provider_code))
            .bind(25, optional_text(c.result.about))
            .bind(26, source_key)
            .bind(27, optional_text(report.received_from_mta))
            .bind(28, optional_text(r.sender))
            .bind(29, optional_text(report.feedback_type))
            .bind(30, optional_text(c.result.rule_id));
        m_insert_bounce.run();
        if (m_db.changes() == 0) {
            continue; // already there (same message through another path)
        }
        if (!evidence[i].time.empty()) {
            m_evidence.record(time, evidence::SourceKind::bounce, m_db.last_insert_id(),
                              evidence[i].decision);
        }
    }
    m_insert_message.bind(1, message_key)
        .bind(2, optional_text(report.message_id))
        .bind(3, path)
        .bind(4, kind_name(report.kind))
        .bind(5, static_cast<std::int64_t>(report.recipients.size()))
        .bind(6, now);
    m_insert_message.run();
}

void BounceStore::add_malformed(const std::string& message_key, const std::string& path,
                                const std::string& now)
{
    m_insert_message.bind(1, message_key)
        .bind(2, nullptr)
        .bind(3, path)
        .bind(4, "malformed")
        .bind(5, std::int64_t{0})
        .bind(6, now);
    m_insert_message.run();
}

} // namespace smtpprobe::ingest
