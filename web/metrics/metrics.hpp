// /metrics: the store's current facts in the Prometheus text exposition format (version
// 0.0.4), so a fleet of probes can be scraped and alerted on. Every label value goes through
// escape_label_value().
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/store/database.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::web {

// The whole exposition document. The block state per (sending IP, scope) is the one state
// query's (monitor/evidence/state_query.hpp), as `status` and /api/overview show it.
std::string render_metrics(store::Database& db, const config::Config& config);

// The Prometheus sink (web/metrics/label_value.cpp): a label value escaped for the
// exposition format (backslash, double quote, line feed), always valid UTF-8: control
// characters, bidi overrides and invalid bytes appear as the text \xHH; cut at about 1 KiB.
std::string escape_label_value(std::string_view value);

// Appends the families of the receivers' reports (SNDS, DMARC, TLS-RPT) to an exposition
// (report_metrics.cpp).
void append_report_metrics(std::string& out, store::Database& db);

// Seconds since the epoch of a stored UTC time ("2026-03-11T20:18:23Z"); nullopt if malformed.
std::optional<long long> epoch_seconds(std::string_view iso_time);

} // namespace smtpprobe::web
