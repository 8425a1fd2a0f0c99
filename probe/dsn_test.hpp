// The DSN backscatter test of DESIGN.md `--dsn-test`: reads the `dsn-test` script's result
// (RCPT with NOTIFY=SUCCESS,FAILURE,DELAY, then the same without DSN parameters, in one
// connection) and decides whether the server can be made to send delivery notifications to
// a forged sender.
//
// Verdicts (a verdict other than inconclusive needs the decisive step to have been reached):
//   backscatter-risk  DSN is advertised and RCPT with NOTIFY was accepted.
//   safe              the final EHLO (after STARTTLS when the server offers it) does not
//                     advertise DSN, or the server refuses NOTIFY (555 / 5.5.4 or another
//                     5xx) while it accepts the same RCPT without it.
//   inconclusive      the test could not show either; `stage` says where it stopped and
//                     `change` the one thing to change: "--tls" (TLS failed, so the EHLO
//                     that counts was never read), "--from" (the sender was refused, so
//                     NOTIFY was never tested), "--rcpt" (the recipient was refused for
//                     another cause), "host" (no connection, or refused at connect/EHLO),
//                     "--timeout" (a stage deadline passed), "retry" (a temporary refusal).
#pragma once

#include "probe/probe_result.hpp"

#include <functional>
#include <optional>
#include <string>

namespace smtpprobe::probe {

enum class DsnVerdict { backscatter_risk, safe, inconclusive };
const char* dsn_verdict_name(DsnVerdict verdict); // "backscatter-risk", "safe", "inconclusive"

struct DsnReport {
    bool dsn_advertised = false;
    std::optional<bool> notify_accepted; // null when RCPT with NOTIFY was not really tested
    std::optional<Reply> mail_with_dsn;
    std::optional<Reply> rcpt_with_notify;
    std::optional<Reply> mail_plain;
    std::optional<Reply> rcpt_without_notify;
    DsnVerdict verdict = DsnVerdict::inconclusive;
    bool completed = false; // the decisive step was reached
    std::string stage;      // where an inconclusive test stopped ("tls-handshake", "mail", ...)
    std::string change;     // the one thing to change: --tls, --from, --rcpt, host, --timeout,
                            // retry ("" when the verdict is not inconclusive)
    std::string reason;     // one sentence: why this verdict (peer text escaped)
    std::string mta;        // "postfix", "sendmail", "exim", "opensmtpd", "exchange", ""
    std::string advice;     // what to change (MTA-specific when the MTA is known)
};

// Says whether a refusal names the sender (the classifier's reason "rejected", Sisimai's word
// for a refused sender); the CLI passes the shared classifier. Without one, RFC 3463 X.1.7 /
// X.1.8 statuses are the only sender refusals recognised.
using SenderRefusalTest = std::function<bool(const Reply&)>;

// Evaluates the result of a session that ran the `dsn-test` script.
DsnReport evaluate_dsn_test(const ProbeResult& result,
                            const SenderRefusalTest& refuses_sender = {});

// Guesses the MTA from the banner and the EHLO greeting: "postfix", "sendmail", "exim",
// "opensmtpd", "exchange", or "".
std::string guess_mta(const ProbeResult& result);

} // namespace smtpprobe::probe
