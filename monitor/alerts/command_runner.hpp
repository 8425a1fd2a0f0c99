// Runs one shell command for an alert channel (command hook, sendmail): /bin/sh -c COMMAND
// with data on stdin, bounded in time; the whole process group is killed at the deadline.
//
// Contract: never throws for what the command does; stdout is discarded, stderr is kept (at
// most 4 KiB) for the failure message.
#pragma once

#include <chrono>
#include <string>

namespace smtpprobe::alerts {

struct CommandResult {
    int exit_code = -1; // -1: did not exit normally (signal, timeout, could not start)
    bool timed_out = false;
    std::string error; // why it failed, in one line ("" on exit 0)
};

CommandResult run_command(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds timeout);

} // namespace smtpprobe::alerts
