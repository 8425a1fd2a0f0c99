// The DNSBL zones the checker asks, taken from the configuration ([dnsbl] and its
// [[dnsbl.zone]] tables, or the built-in defaults): `smtpprobe run` and `smtpprobe dnsbl` both
// use this one conversion, so a zone configured once means the same thing in both.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/dnsbl/zone.hpp"

#include <vector>

namespace smtpprobe::dnsbl {

// The enabled zones of `config`, in order. Code kinds: "listed" → abuse, "policy" → policy,
// "clean" → informational (not a listing, e.g. a good reputation level), "error" → dropped (the
// checker reports 127.255.255.x answers as unknown itself). Zones with use_dqs get the DQS key
// when [dnsbl] dqs_key is set.
std::vector<DnsblZone> zones_from_config(const config::Config& config);

// The config kind word for a code kind ("listed", "policy", "clean").
const char* config_kind(CodeKind kind);

} // namespace smtpprobe::dnsbl
