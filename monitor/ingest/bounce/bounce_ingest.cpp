// The bounce ingestion pipeline (see bounce_ingest.hpp).
#include "monitor/ingest/bounce/bounce_ingest.hpp"

#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/bounce_store.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "probe/text/utc_time.hpp"

#include <chrono>
#include <ctime>

namespace smtpprobe::ingest {

BounceIngester::BounceIngester(store::Database* db, const classify::Classifier& classifier,
                               BounceIngestOptions options)
    : m_db(db), m_classifier(classifier), m_options(options)
{
    if (m_db != nullptr) {
        m_store = std::make_unique<BounceStore>(*m_db, m_options.node, m_options.unnamed_ip);
    }
}

BounceIngester::~BounceIngester() = default;

void BounceIngester::ingest(const std::string& path, const RecipientSink& on_recipient,
                            const ProgressSink& on_progress)
{
    m_now = utc_now_iso();
    read_messages(path, [&](SourceMessage& message) {
        handle(message, message.content, on_recipient);
        if (m_store && m_pending >= m_options.batch_messages) {
            m_store->commit();
            m_pending = 0;
        }
        if (on_progress) {
            on_progress(m_stats);
        }
        return true;
    });
    if (m_store) {
        m_store->commit();
        m_pending = 0;
    }
}

void BounceIngester::malformed(const std::string& key, const std::string& path, std::uint64_t index,
                               const std::string& why)
{
    ++m_stats.malformed;
    if (m_stats.malformed_samples.size() < 10) {
        m_stats.malformed_samples.push_back(
            path + (index > 0 ? "#" + std::to_string(index + 1) : "") + ": " + why);
    }
    if (m_store && !key.empty()) {
        m_store->begin();
        m_store->add_malformed(key, path, m_now);
        ++m_pending;
    }
}

void BounceIngester::handle(const SourceMessage& message, std::string& content,
                            const RecipientSink& on_recipient)
{
    const std::string& path = message.path;
    const std::uint64_t index = message.index;
    const bool oversized = message.oversized;
    ++m_stats.messages;
    if (oversized) {
        malformed("", path, index, "larger than 16 MiB");
        return;
    }
    // The identity is only needed to skip and record messages: not computed without a store.
    const std::string key = m_store ? message_key(content) : std::string();
    if (m_store && m_options.skip_seen && m_store->seen(key)) {
        ++m_stats.seen;
        return;
    }
    std::optional<BounceReport> report = parse_bounce(content);
    if (!report) {
        malformed(key, path, index, "not a delivery report (no recipient, status or reply found)");
        return;
    }
    ++m_stats.reports;
    std::vector<ClassifiedRecipient> classified;
    classified.reserve(report->recipients.size());
    for (const RecipientReport& recipient : report->recipients) {
        classified.push_back(classify_recipient(*report, recipient, m_classifier));
    }
    // After the classifications are complete: the decisions point into them.
    std::vector<RecipientEvidence> evidence(report->recipients.size());
    for (std::size_t i = 0; i < report->recipients.size(); ++i) {
        const RecipientReport& recipient = report->recipients[i];
        const ClassifiedRecipient& c = classified[i];
        recipient_evidence(*report, recipient, c, message.delivered_at, m_options.ours,
                           evidence[i]);
        ++m_stats.recipients;
        if (evidence[i].time.empty()) {
            ++m_stats.undated;
        }
        ++m_stats.kinds[kind_name(report->kind)];
        ++m_stats.by_scope[{c.result.scope, std::string(c.result.reason)}];
        if (on_recipient) {
            on_recipient(IngestedRecipient{path, *report, recipient, c, evidence[i]});
        }
    }
    if (m_store) {
        m_store->begin();
        m_store->add(key, path, *report, classified, evidence, m_now);
        ++m_stats.stored;
        ++m_pending;
    }
}

} // namespace smtpprobe::ingest
