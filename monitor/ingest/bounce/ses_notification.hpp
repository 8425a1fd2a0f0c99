// Amazon SES event notifications delivered by mail (SNS e-mail subscriptions): a JSON body
// with "notificationType" Bounce, Complaint or Delivery, each listing its recipients with
// their action, status and diagnostic. Parsed with nlohmann::json without exceptions.
#pragma once

#include "monitor/ingest/bounce/bounce_report.hpp"

#include <string_view>

namespace smtpprobe::ingest {

// Fills report from a SES notification body; false when text is not one.
bool parse_ses_notification(std::string_view text, BounceReport& report);

} // namespace smtpprobe::ingest
