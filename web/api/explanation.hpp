// What a piece of evidence means and what to do about it: the text the receiver actually
// said (looked up from the evidence's source row: probe reply, log line, bounce diagnostic,
// DNSBL TXT, note) and the classifier's meaning and action for it.
#pragma once

#include "web/api/api.hpp"

namespace smtpprobe::web {

// {"kind", "id", "text", "status", "reply_code", "host", "time"} of the row an evidence came
// from; null when that row is gone.
Json evidence_source(Database& db, std::string_view kind, std::int64_t id);

// {"meaning", "action", "reason", "provider", "provider_code", "rule_id", "source"} from the
// classifier for a source document as returned by evidence_source(); null when the
// classifier has nothing to say (no text, no code).
Json explain_source(const Json& source);

} // namespace smtpprobe::web
