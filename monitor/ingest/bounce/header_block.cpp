// Strict header block reading for the simple-message path (see header_block.hpp).
#include "monitor/ingest/bounce/header_block.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/gmime_entity.hpp"
#include "monitor/ingest/bounce/mime_reader.hpp"

#include <algorithm>
#include <gmime/gmime.h>

namespace smtpprobe::ingest {

namespace {

bool is_name_char(char c)
{
    return c > 32 && c < 127 && c != ':';
}

// GMime's lwsp: what g_mime_utils_header_unfold trims.
bool is_lwsp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 2045 token characters (no tspecials, no controls, ASCII only).
bool is_token_char(char c)
{
    if (c <= 32 || c >= 127) {
        return false;
    }
    switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '@':
    case ',':
    case ';':
    case ':':
    case '\\':
    case '"':
    case '/':
    case '[':
    case ']':
    case '?':
    case '=':
        return false;
    default:
        return true;
    }
}

bool only_blanks(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; });
}

char lower_char(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower_copy(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        c = lower_char(c);
    }
    return out;
}

// What g_mime_utils_header_unfold gives: lwsp trimmed at both ends, CR and LF removed.
std::string unfold(std::string_view raw)
{
    std::size_t b = 0;
    while (b < raw.size() && is_lwsp(raw[b])) {
        ++b;
    }
    std::size_t e = raw.size();
    while (e > b && is_lwsp(raw[e - 1])) {
        --e;
    }
    const std::string_view value = raw.substr(b, e - b);
    std::string out;
    out.reserve(value.size());
    // The runs between line breaks appended whole (most values have none: one append).
    std::size_t pos = 0;
    std::size_t lf = find_char(value, '\n');
    std::size_t cr = find_char(value, '\r');
    while (pos < value.size()) {
        // Each search resumes only once passed: linear however many folds.
        if (lf < pos) {
            lf = find_char(value, '\n', pos);
        }
        if (cr < pos) {
            cr = find_char(value, '\r', pos);
        }
        const std::size_t stop = std::min(lf, cr);
        if (stop == std::string_view::npos) {
            out.append(value.substr(pos));
            break;
        }
        out.append(value.substr(pos, stop - pos));
        pos = stop + 1;
    }
    return out;
}

std::size_t skip_lwsp(std::string_view text, std::size_t pos)
{
    while (pos < text.size() && is_lwsp(text[pos])) {
        ++pos;
    }
    return pos;
}

std::size_t token_end(std::string_view text, std::size_t pos)
{
    while (pos < text.size() && is_token_char(text[pos])) {
        ++pos;
    }
    return pos;
}

} // namespace

bool scan_header_block(std::string_view text, std::vector<RawField>& fields,
                       std::size_t& body_start, BlockShape shape)
{
    fields.clear();
    fields.reserve(32); // one allocation for a usual block instead of one per doubling
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = find_char(text, '\n', pos);
        if (end == std::string_view::npos) {
            if (!shape.may_end_at_eof) {
                return false; // no blank line: a truncated header
            }
            end = text.size();
        }
        const std::string_view line = text.substr(pos, end - pos);
        if (line.empty()) {
            body_start = end + 1;
            return !fields.empty() || shape.may_be_empty;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (fields.empty() || only_blanks(line)) {
                return false;
            }
            RawField& last = fields.back();
            last.raw = std::string_view(
                last.raw.data(),
                static_cast<std::size_t>(line.data() + line.size() - last.raw.data()));
        } else {
            std::size_t colon = 0;
            while (colon < line.size() && is_name_char(line[colon])) {
                ++colon;
            }
            if (colon == 0 || colon == line.size() || line[colon] != ':' ||
                fields.size() >= k_max_block_fields) {
                return false;
            }
            fields.push_back(RawField{line.substr(0, colon), line.substr(colon + 1)});
        }
        pos = end + 1;
    }
    body_start = text.size();
    return shape.may_end_at_eof && !fields.empty();
}

bool same_name(std::string_view name, std::string_view lower)
{
    if (name.size() != lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (lower_char(name[i]) != lower[i]) {
            return false;
        }
    }
    return true;
}

