// /metrics: the store's current facts in the Prometheus text exposition format (version
// 0.0.4), so a fleet of probes can be scraped and alerted on. Label values are escaped as the
// format requires (backslash, double quote, newline).
#pragma once

#include "monitor/store/database.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::web {

// The whole exposition document.
std::string render_metrics(store::Database& db);

// A label value escaped for the exposition format.
std::string escape_label_value(std::string_view value);

// Appends the families of the receivers' reports (SNDS, DMARC, TLS-RPT) to an exposition
// (report_metrics.cpp).
void append_report_metrics(std::string& out, store::Database& db);

// Seconds since the epoch of a stored UTC time ("2026-03-11T20:18:23Z"); nullopt if malformed.
std::optional<long long> epoch_seconds(std::string_view iso_time);

} // namespace smtpprobe::web
