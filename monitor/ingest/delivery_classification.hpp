// The one place where a delivery read from a log meets the shared classifier, and where its
// classification becomes monitor evidence (blocked / clear / unknown for a receiver scope).
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/log_record.hpp"

#include <string>
#include <string_view>
#include <unordered_map>

namespace smtpprobe::ingest {

// The classifier input for a delivery: the reply code and enhanced status found in the
// reply ("550 5.7.1 ..."), the dsn= field, the reply text (sendmail: stat=) and relay host.
classify::Input classifier_input(const LogRecord& record);

// Classifies one delivery. Successes are cached per relay host (their text is a queue id,
// not a verdict), everything else is classified from its own words.
class DeliveryClassifier {
public:
    explicit DeliveryClassifier(const classify::Classifier& classifier);
    const classify::Result& classify(const LogRecord& record);

private:
    const classify::Classifier& m_classifier;
    classify::Result m_last;
    std::unordered_map<std::string, classify::Result> m_success_by_host;
    std::string m_key; // reused cache key
};

// What happened to one delivery attempt, from the classifier's `about` (one small decision;
// the evidence module owns verdicts and will take this over):
//   accepted     the receiver took it
//   blocked      the receiver refuses our IP or domain (about ip|domain, not transient):
//                the only class that is a block
//   rejected     refused for the recipient or the content (about recipient|content)
//   deferred     a temporary refusal that is not about us (greylisting, rate, try later)
//   unreachable  connection refused, timeout, DNS failure: no receiver answered
//   tls, auth    our side's TLS or SMTP AUTH failed (or the peer requires it)
//   config       our own configuration (mail loops back, no transport)
//   failed       a permanent failure nothing explains
enum class OutcomeClass {
    accepted,
    blocked,
    rejected,
    deferred,
    unreachable,
    tls,
    auth,
    config,
    failed
};
std::string_view outcome_class_name(OutcomeClass outcome);
OutcomeClass outcome_class(const LogRecord& record, const classify::Result& result);

// Evidence for the monitor: the receiver scope (classification's, else from the relay host;
// "" when there is none: local deliveries, no relay) and the verdict.
struct EvidenceVerdict {
    std::string_view scope;
    std::string_view verdict; // blocked | clear | unknown
};
EvidenceVerdict evidence_for(const LogRecord& record, const classify::Result& result,
                             std::string& scope_storage);

} // namespace smtpprobe::ingest