const RawField* first_field(const std::vector<RawField>& fields, std::string_view lower)
{
    for (const RawField& field : fields) {
        if (same_name(field.name, lower)) {
            return &field;
        }
    }
    return nullptr;
}

const RawField* last_field(const std::vector<RawField>& fields, std::string_view lower)
{
    const RawField* found = nullptr;
    for (const RawField& field : fields) {
        if (same_name(field.name, lower)) {
            found = &field;
        }
    }
    return found;
}

std::size_t count_fields(const std::vector<RawField>& fields, std::string_view lower)
{
    std::size_t n = 0;
    for (const RawField& field : fields) {
        n += same_name(field.name, lower) ? 1 : 0;
    }
    return n;
}

std::string decoded_value(const RawField* field)
{
    if (field == nullptr) {
        return {};
    }
    return decoded_header_text(unfold(field->raw));
}

std::string decoded_header_text(std::string value)
{
    if (!contains_pair(value, '=', '?') && is_plain_ascii(value)) {
        return value; // nothing GMime's decoder would change (and it opens an iconv each call)
    }
    init_gmime();
    return owned_string(g_mime_utils_header_decode_text(nullptr, value.c_str()));
}

std::string decoded_message_id(const std::string& value)
{
    if (value.empty()) {
        return {};
    }
    init_gmime();
    return owned_string(g_mime_utils_decode_message_id(value.c_str()));
}

const std::string* PlainContentType::param(std::string_view lower) const
{
    for (const auto& [name, value] : params) {
        if (name == lower) {
            return &value;
        }
    }
    return nullptr;
}

std::optional<PlainContentType> parse_plain_content_type(std::string_view raw)
{
    for (char c : raw) {
        // '(' (a comment) only passes inside a quoted value: elsewhere it stops a token.
        if (static_cast<unsigned char>(c) >= 0x80 || c == '\\' || c == '\0') {
            return std::nullopt;
        }
    }
    if (contains_pair(raw, '=', '?')) {
        return std::nullopt;
    }
    PlainContentType out;
    out.params.reserve(4); // report-type, boundary, charset ...: one allocation
    std::size_t pos = skip_lwsp(raw, 0);
    const std::size_t type_end = token_end(raw, pos);
    if (type_end == pos || type_end >= raw.size() || raw[type_end] != '/') {
        return std::nullopt;
    }
    const std::size_t sub_end = token_end(raw, type_end + 1);
    if (sub_end == type_end + 1) {
        return std::nullopt;
    }
    out.type = lower_copy(raw.substr(pos, sub_end - pos));
    pos = skip_lwsp(raw, sub_end);
    while (pos < raw.size()) {
        if (raw[pos] != ';') {
            return std::nullopt;
        }
        pos = skip_lwsp(raw, pos + 1);
        if (pos == raw.size()) {
            break; // a trailing ';'
        }
        const std::size_t name_end = token_end(raw, pos);
        if (name_end == pos) {
            return std::nullopt;
        }
        std::string name = lower_copy(raw.substr(pos, name_end - pos));
        if (name.find('*') != std::string::npos || out.param(name) != nullptr) {
            return std::nullopt; // RFC 2231 or a parameter given twice
        }
        pos = skip_lwsp(raw, name_end);
        if (pos == raw.size() || raw[pos] != '=') {
            return std::nullopt;
        }
        pos = skip_lwsp(raw, pos + 1);
        std::string value;
        if (pos < raw.size() && raw[pos] == '"') {
            const std::size_t close = find_char(raw, '"', pos + 1);
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            value = std::string(raw.substr(pos + 1, close - pos - 1));
            if (value.find_first_of("\r\n") != std::string::npos) {
                return std::nullopt;
            }
            pos = close + 1;
        } else {
            const std::size_t value_end = token_end(raw, pos);
            if (value_end == pos) {
                return std::nullopt;
            }
            value = std::string(raw.substr(pos, value_end - pos));
            pos = value_end;
        }
        out.params.emplace_back(std::move(name), std::move(value));
        pos = skip_lwsp(raw, pos);
    }
    return out;
}

} // namespace smtpprobe::ingest
