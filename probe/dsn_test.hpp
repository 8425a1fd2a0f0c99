// The DSN backscatter test of DESIGN.md `--dsn-test`: reads the `dsn-test` script's result
// (RCPT with NOTIFY=SUCCESS,FAILURE,DELAY, then the same without DSN parameters, in one
// connection) and decides whether the server can be made to send delivery notifications to
// a forged sender.
//
// Verdicts:
//   backscatter-risk  DSN is advertised and RCPT with NOTIFY was accepted.
//   safe              DSN is not advertised (the server offers no notifications to ask
//                     for), or it refuses NOTIFY (555 / 5.5.4 or another 5xx) while the
//                     plain RCPT is accepted.
//   inconclusive      the test could not show either: the RCPT was refused for another cause
//                     (both with and without NOTIFY; the reason is the plain RCPT's reply),
//                     a temporary refusal, or the session did not get that far.
#pragma once

#include "probe/probe_result.hpp"

#include <optional>
#include <string>

namespace smtpprobe::probe {

enum class DsnVerdict { backscatter_risk, safe, inconclusive };
const char* dsn_verdict_name(DsnVerdict verdict); // "backscatter-risk", "safe", "inconclusive"

struct DsnReport {
    bool dsn_advertised = false;
    std::optional<bool> notify_accepted; // null when RCPT with NOTIFY was never answered
    std::optional<Reply> mail_with_dsn;
    std::optional<Reply> rcpt_with_notify;
    std::optional<Reply> mail_plain;
    std::optional<Reply> rcpt_without_notify;
    DsnVerdict verdict = DsnVerdict::inconclusive;
    bool completed = false; // the session got as far as both RCPTs (or proved DSN absent)
    std::string reason;     // one sentence: why this verdict (peer text escaped)
    std::string mta;        // "postfix", "sendmail", "exim", "exchange", "" when unknown
    std::string advice;     // what to change (MTA-specific when the MTA is known)
};

// Evaluates the result of a session that ran the `dsn-test` script.
DsnReport evaluate_dsn_test(const ProbeResult& result);

// Guesses the MTA from the banner and the EHLO greeting: "postfix", "sendmail", "exim",
// "exchange", or "".
std::string guess_mta(const ProbeResult& result);

} // namespace smtpprobe::probe
