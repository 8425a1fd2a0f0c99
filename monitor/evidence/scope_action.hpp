// "What to do" for one (sending IP, scope) in its current state: the delist URL of a DNSBL
// zone from the config, the classifier's action for the newest blocking evidence (its reply
// classified again with the rules in use), or a plain default per state. Reads only.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/evidence/verdict.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/state_rows.hpp"

#include <cstdint>
#include <string>

namespace smtpprobe::evidence {

struct ScopeFacts {
    std::string scope;
    Verdict state = Verdict::unknown;
    std::string provider_code;
    // What explains the newest blocking evidence (store::read_blocking_sources, read for all
    // blocked pairs at once); null when the state is not blocked or nothing explains it.
    const store::BlockingSource* blocking = nullptr;
};

struct ScopeAdvice {
    std::string meaning; // what the state means in plain words ("" when nothing to say)
    std::string action;  // what to do
};

ScopeAdvice scope_advice(const config::Config& config, const ScopeFacts& facts);

} // namespace smtpprobe::evidence
