// The text format of `smtpprobe db export` (history dumps): line-oriented, versioned, and
// exact: every value reads back as the same kind and the same bytes or bits.
//
//   smtpprobe-history-dump<TAB>1<TAB>schema<TAB>17          header: format 1, schema version
//   table<TAB>probe_run<TAB>id<TAB>started_at<TAB>...        a table and its columns, in order
//   i1<TAB>t2026-03-11T20:18:23Z<TAB>N<TAB>...               one line per row, one value per column
//   rows<TAB>probe_run<TAB>1                                 end of the table: its row count
//   ...                                                      every table of the schema, in order
//   end<TAB>1234                                             end of the dump: all rows
//
// Values: N (NULL); i and a decimal 64-bit integer; r and a double in the shortest decimal
// form that reads back bit-identical (std::to_chars: r0.1, r1e-300, r-0, rinf, rnan); t and
// text whose bytes are kept as they are except: backslash (\\), tab (\t), newline (\n), carriage
// return (\r), the other C0 controls, DEL and the C1 controls (U+0080..U+009F) and every byte
// that is not part of valid UTF-8 (\xhh, two lower-case hex digits). So a line never holds a
// raw tab, newline or terminal control, and any byte string, valid UTF-8 or not, reads back
// identical. Every line ends with a newline; a dump without its end line is truncated.
//
// Reading is strict: anything the writer would not have written is an error (DumpFormatError),
// never a guess.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::store {

inline constexpr std::string_view k_dump_magic = "smtpprobe-history-dump";
inline constexpr int k_dump_format_version = 1;

// A line the format does not allow; what() says why (the caller adds where).
class DumpFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct DumpValue {
    enum class Kind { null, integer, real, text };
    Kind kind = Kind::null;
    std::int64_t integer = 0;
    double real = 0;
    std::string text; // the bytes, decoded

    bool operator==(const DumpValue& other) const;
};

// Appends one value in its dump form.
void append_null(std::string& line);
void append_integer(std::string& line, std::int64_t value);
void append_real(std::string& line, double value);
void append_text(std::string& line, std::string_view bytes);

// Reads one value (one field of a row line, without its tab) into value (reusing its text's
// storage). Throws DumpFormatError.
void parse_value(std::string_view field, DumpValue& value);

// A line's fields: split at tabs (a row line has one field per column). Reuses fields.
void split_fields(std::string_view line, std::vector<std::string_view>& fields);

// A decimal 64-bit integer as the writer writes it (no sign '+', no spaces, no leading zeros
// beyond "0"); nullopt otherwise.
bool parse_int64(std::string_view text, std::int64_t& out);

} // namespace smtpprobe::store
