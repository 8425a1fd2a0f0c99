// A strict reader of one MIME header block for the simple-message path (simple_mime): the
// raw fields of a block whose every line is a well-formed "Name: value" field or a folded
// continuation, their values as GMime 3 would give them (unfolded; RFC 2047 words and 8-bit
// text decoded by GMime's own decoder), and a Content-Type value of the plain form
// `type/subtype; name=value; name="value"`.
//
// Contract: peer data, bounded: at most k_max_block_fields fields, and no allocation beyond
// the field list. Anything unusual (a line that is neither a field nor a continuation, a
// whitespace-only line, a block without its blank line, a Content-Type with comments, RFC 2231
// parameters, escapes, encoded words or 8-bit bytes) is refused (false / std::nullopt): the
// caller then leaves the whole message to GMime, which stays the reference.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

inline constexpr std::size_t k_max_block_fields = 512;

// One field as written: name, and raw value (after the colon, folded lines included, without
// the field's last newline).
struct RawField {
    std::string_view name;
    std::string_view raw;
};

// How a header block may look besides its fields.
struct BlockShape {
    bool may_be_empty = false;   // a blank first line: no fields at all (a MIME part's)
    bool may_end_at_eof = false; // no blank line: the text ends inside the header (a returned
                                 // original cut short after its header)
};

// Reads the header block at the start of text. On success fills fields (in order) and
// body_start (the offset just after the blank line, or text.size()) and returns true.
// Refuses (false) a block that GMime might read differently than a plain scan (see the file
// comment), one with more than k_max_block_fields fields, and what shape does not allow.
bool scan_header_block(std::string_view text, std::vector<RawField>& fields,
                       std::size_t& body_start, BlockShape shape = {});

// ASCII case-insensitive equality; lower must be lower case.
bool same_name(std::string_view name, std::string_view lower);

// The first (or last) field named lower (lower case) in fields, nullptr if none.
const RawField* first_field(const std::vector<RawField>& fields, std::string_view lower);
const RawField* last_field(const std::vector<RawField>& fields, std::string_view lower);

// The number of fields named lower.
std::size_t count_fields(const std::vector<RawField>& fields, std::string_view lower);

// The value of a field as g_mime_header_get_value gives it: unfolded (folding newlines
// removed, lwsp trimmed at both ends), then RFC 2047 / 8-bit decoded by GMime when the text
// has an "=?" or a byte over 0x7f. "" for nullptr.
std::string decoded_value(const RawField* field);

// g_mime_utils_header_decode_text of an unfolded value; the value itself when it has no "=?",
// no 8-bit and no NUL byte (nothing to decode).
std::string decoded_header_text(std::string value);

// g_mime_utils_decode_message_id of a decoded Message-ID value.
std::string decoded_message_id(const std::string& value);

// A Content-Type value of the plain form. type is "type/subtype" in lower case; params keep
// their values as written (unquoted), names in lower case.
struct PlainContentType {
    std::string type;
    std::vector<std::pair<std::string, std::string>> params;

    // The value of parameter lower, nullptr if absent.
    const std::string* param(std::string_view lower) const;
};

// Parses raw (a Content-Type field's raw value); std::nullopt when it is not of the plain form
// or names a parameter twice.
std::optional<PlainContentType> parse_plain_content_type(std::string_view raw);

} // namespace smtpprobe::ingest
