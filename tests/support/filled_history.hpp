// filled_history: a history written by the real code paths, with the hostile and awkward values
// a copy of it must keep exactly (tests of `db export/import/migrate` and the table copy).
#pragma once

#include "monitor/store/database.hpp"

#include <string>
#include <vector>

namespace smtpprobe::test {

// Texts a peer may send: invalid UTF-8, quotes, newlines and tabs, backslashes, terminal
// escapes (C0 and C1), non-ASCII, and one very long text (256 KiB). No NUL byte (a
// PostgreSQL text cannot hold one).
std::vector<std::string> hostile_texts();

// REAL values that must come back bit-identical: 0.1, 1e-300, the smallest subnormal, 1/3,
// 1e300, 2.5.
std::vector<double> awkward_reals();

// Fills db: the corpus's sendmail seed log and a generated log whose replies carry the hostile
// texts, through LogIngester (deliveries, evidence, findings, cursors, queued messages); one
// probe run per hostile text through store_probe_result (steps, annotations); a note per
// hostile text; an SNDS fetch with data rows holding the awkward reals and a NULL.
// scratch_dir is where the generated log is written.
void fill_history(store::Database& db, const std::string& scratch_dir);

} // namespace smtpprobe::test
