// Fetching one SNDS automated-access feed over HTTPS (Boost.Beast, OpenSSL): GET
// <base>ipStatus.aspx?key=KEY or <base>data.aspx?key=KEY, the certificate and host name
// verified against the system's trust store (OpenSSL's default paths, so SSL_CERT_FILE and
// SSL_CERT_DIR apply), the whole exchange bounded by one timeout and the body by
// k_max_snds_bytes.
//
// Contract: never throws for network outcomes. The key appears only in the request target
// sent inside TLS: never in a result, an error text or the source it reports (the URL without
// its query).
#pragma once

#include <chrono>
#include <string>

namespace smtpprobe::ingest {

struct SndsHttpResult {
    bool ok = false;     // HTTP 200 with a body
    int status = 0;      // HTTP status, 0 when none was received
    std::string outcome; // ok | http-<status> | timeout | error
    std::string body;    // the CSV (ok only)
    std::string error;   // one line, "" when ok; never holds the key
    std::string source;  // the URL without its query string
};

// page: "ipStatus.aspx" or "data.aspx"; base: the feeds' URL, ending in '/'.
SndsHttpResult fetch_snds_feed(const std::string& base, const std::string& page,
                               const std::string& key, std::chrono::seconds timeout);

} // namespace smtpprobe::ingest
