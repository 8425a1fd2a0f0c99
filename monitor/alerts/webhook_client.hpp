// The webhook alert channel: one JSON POST over HTTP or HTTPS (Boost.Beast, OpenSSL), bounded
// by the hook's timeout for the whole exchange (resolve, connect, TLS, request, response).
//
// Contract: never throws for network outcomes; a 2xx status is success, anything else is a
// failure with one line saying why (retryable unless a 4xx other than 408/429).
#pragma once

#include "monitor/config/config.hpp"

#include <string>

namespace smtpprobe::alerts {

struct WebhookResult {
    bool ok = false;
    int status = 0;        // HTTP status, 0 when none was received
    bool retryable = true; // worth retrying later
    std::string error;     // one line, "" when ok
};

WebhookResult post_json(const config::Webhook& hook, const std::string& body);

} // namespace smtpprobe::alerts
