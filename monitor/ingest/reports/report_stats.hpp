// The counts every report ingest keeps (DMARC, TLS-RPT, SNDS files): the fields of the last
// --json line's "summary" (read, new, malformed, skipped) and what the reports held.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::ingest {

// The counts of one ingest (the last --json line's "summary").
struct ReportIngestStats {
    std::uint64_t read = 0;      // report documents read (after unpacking)
    std::uint64_t fresh = 0;     // new reports stored ("new")
    std::uint64_t malformed = 0; // documents that are not reports, with a reason
    std::uint64_t skipped = 0;   // reports stored before (same identity)
    std::uint64_t records = 0;   // records (DMARC) or policies (TLS-RPT) of parsed reports
    std::uint64_t messages = 0;  // messages (DMARC) or sessions (TLS-RPT) they count
    std::uint64_t evidence = 0;  // observations handed to the evidence stream
    std::uint64_t findings = 0;  // new findings
    std::vector<std::string> malformed_samples; // "origin: why" (at most 20)

    // Counts a malformed document and keeps its first reasons.
    void add_malformed(const std::string& origin, const std::string& why)
    {
        ++malformed;
        if (malformed_samples.size() < 20) {
            malformed_samples.push_back(origin + ": " + why);
        }
    }
};

} // namespace smtpprobe::ingest
