// The SQL of dnsbl_check (schema 001): one row per DNSBL answer for one IP in one zone.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>

namespace smtpprobe::store {

struct DnsblCheckRow {
    std::string time; // ISO 8601 UTC
    std::string ip;
    std::string zone;    // the DNS zone (never a DQS key)
    std::string result;  // listed | clean | unknown
    std::string codes;   // JSON array of the A records
    std::string txt;     // TXT records joined by newlines; "" = NULL
    std::string meaning; // "" = NULL
    std::string node;    // the node that asked (schema 018); "" = NULL
};

// Inserts one row (in the caller's transaction); returns its id.
std::int64_t insert_dnsbl_check(Database& db, const DnsblCheckRow& row);

} // namespace smtpprobe::store
