// Makes peer text safe to show on a terminal or in a log: control bytes, escape sequences and
// invalid UTF-8 become visible escapes, and the result is truncated to a limit. Peer text is
// hostile; it never reaches a terminal, a log or a page without passing through here (or the
// HTML/JSON escapers of the web layer).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpprobe {

// Returns text with every byte outside printable ASCII / valid UTF-8 (other than C1 controls)
// replaced by \xHH, CR by \r, LF by \n, TAB by \t, and backslash doubled. The output is at most
// about max_bytes long; when cut, it ends with "...".
std::string printable(std::string_view text, std::size_t max_bytes = 4096);

} // namespace smtpprobe
