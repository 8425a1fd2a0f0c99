// Writing JSON text straight into a string, for the few answers that carry thousands of rows
// (the timeline's evidence), where building a nlohmann::json tree per row costs more than
// the query. Strings are escaped as RFC 8259 requires; text that is not valid UTF-8 (peer
// bytes) goes through nlohmann's serialiser with invalid sequences replaced, exactly as the
// rest of the API does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::web {

// Appends "text" (quoted, escaped).
void append_json_string(std::string& out, std::string_view text);
// Appends "text" or null.
void append_json_optional(std::string& out, const std::optional<std::string>& text);
void append_json_int(std::string& out, std::int64_t value);

// Whether text is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

} // namespace smtpprobe::web
