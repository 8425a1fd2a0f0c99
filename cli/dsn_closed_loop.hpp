// `--dsn-test --send`: the closed-loop proof. Before the test message goes out, a watch is
// set on where the DSN will come back to (the built-in receiver on --receive ADDR:PORT, or
// new messages in the --mailbox mbox file or Maildir); after it, the watch waits up to
// --wait seconds for a delivery status report about that message (matched by its
// Message-ID, which holds the envelope id) and says what came back: a success DSN (the
// server sends return receipts: proven backscatter), a failure or delay report, or nothing.
#pragma once

#include "probe/receipt_receiver.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace smtpprobe::cli {

struct ClosedLoopOptions {
    std::string receive; // "ADDR:PORT" for the built-in receiver, or ""
    std::string mailbox; // mbox file or Maildir directory, or ""
    std::chrono::seconds wait{120};
};

// What came back for the test message.
struct ClosedLoopResult {
    bool report_found = false;
    std::string kind;   // "receipt" (success DSN), "bounce", "delay", or "" (none)
    std::string action; // the report's Action (delivered, relayed, expanded, failed, ...)
    std::string reporting_mta;
    std::optional<double> delay_seconds; // from DATA accepted to the report's arrival
};

class ReceiptWatch {
public:
    // Starts watching (binds the receiver, or notes the mailbox's current end). Throws
    // UsageError for a bad --receive/--mailbox value, std::runtime_error when it cannot
    // listen or read.
    explicit ReceiptWatch(const ClosedLoopOptions& options, const std::string& hostname);
    ~ReceiptWatch();

    // Waits (polling every 200 ms, at most options.wait) for a report whose original message
    // has a Message-ID containing envid. sent_at: when the server accepted the message.
    ClosedLoopResult wait_for(const std::string& envid,
                              std::chrono::system_clock::time_point sent_at);

private:
    std::optional<ClosedLoopResult> scan(const std::string& envid,
                                         std::chrono::system_clock::time_point sent_at);

    ClosedLoopOptions m_options;
    std::unique_ptr<probe::ReceiptReceiver> m_receiver;
    std::uintmax_t m_mbox_start = 0;
    std::vector<std::string> m_maildir_seen;
};

} // namespace smtpprobe::cli
