// The simple-message fast path of the MIME reader (see simple_mime.hpp). Each step mirrors
// what the GMime walk (mime_reader.cpp) does with the objects GMime would build; each refusal
// is a place where GMime's reading could differ from a plain scan.
#include "monitor/ingest/bounce/simple_mime.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_block.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/part_content.hpp"
#include "monitor/ingest/bounce/unread_headers.hpp"

#include <algorithm>
#include <gmime/gmime.h>

namespace smtpprobe::ingest {

namespace {

constexpr std::size_t k_max_boundary = 200;

struct Line {
    std::string_view text; // without its LF
    std::size_t start = 0; // offset of its first byte
    std::size_t next = 0;  // offset of the following line
};

enum class Found { none, delimiter, close };

// How a multipart's scan ended.
enum class End { closed, eof, failed };

bool only_lwsp(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// An HTML part kept aside: read only when there is no text/plain part.
struct PendingHtml {
    std::size_t index = 0;
    std::string_view content;
    std::optional<GMimeContentEncoding> encoding;
    std::string charset;
    bool has_charset = false;
};

class SimpleWalk {
public:
    // depth: how deep text is nested (a forwarded report's walk starts below its part).
    SimpleWalk(std::string_view text, MimeMessage& out, int depth = 0)
        : m_text(text), m_out(out), m_depth(depth)
    {
    }

    // Reads the message's own header fields into out; false when they are not simple.
    bool read_top(std::vector<RawField>& fields, std::size_t& body_start);
    // Reads the body at body_start of an entity with these fields and content type.
    bool read_body(const std::vector<RawField>& fields, const PlainContentType* type,
                   std::size_t body_start);
    // Decodes the HTML parts kept aside when there is no text/plain part.
    bool finish_html();

private:
    Line line_at(std::size_t pos) const;
    // Which boundary of the stack line is (innermost first, as GMime checks).
    Found match(std::string_view line, std::size_t& level) const;
    End read_multipart(std::size_t pos, const std::string& boundary, int depth, std::size_t& after);
    bool read_leaf(const std::string& type, const PlainContentType* ct,
                   const std::vector<RawField>& fields, std::string_view content);
    bool read_embedded(std::string_view text);
    bool read_forwarded_report(std::string_view text, const std::vector<RawField>& fields,
                               const PlainContentType& ct, std::size_t body_start);

    std::string_view m_text;
    MimeMessage& m_out;
    std::vector<std::string> m_stack; // "--boundary", innermost last
    std::vector<PendingHtml> m_html;
    int m_depth = 0;
};

Line SimpleWalk::line_at(std::size_t pos) const
{
    const std::size_t end = find_char(m_text, '\n', pos);
    if (end == std::string_view::npos) {
        return {m_text.substr(pos), pos, m_text.size()};
    }
    return {m_text.substr(pos, end - pos), pos, end + 1};
}

Found SimpleWalk::match(std::string_view line, std::size_t& level) const
{
    if (line.size() < 2 || line[0] != '-' || line[1] != '-') {
        return Found::none;
    }
    for (std::size_t i = m_stack.size(); i-- > 0;) {
        const std::string& delimiter = m_stack[i];
        if (!line.starts_with(delimiter)) {
            continue;
        }
        const std::string_view rest = line.substr(delimiter.size());
        level = i;
        if (rest.starts_with("--") && only_lwsp(rest.substr(2))) {
            return Found::close;
        }
        if (only_lwsp(rest)) {
            return Found::delimiter;
        }
    }
    return Found::none;
}

End SimpleWalk::read_multipart(std::size_t pos, const std::string& boundary, int depth,
                               std::size_t& after)
{
    if (boundary.empty() || boundary.size() > k_max_boundary || depth >= k_max_simple_depth) {
        return End::failed;
    }
    m_stack.push_back("--" + boundary);
    const std::size_t mine = m_stack.size() - 1;
    std::size_t level = 0;
    // The preamble, up to the first delimiter: a multipart without one is left to GMime.
    for (;;) {
        if (pos >= m_text.size()) {
            return End::failed;
        }
        if (m_text[pos] != '-') {
            // Only a line starting with "--" can be a delimiter: jump to the next line that
            // starts with '-' (one SSE2 scan instead of a visit per line).
            const std::size_t before = find_line_before(m_text, pos, '-', '-');
            if (before == std::string_view::npos) {
                return End::failed;
            }
            pos = before + 1;
            continue;
        }
        const Line line = line_at(pos);
        pos = line.next;
        const Found found = match(line.text, level);
        if (found == Found::none) {
            continue;
        }
        if (found != Found::delimiter || level != mine) {
            return End::failed;
        }
        break;
    }
    for (;;) {
        std::vector<RawField> fields;
        std::size_t header_size = 0;
        if (!scan_header_block(m_text.substr(pos), fields, header_size,
                               BlockShape{.may_be_empty = true})) {
            return End::failed;
        }
        for (std::size_t at = pos; at < pos + header_size;) {
            const Line line = line_at(at);
            if (match(line.text, level) != Found::none) {
                return End::failed; // a boundary inside the part's header block
            }
            at = line.next;
        }
        const std::size_t body = pos + header_size;
        if (count_fields(fields, "content-type") > 1 ||
            count_fields(fields, "content-transfer-encoding") > 1) {
            return End::failed;
        }
        std::optional<PlainContentType> ct;
        if (const RawField* field = first_field(fields, "content-type")) {
            ct = parse_plain_content_type(field->raw);
            if (!ct) {
                return End::failed;
            }
        }
        const std::string type = ct ? ct->type : std::string("text/plain");
        pos = body;
        if (type.starts_with("multipart/")) {
            const std::string* inner = ct->param("boundary");
            if (type == "multipart/digest" || inner == nullptr) {
                return End::failed;
            }
            std::size_t inner_after = 0;
            const End end = read_multipart(body, *inner, depth + 1, inner_after);
            if (end != End::closed) {
                return end;
            }
            pos = inner_after;
        }
        // The part's content (a leaf) or the inner multipart's epilogue, up to our next line.
        Found found = Found::none;
        std::size_t content_end = m_text.size();
        while (pos < m_text.size()) {
            if (m_text[pos] != '-') {
                const std::size_t before = find_line_before(m_text, pos, '-', '-');
                if (before == std::string_view::npos) {
                    pos = m_text.size();
                    break;
                }
                pos = before + 1;
                continue;
            }
            const Line line = line_at(pos);
            found = match(line.text, level);
            if (found != Found::none) {
                content_end = line.start;
                pos = line.next;
                break;
            }
            pos = line.next;
        }
        if (found != Found::none && level != mine) {
            return End::failed; // ended by an enclosing boundary
        }
        if (!type.starts_with("multipart/")) {
            std::string_view content = m_text.substr(body, content_end - body);
            if (found != Found::none && !content.empty() && content.back() == '\n') {
                content.remove_suffix(1); // the LF before a boundary belongs to it
            }
            if (!read_leaf(type, ct ? &*ct : nullptr, fields, content)) {
                return End::failed;
            }
        }
        if (found == Found::none) {
            return End::eof;
        }
        if (found == Found::close) {
            m_stack.pop_back();
            after = pos;
            return End::closed;
        }
    }
}

bool SimpleWalk::read_leaf(const std::string& type, const PlainContentType* ct,
                           const std::vector<RawField>& fields, std::string_view content)
{
    if (m_out.parts.size() >= k_max_simple_parts) {
        return false;
    }
    const bool embedded =
        type == "message/rfc822" || type == "message/global" || type == "message/news";
    const bool read = type == "text/plain" || type == "text/rfc822-headers" ||
                      type == "message/delivery-status" ||
                      type == "message/global-delivery-status" || type == "text/delivery-status" ||
                      type == "message/feedback-report";
    if (type == "message/partial" || type.starts_with("multipart/")) {
        return false; // GMime builds other objects for these
    }
    MimePart part;
    part.type = type;
    if (!embedded && !read && type != "text/html") {
        m_out.parts.push_back(std::move(part)); // listed, never read: its encoding is no matter
        return true;
    }
    const std::optional<GMimeContentEncoding> encoding = transfer_encoding(fields);
    const std::string* charset =
        ct != nullptr && type.starts_with("text/") ? ct->param("charset") : nullptr;
    if (type == "text/html") {
        // Read only when the message turns out to have no text/plain part (finish_html).
        m_html.push_back(PendingHtml{m_out.parts.size(), content, encoding,
                                     charset != nullptr ? *charset : std::string(),
                                     charset != nullptr});
        m_out.parts.push_back(std::move(part));
        return true;
    }
    if (!encoding) {
        return false;
    }
    if (embedded && *encoding == GMIME_CONTENT_ENCODING_DEFAULT) {
        // Nothing to decode: the returned original's header is read in place, not copied.
        return read_embedded(content.substr(0, k_max_part_bytes));
    }
    part.text = transfer_decoded(content, *encoding);
    if (embedded) {
        return read_embedded(part.text);
    }
    if (type.starts_with("text/") && !as_text_part(part.text, charset)) {
        return false;
    }
    if (type == "text/rfc822-headers" && !m_out.original) {
        m_out.original = original_from_headers(part.text);
    }
    m_out.parts.push_back(std::move(part));
    return true;
}

bool SimpleWalk::read_embedded(std::string_view text)
{
    if (text.find('\r') != std::string_view::npos || text.find('\0') != std::string_view::npos) {
        return false; // decoded bytes GMime's header parser may read otherwise
    }
    // A returned original that is empty gives GMime no header at all (no original); one that
    // opens with a blank line, an empty header whatever follows: an original of empty fields.
    if (text.empty()) {
        return true;
    }
    if (text[0] == '\n') {
        if (!m_out.original) {
            m_out.original = OriginalMessage();
        }
        return true;
    }
    std::vector<RawField> fields;
    std::size_t body_start = 0;
    if (!scan_header_block(text, fields, body_start, BlockShape{.may_end_at_eof = true}) ||
        count_fields(fields, "content-type") > 1) {
        return false;
    }
    if (const RawField* field = first_field(fields, "content-type")) {
        const std::optional<PlainContentType> ct = parse_plain_content_type(field->raw);
        if (!ct) {
            return false;
        }
        if (ct->type == "multipart/report") {
            return read_forwarded_report(text, fields, *ct, body_start);
        }
    }
    const bool any_read = std::any_of(fields.begin(), fields.end(), [](const RawField& f) {
        return same_name(f.name, "from") || same_name(f.name, "to") ||
               same_name(f.name, "subject") || same_name(f.name, "message-id") ||
               same_name(f.name, "date");
    });
    if (!any_read) {
        return false;
    }
    if (!m_out.original) {
        OriginalMessage original;
        original.message_id = decoded_message_id(decoded_value(last_field(fields, "message-id")));
        original.from = decoded_value(first_field(fields, "from"));
        original.to = decoded_value(first_field(fields, "to"));
        original.subject = decoded_value(last_field(fields, "subject"));
        original.date = decoded_value(first_field(fields, "date"));
        m_out.original = std::move(original);
    }
    return true;
}

// A forwarded report (a message/rfc822 part that is itself a multipart/report): GMime parses
// the part's text as a message of its own and walks its body into the same parts list, then
// decodes that walk's HTML parts if no text/plain part has been listed by then; the forwarded
// message gives no original of its own. The same here, with a walk of its own over the text.
bool SimpleWalk::read_forwarded_report(std::string_view text, const std::vector<RawField>& fields,
                                       const PlainContentType& ct, std::size_t body_start)
{
    // One level of forwarding only: the nesting then stays far below GMime's walk limit (32)
    // whatever the multipart depth on either side (at most k_max_simple_depth each).
    if (m_depth > 0 || body_start >= text.size() || text.starts_with("From ") ||
        count_fields(fields, "content-transfer-encoding") > 1) {
        return false; // no body, or a leading From_ line GMime's own parse would skip
    }
    SimpleWalk inner(text, m_out, m_depth + 1);
    return inner.read_body(fields, &ct, body_start);
}

bool SimpleWalk::finish_html()
{
    const bool any_plain = std::any_of(m_out.parts.begin(), m_out.parts.end(),
                                       [](const MimePart& p) { return p.type == "text/plain"; });
    if (any_plain || m_html.empty()) {
        return true;
    }
    for (const PendingHtml& html : m_html) {
        if (!html.encoding) {
            return false;
        }
        std::string text = transfer_decoded(html.content, *html.encoding);
        if (!as_text_part(text, html.has_charset ? &html.charset : nullptr)) {
            return false;
        }
        m_out.parts[html.index].text = std::move(text);
    }
    return true;
}

bool SimpleWalk::read_top(std::vector<RawField>& fields, std::size_t& body_start)
{
    if (!scan_header_block(m_text, fields, body_start) ||
        count_fields(fields, "content-type") > 1 ||
        count_fields(fields, "content-transfer-encoding") > 1) {
        return false;
    }
    m_out.message_id = decoded_message_id(decoded_value(last_field(fields, "message-id")));
    m_out.subject = decoded_value(last_field(fields, "subject"));
    m_out.date = decoded_value(first_field(fields, "date"));
    m_out.from = decoded_value(first_field(fields, "from"));
    m_out.to = decoded_value(first_field(fields, "to"));
    m_out.auto_submitted = decoded_value(first_field(fields, "auto-submitted"));
    m_out.autoreply_header =
        !decoded_value(first_field(fields, "x-autoreply")).empty() ||
        !decoded_value(first_field(fields, "x-autorespond")).empty() ||
        lower_ascii(decoded_value(first_field(fields, "precedence"))) == "auto_reply";
    for (const RawField& field : fields) {
        if (m_out.markers.size() < k_max_marker_fields && field.name.size() <= 64 &&
            is_marker_field(lower_ascii(field.name))) {
            keep_marker_field(m_out.markers, field.name, decoded_value(&field));
        }
    }
    return true;
}

bool SimpleWalk::read_body(const std::vector<RawField>& fields, const PlainContentType* ct,
                           std::size_t body_start)
{
    const std::string type = ct != nullptr ? ct->type : std::string("text/plain");
    if (!type.starts_with("multipart/")) {
        return read_leaf(type, ct, fields, m_text.substr(body_start)) && finish_html();
    }
    const std::string* boundary = ct->param("boundary");
    if (type == "multipart/digest" || boundary == nullptr) {
        return false;
    }
    std::size_t after = 0;
    const End end = read_multipart(body_start, *boundary, m_depth, after);
    return end != End::failed && finish_html();
}

// The boundary parameter the boundary repair (boundary_repair.cpp) would see: the first
// "boundary=" in the header fields GMime is given (the unread ones are left out first).
// false when it cannot be told from the fields alone.
bool repair_boundary(const std::vector<RawField>& fields, std::string& declared)
{
    declared.clear();
    for (const RawField& field : fields) {
        if (!is_read_header(field.name)) {
            continue;
        }
        if (find_folded(field.name, "boundary=") != std::string_view::npos) {
            return false;
        }
        const std::size_t at = find_folded(field.raw, "boundary=");
        if (at == std::string_view::npos) {
            continue;
        }
        std::string_view value = field.raw.substr(at + 9);
        if (value.starts_with("\"")) {
            value.remove_prefix(1);
            const std::size_t close = value.find('"');
            if (close == std::string_view::npos) {
                return false; // the repair would read on into the next fields
            }
            declared = std::string(value.substr(0, close));
        } else {
            declared = std::string(value.substr(0, value.find_first_of("; \t\n")));
        }
        return true;
    }
    return true;
}

} // namespace

std::optional<MimeMessage> parse_simple_mime(std::string_view whole)
{
    // Two memchr passes (find_first_of would call memchr once per byte).
    if (whole.find('\r') != std::string_view::npos || whole.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    // A leading mbox From_ line (a message saved with its envelope line): GMime skips it. But
    // "From :x" is a From header field (RFC 5322 obs-optional: blanks before the colon), which
    // GMime reads as one: left to GMime.
    std::string_view content = whole;
    if (content.starts_with("From ")) {
        const std::size_t end = content.find('\n');
        const std::size_t colon = content.find_first_not_of(" \t", 4);
        if (end == std::string_view::npos || (colon < end && content[colon] == ':') ||
            lower_ascii(content.substr(0, end)).find("boundary=") != std::string::npos) {
            return std::nullopt;
        }
        content.remove_prefix(end + 1);
    }
    MimeMessage out;
    SimpleWalk walk(content, out);
    std::vector<RawField> fields;
    std::size_t body_start = 0;
    if (!walk.read_top(fields, body_start)) {
        return std::nullopt;
    }
    std::optional<PlainContentType> ct;
    if (const RawField* field = first_field(fields, "content-type")) {
        ct = parse_plain_content_type(field->raw);
        if (!ct) {
            return std::nullopt;
        }
        out.content_type = ct->type;
        const std::string* report = ct->param("report-type");
        out.report_type = report != nullptr ? lower_ascii(*report) : std::string();
    } else {
        out.content_type = "text/plain";
    }
    if (out.content_type.starts_with("multipart/")) {
        // parse_mime would try a boundary repair when the declared boundary never occurs.
        std::string declared;
        if (!repair_boundary(fields, declared)) {
            return std::nullopt;
        }
        if (!declared.empty() && declared.size() <= 200 &&
            content.substr(body_start - 1).find("\n--" + declared) == std::string_view::npos) {
            return std::nullopt;
        }
    }
    if (!walk.read_body(fields, ct ? &*ct : nullptr, body_start)) {
        return std::nullopt;
    }
    return out;
}

} // namespace smtpprobe::ingest
