// What one maillog line means can depend on earlier lines of the same log; LogContext keeps
// the little memory that takes (bounded: the last k_slots messages, senders and sessions) and
// completes a record after its MTA parser has read it:
//   - Exim logs a generated DSN as "<= <> R=PARENT": a success DSN (a return receipt, our
//     backscatter) when PARENT's recipients were delivered ("=>"/"->") with no failure ("**")
//     and no deferral ("==") logged; otherwise it is a bounce or a delay warning.
//   - OpenSMTPD injects its DSNs through a session of its own ("smtp connected
//     address=local", then "smtp envelope ... from=<> to=<S>"), bounces a little after the
//     failure: such a DSN answers one of sender S's unanswered permanent failures first
//     (a bounce); with none left and a delivery of S's mail logged, it is a success DSN.
//   - Exim's "== ADDR ... defer (111): Connection refused" omits the host that the line before
//     it named ("MSGID H=host [ip] Connection refused"): it is carried over for the same id.
// A record whose deciding line fell out of the window keeps what its own line says.
#pragma once

#include "monitor/ingest/log_record.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace smtpprobe::ingest {

class LogContext {
public:
    static constexpr std::size_t k_slots = 128;

    // Reads what record says for later lines and completes it from earlier ones; returns the
    // (possibly changed) kind: a generated success DSN becomes RecordKind::receipt.
    RecordKind complete(LogRecord& record, RecordKind kind);

private:
    enum Outcome : std::uint8_t { delivered = 1, failed = 2, deferred = 4 };
    struct Slot {
        std::string key;
        std::uint8_t outcomes = 0;
        std::uint16_t unanswered_failures = 0; // OpenSMTPD: failures awaiting their bounce
        std::string host;                      // Exim host_seen
        std::string ip;
    };
    Slot* find(std::string_view key);
    Slot& put(std::string_view key);
    bool is_local_session(std::string_view session) const;
    RecordKind receipt(LogRecord& record, std::string_view detail);

    std::array<Slot, k_slots> m_slots;
    std::size_t m_next = 0;
    std::array<std::string, 16> m_local_sessions;
    std::size_t m_next_session = 0;
    std::string m_detail;
    std::string m_host;
    std::string m_ip;
};

} // namespace smtpprobe::ingest
