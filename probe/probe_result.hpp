// What one probe session found: which host answered, the TLS facts, the extensions, every
// command and reply with elapsed milliseconds, where the dialogue stopped and the decisive
// reply. Mechanism only: what a reply *means* is the classifier's job (monitor/classify).
#pragma once

#include "probe/limits.hpp"
#include "probe/reply.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::probe {

enum class Outcome {
    completed,      // every step ran as the script wanted
    rejected,       // a 5xx ended the dialogue (banner or a step with on_failure = stop)
    deferred,       // a 4xx ended the dialogue
    timeout,        // a stage deadline passed (stage says which)
    protocol_error, // malformed or oversized reply, or the peer closed mid-dialogue
    connect_failed, // no host accepted a connection
    tls_failed,     // STARTTLS handshake failed, or TLS required and not offered/valid
    dns_failed,     // the route could not be resolved
    no_mail,        // null MX (RFC 7505) or no such domain: accepts no mail
    refused_script, // the script was refused before connecting (DATA without --send)
    cancelled,      // stopped by the user (SIGINT)
};

// "completed", "protocol-error", ...
const char* outcome_name(Outcome outcome);

struct TlsFacts {
    std::string version; // "TLSv1.3"
    std::string cipher;  // "TLS_AES_256_GCM_SHA384"
    std::string subject; // RFC 2253 form
    std::string issuer;
    std::string not_after; // ISO 8601 UTC
    bool verified = false;
    std::string verify_error; // "self-signed certificate", ... ("" when verified)
};

// One line of the transcript: what we sent (">>>"), what we received ("<<<"), or an event
// ("***": connected, TLS established, timeout). Peer lines are raw; escape them to show.
struct TranscriptLine {
    enum class Dir { sent, received, event };
    Dir dir = Dir::event;
    std::string line;
    std::int64_t ms = 0; // since the session started
};
const char* dir_name(TranscriptLine::Dir dir); // "sent", "received", "event"

// One command and its reply (or the banner, with no command; or an event).
struct StepRecord {
    Stage stage = Stage::banner;
    std::string label;   // script label ("rcpt-dsn"), or the stage name
    bool event = false;  // an event (TLS established, timeout, reset), not a command
    std::string command; // as sent ("" for the banner and events)
    std::optional<Reply> reply;
    std::string error;   // the protocol error/timeout text when there is no reply
    std::int64_t ms = 0; // when the reply (or event) came, since the session started
};

// A host tried by the connector and what happened there.
struct Attempt {
    std::string host;
    std::string ip;
    std::uint16_t port = 25;
    std::string result; // "connected", "connection refused", "banner 421 ...", ...
};

struct ProbeResult {
    std::string target; // as given ("example.com", "192.0.2.1:2525")
    std::string script;
    std::string route; // mx | implicit | literal | null-mx | not-found | error
    std::string mx_host;
    std::string ip;
    std::uint16_t port = 25;
    std::string source_ip;
    std::string helo;
    std::optional<Reply> banner;
    bool used_helo = false;              // EHLO refused, HELO used
    bool pipelined = false;              // the script's commands went out in RFC 2920 groups
    std::vector<std::string> extensions; // EHLO keywords, upper case, last EHLO
    std::optional<TlsFacts> tls;
    Outcome outcome = Outcome::completed;
    Stage stage = Stage::connect;  // where the dialogue stopped (or the last stage run)
    std::optional<Reply> decisive; // the reply that decided the outcome
    std::string error;             // one sentence when the outcome is not a reply
    std::vector<Attempt> attempts;
    std::vector<StepRecord> steps;
    std::vector<TranscriptLine> transcript;
    std::chrono::system_clock::time_point started_at;
    std::chrono::system_clock::time_point finished_at;

    bool has_extension(std::string_view keyword) const;
    // The step with this script label, if it ran.
    const StepRecord* step(std::string_view label) const;
};

// ISO 8601 UTC with seconds: "2026-03-11T20:18:23Z".
std::string iso8601(std::chrono::system_clock::time_point t);

} // namespace smtpprobe::probe
