// Writing JSON text straight into a string, for the few answers that carry thousands of rows
// (the timeline's evidence), where building a nlohmann::json tree per row costs more than
// the query. Strings go through the JSON sink (probe/text/json_output.hpp), as every other
// JSON the program writes.
#pragma once

#include "probe/text/json_output.hpp"
#include "probe/text/utf8.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::web {

// Appends "text" (quoted, escaped by the JSON sink).
using smtpprobe::append_json_string;
// Appends "text" or null.
void append_json_optional(std::string& out, const std::optional<std::string>& text);
void append_json_int(std::string& out, std::int64_t value);
// Whether text is well-formed UTF-8 (no overlongs, no surrogates).
using smtpprobe::is_valid_utf8;

} // namespace smtpprobe::web
