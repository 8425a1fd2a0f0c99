// Delivery -> classifier input -> evidence observation (see delivery_classification.hpp).
#include "monitor/ingest/delivery_classification.hpp"

#include "monitor/ingest/field_scan.hpp"

namespace smtpprobe::ingest {

namespace {

bool digit(char c)
{
    return c >= '0' && c <= '9';
}

// "5.7.1" at the start of text: class digit, dot, 1-3 digits, dot, 1-3 digits.
std::size_t enhanced_length(std::string_view text)
{
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
        return 0;
    }
    std::size_t i = 2;
    std::size_t start = i;
    while (i < text.size() && digit(text[i]) && i - start < 3) {
        ++i;
    }
    if (i == start || i >= text.size() || text[i] != '.') {
        return 0;
    }
    start = ++i;
    while (i < text.size() && digit(text[i]) && i - start < 3) {
        ++i;
    }
    if (i == start || (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != ';')) {
        return 0;
    }
    return i;
}

bool looks_sent(const LogRecord& record)
{
    return (record.status == "sent" || scan::starts_with(record.status, "Sent")) &&
           (record.dsn.empty() || record.dsn.front() == '2');
}

} // namespace

classify::Input classifier_input(const LogRecord& record)
{
    classify::Input input;
    std::string_view reply = record.reply;
    // "550 5.7.1 text" or "550-5.7.1 text"
    if (reply.size() >= 4 && digit(reply[0]) && digit(reply[1]) && digit(reply[2]) &&
        (reply[3] == ' ' || reply[3] == '-') && reply[0] >= '2' && reply[0] <= '5') {
        input.reply_code = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
        std::string_view after = reply.substr(4);
        std::size_t length = enhanced_length(after);
        if (length > 0) {
            input.enhanced = after.substr(0, length);
        }
    }
    if (!record.dsn.empty()) {
        input.enhanced = record.dsn;
    }
    // The receiver's words when the line has them (sendmail reply=, Postfix "said:", Exim
    // "SMTP error ...: 550 ...", OpenSMTPD stat=), else the MTA's own status text.
    input.text = record.reply.empty() ? record.status : record.reply;
    input.remote_host = record.relay_host;
    input.command = record.command;
    // The MTA gave the message up (not a deferral): Postfix/Exim/OpenSMTPD "bounced"/"expired",
    // sendmail's stat= of a final failure (neither "Deferred" nor "Sent").
    input.given_up =
        record.status == "bounced" || record.status == "expired" ||
        (record.mta == Mta::sendmail && !scan::starts_with(record.status, "Deferred") &&
         !scan::starts_with(record.status, "Sent"));
    return input;
}

DeliveryClassifier::DeliveryClassifier(const classify::Classifier& classifier)
    : m_classifier(classifier)
{
}

const classify::Result& DeliveryClassifier::classify(const LogRecord& record)
{
    if (looks_sent(record) && !record.relay_host.empty()) {
        m_key.assign(record.relay_host);
        m_key += '\0';
        m_key += record.dsn;
        auto found = m_success_by_host.find(m_key);
        if (found != m_success_by_host.end()) {
            return found->second;
        }
        classify::Result result = m_classifier.classify(classifier_input(record));
        if (!result.is_success()) {
            m_last = std::move(result);
            return m_last;
        }
        if (m_success_by_host.size() >= 4096) {
            m_success_by_host.clear();
        }
        return m_success_by_host.emplace(m_key, std::move(result)).first->second;
    }
    m_last = m_classifier.classify(classifier_input(record));
    return m_last;
}

evidence::Observation log_observation(const LogRecord& record, const classify::Result& result)
{
    evidence::Observation o;
    o.source = evidence::SourceKind::log;
    if (record.local || (record.relay_host.empty() && record.relay_ip.empty())) {
        return o; // no receiver: classified stays null, nothing is recorded
    }
    o.observed = evidence::Observed::attempt;
    o.classified = &result;
    o.receiver_host = record.relay_host;
    o.receiver_ip = record.relay_ip;
    o.named_ip = result.named_ip;
    return o;
}

} // namespace smtpprobe::ingest
