// The terminal sink: makes peer text safe to show on a terminal, in a log, the journal or a
// cron mail. Control bytes, escape sequences, bidi overrides and invalid UTF-8 become visible
// escapes, and the result is truncated to a limit. Peer text is hostile; it never reaches a
// terminal, a log or a mail without passing through here. The other sinks have one function
// each: JSON (probe/text/json_output.hpp), Prometheus labels (web/metrics/metrics.hpp), the
// dashboard's HTML (sp.el and sp.shown in web/assets/app.js).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpprobe {

// Returns text with every byte outside printable ASCII / well-formed UTF-8 replaced by \xHH:
// C0 controls, DEL, invalid UTF-8 and the bytes of code points that control display (C1,
// bidi embeddings/overrides/isolates, U+2028/2029, see probe/text/utf8.hpp). CR becomes \r,
// LF \n, TAB \t, and backslash is doubled, so the output can be read back unambiguously.
// The output is valid UTF-8 without control characters, at most max_bytes + 6 bytes long;
// when cut, it ends with "...".
std::string printable(std::string_view text, std::size_t max_bytes = 4096);

} // namespace smtpprobe
