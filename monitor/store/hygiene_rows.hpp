// The SQL of hygiene_check (schema 006): one row per sender hygiene check of an IP (PTR and
// FCrDNS, HELO match, SPF, DMARC), written by monitor/hygiene, read by `status` and the web.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// One check as stored. Optional texts ("" = NULL): the details, records and the policy.
struct HygieneRow {
    std::string ip;
    std::string time;
    std::string helo;
    std::string mail_from_domain;
    std::string ptr_names; // JSON array (written only)
    bool fcrdns = false;
    bool helo_matches = false;
    std::string ptr_detail;
    std::string spf; // the SPF result
    std::string spf_record;
    std::string spf_detail;
    bool dmarc_present = false;
    std::string dmarc_policy;
    std::string dmarc_record;
    std::string dmarc_detail;
    bool all_ok = false;
    bool unknown = false;
    std::string detail; // the whole report as JSON text ("" when not written)
    std::string node;   // the node that checked (schema 018; written only); "" = NULL
};

// Inserts one check (detail is left NULL); returns its id.
std::int64_t insert_hygiene_check(Database& db, const HygieneRow& row);
// Sets the JSON text of the whole report on a stored check.
void set_hygiene_detail(Database& db, std::int64_t id, const std::string& detail);
// The newest check of one IP by time (then id), if any (records and ptr_names not read).
std::optional<HygieneRow> read_latest_hygiene_of(Database& db, const std::string& ip);
// The newest check of each IP (the highest id), ordered by IP (records not read).
std::vector<HygieneRow> read_latest_hygiene(Database& db);

} // namespace smtpprobe::store
