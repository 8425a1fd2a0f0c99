// The one table of stage deadlines and peer limits of a probe session. Every stage of the
// dialogue has a deadline set before it starts; a timeout names its stage. Users change any
// entry with `--timeout STAGE=SECONDS` (or the config), and tests use short ones.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::probe {

// The stages of a session, in dialogue order. `session` is the whole-session deadline.
enum class Stage {
    connect,
    banner,
    ehlo,
    helo,
    starttls,
    tls_handshake,
    mail,
    rcpt,
    data,
    data_end,
    rset,
    quit,
    session,
};
inline constexpr std::size_t k_stage_count = static_cast<std::size_t>(Stage::session) + 1;

// "connect", "tls-handshake", "data-end", ...
const char* stage_name(Stage stage);
std::optional<Stage> parse_stage(std::string_view name);

// Bounds on what a peer may send us.
struct PeerLimits {
    std::size_t max_line_bytes = 4096;       // RFC 5321 says 512; real servers send longer
    std::size_t max_reply_lines = 100;       // more are counted and skipped
    std::size_t max_reply_bytes = 64 * 1024; // a larger reply is a protocol error
};

struct Limits {
    std::array<std::chrono::milliseconds, k_stage_count> deadline{};
    PeerLimits peer;

    // Defaults: RFC 5321 section 4.5.3.2 shortened for a probe (a probe waits less than an MTA).
    Limits();
    std::chrono::milliseconds operator[](Stage stage) const
    {
        return deadline[static_cast<std::size_t>(stage)];
    }
    // Applies "STAGE=SECONDS" (seconds may be fractional, "rcpt=2.5"; "all=N" sets every
    // command stage). Returns false and sets *error to one sentence when malformed.
    bool set(std::string_view spec, std::string* error);
};

// The default deadlines as one line for --help and the man page: "connect 20 s, banner 60 s,
// ..., session 300 s".
std::string default_deadlines_text();

} // namespace smtpprobe::probe
