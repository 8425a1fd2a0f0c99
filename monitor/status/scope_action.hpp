// "What to do" for one (sending IP, scope) in its current state: the delist URL of a DNSBL
// zone from the config, the classifier's action for the last blocking evidence, or a plain
// default per state.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/store/database.hpp"

#include <string>

namespace smtpprobe::monitor {

struct ScopeFacts {
    std::string scope;
    std::string state;
    std::string reason;
    std::string provider_code;
    std::int64_t last_blocked_evidence = 0; // evidence id, 0 if none
};

std::string scope_action(store::Database& db, const config::Config& config,
                         const ScopeFacts& facts);

} // namespace smtpprobe::monitor
