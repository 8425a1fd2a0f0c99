// JSON forms of probe results (field names are part of the CLI contract: DESIGN.md, issue 2).
// Peer text goes into JSON as received (JSON escaping makes it safe); bytes that are not valid
// UTF-8 are replaced so the document is always valid.
#pragma once

#include "probe/dsn_test.hpp"
#include "probe/probe_result.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::probe {

// {code, enhanced, text} (text = lines joined by "\n"), or null.
nlohmann::json reply_json(const std::optional<Reply>& reply);
// {version, cipher, subject, issuer, not_after, verified, verify_error}, or null.
nlohmann::json tls_json(const std::optional<TlsFacts>& tls);
// [{dir: "sent"|"received"|"event", line, ms}]
nlohmann::json transcript_json(const std::vector<TranscriptLine>& transcript);

// One probe result: target, script, route, mx_host, ip, port, source_ip, helo, banner,
// extensions, tls, outcome, stage, decisive, error, attempts, steps, transcript, started_at,
// finished_at.
nlohmann::json result_json(const ProbeResult& result);

// The dsn-test document: target, host, ip, port, banner, extensions, tls, dsn_advertised,
// notify_accepted, rcpt_with_notify, rcpt_without_notify, verdict, reason, mta, advice,
// outcome, stage, error, transcript.
nlohmann::json dsn_json(const ProbeResult& result, const DsnReport& report);

} // namespace smtpprobe::probe
