// Multipart messages whose declared boundary never occurs in the body: some relays and
// anonymisers rewrite the boundary in the Content-Type header and not in the body (or the
// reverse), and GMime then sees one part where there are several.
//
// Contract: reads at most the header block and the first 64 KiB of the body when looking for
// the boundary really used; never throws.
#pragma once

#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// A copy of content (LF line endings) whose declared multipart boundary is replaced by the
// one the body really uses (the first "--x" line followed by a Content-* header), when the
// declared one never occurs. "" when there is nothing to repair.
std::string with_repaired_boundary(std::string_view content);

} // namespace smtpprobe::ingest
