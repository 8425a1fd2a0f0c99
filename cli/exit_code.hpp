// The exit codes of DESIGN.md. Every subcommand returns one of these; nothing else leaves main.
#pragma once

namespace smtpprobe::cli {

enum ExitCode : int {
    k_exit_ok = 0,         // fine: nothing found
    k_exit_finding = 1,    // a finding: backscatter risk, an active block, a listing, unknown input
    k_exit_usage = 2,      // usage or configuration error
    k_exit_incomplete = 3, // could not complete: DNS, connect, TLS, timeout, I/O, store
};

} // namespace smtpprobe::cli
