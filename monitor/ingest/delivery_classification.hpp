// The one place where a delivery read from a log meets the shared classifier, and what it
// tells the evidence policy.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/policy.hpp"
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

// What a delivery tells the evidence policy (monitor/evidence/policy.hpp): a reply of the
// relay to a delivery attempt, the IP it names. A local delivery has no receiver and no
// relay: nothing to hold evidence about.
evidence::Observation log_observation(const LogRecord& record, const classify::Result& result);

} // namespace smtpprobe::ingest
