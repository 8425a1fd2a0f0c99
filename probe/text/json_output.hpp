// The JSON sink: every JSON text smtpprobe writes goes through here: `--json` output, the
// dashboard's API, alert payloads (stored, webhook bodies, command-hook stdin, the mail's
// copy). Peer text inside a document is hostile: this never throws on it and the output is
// always valid JSON and valid UTF-8 whose strings carry no raw character that could act on a
// reader: C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates and the line and
// paragraph separators are written as \uXXXX escapes (probe/text/utf8.hpp decides which);
// bytes that are not UTF-8 become U+FFFD. A string that was valid UTF-8 reads back unchanged.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace smtpprobe {

// The document as JSON text: compact when indent < 0, else pretty-printed with that indent.
std::string json_text(const nlohmann::json& document, int indent = -1);

// Appends text as one JSON string (quoted, escaped as above), for answers written directly
// rather than built as a nlohmann::json tree (thousands of timeline rows).
void append_json_string(std::string& out, std::string_view text);

} // namespace smtpprobe
