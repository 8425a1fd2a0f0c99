// Mail for the MTA integration tests: submits messages to a real MTA over SMTP (with
// NOTIFY=SUCCESS when asked) and reads `smtpprobe --json` output back as JSON lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace smtpprobe::test {

// One message from -> to through 127.0.0.1:port; notify adds RET=HDRS/ENVID and
// NOTIFY=SUCCESS,FAILURE. Throws std::runtime_error naming the step that failed.
void submit_message(int port, const std::string& from, const std::string& to, bool notify = false);

// Every line of out parsed as JSON (lines that are not JSON are skipped).
std::vector<nlohmann::json> json_lines(const std::string& out);

} // namespace smtpprobe::test
