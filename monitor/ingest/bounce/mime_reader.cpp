// GMime 3 walk of one message into MimeMessage (see mime_reader.hpp).
#include "monitor/ingest/bounce/mime_reader.hpp"

#include "monitor/ingest/bounce/boundary_repair.hpp"
#include "monitor/ingest/bounce/gmime_entity.hpp"
#include "monitor/ingest/bounce/header_block.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/simple_mime.hpp"
#include "monitor/ingest/bounce/unread_headers.hpp"
#include "probe/text/utc_time.hpp"

#include <algorithm>
#include <atomic>
#include <gmime/gmime.h>
#include <mutex>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMTPPROBE_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SMTPPROBE_LSAN 1
#endif
#ifdef SMTPPROBE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace smtpprobe::ingest {

namespace {

// Allocations made while it lives are not reported by LeakSanitizer (sanitizer builds only).
struct LeakCheckPause {
#ifdef SMTPPROBE_LSAN
    LeakCheckPause()
    {
        __lsan_disable();
    }
    ~LeakCheckPause()
    {
        __lsan_enable();
    }
#endif
    LeakCheckPause(const LeakCheckPause&) = delete;
    LeakCheckPause& operator=(const LeakCheckPause&) = delete;
#ifndef SMTPPROBE_LSAN
    LeakCheckPause() = default;
#endif
};

std::string media_type(GMimeObject* object)
{
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    if (ct == nullptr) {
        return "text/plain";
    }
    const char* type = g_mime_content_type_get_media_type(ct);
    const char* sub = g_mime_content_type_get_media_subtype(ct);
    return lower_ascii(std::string(type != nullptr ? type : "text") + "/" +
                       (sub != nullptr ? sub : "plain"));
}

// The bytes of a leaf part with its transfer encoding (base64, quoted-printable) undone.
std::string decoded_bytes(GMimePart* part)
{
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) {
        return {};
    }
    GObjectRef<GMimeStream> mem(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(content, mem.ptr);
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.ptr));
    std::size_t size = bytes->len < k_max_part_bytes ? bytes->len : k_max_part_bytes;
    return std::string(reinterpret_cast<const char*>(bytes->data), size);
}

// The decoded bytes of a leaf part; text parts converted to UTF-8 from their charset, as
// g_mime_text_part_get_text does (which also ends the text at a NUL byte).
std::string part_text(GMimePart* part)
{
    if (!GMIME_IS_TEXT_PART(part)) {
        return decoded_bytes(part);
    }
    const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    std::string text = decoded_bytes(part);
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (charset != nullptr && !(ascii && is_ascii_superset(charset))) {
        text = owned_string(g_mime_text_part_get_text(GMIME_TEXT_PART(part)));
    }
    const std::size_t nul = text.find('\0');
    if (nul != std::string::npos) {
        text.resize(nul);
    }
    if (text.size() > k_max_part_bytes) {
        text.resize(k_max_part_bytes);
    }
    return text;
}

OriginalMessage original_of(const ParsedEntity& message)
{
    OriginalMessage original;
    original.message_id = message.message_id();
    original.from = header(message.headers(), "From");
    original.to = header(message.headers(), "To");
    original.subject = message.subject();
    original.date = header(message.headers(), "Date");
    return original;
}

// Leaf parts whose text is read only if the message turns out to have no text/plain part.
using PendingHtml = std::vector<std::pair<std::size_t, GMimePart*>>;

// The part types the bounce parser reads the text of; any other part is listed, not decoded.
bool text_is_read(const std::string& type)
{
    return type == "text/plain" || type == "text/rfc822-headers" ||
           type == "message/delivery-status" || type == "message/global-delivery-status" ||
           type == "text/delivery-status" || type == "message/feedback-report";
}

bool is_embedded_message(const std::string& type)
{
    return type == "message/rfc822" || type == "message/global" || type == "message/news";
}

// The header block of a message text: up to and including its first blank line.
std::string_view header_block(std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            return text;
        }
        const std::string_view line = text.substr(pos, end - pos);
        if (line.empty() || line == "\r") {
            return text.substr(0, end + 1);
        }
        pos = end + 1;
    }
    return text;
}

void walk(GMimeObject* object, MimeMessage& out, int depth, PendingHtml& html);

void decode_pending(MimeMessage& out, PendingHtml& html)
{
    const bool any_plain = std::any_of(out.parts.begin(), out.parts.end(),
                                       [](const MimePart& p) { return p.type == "text/plain"; });
    if (!any_plain) {
        for (const auto& [index, part] : html) {
            out.parts[index].text = part_text(part);
        }
    }
    html.clear();
}

// A message/rfc822 part (a leaf: GMime is told not to build the returned original's tree, see
// init_gmime): the original's header fields, read by GMime from its header block alone; or,
// when it is itself a multipart/report (a forwarded report), the report inside it.
void read_embedded(GMimePart* part, MimeMessage& out, int depth)
{
    const std::string text = part_text(part);
    const std::string_view head = header_block(text);
    const std::string shorter = without_unread_headers(head);
    const std::string_view fields = shorter.empty() ? head : std::string_view(shorter);
    const ParsedEntity inner(fields);
    if (inner.headers() == nullptr) {
        return;
    }
    GMimeObject* inner_body = inner.body();
    if (inner_body != nullptr && media_type(inner_body) == "multipart/report") {
        const ParsedEntity report(text);
        if (report.body() != nullptr) {
            PendingHtml html;
            walk(report.body(), out, depth + 1, html);
            decode_pending(out, html); // while the report's parts are alive
        }
        return;
    }
    if (!out.original) {
        out.original = original_of(inner);
    }
}

void walk(GMimeObject* object, MimeMessage& out, int depth, PendingHtml& html)
{
    if (object == nullptr || depth > 32 || out.parts.size() > 256) {
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        const int count = g_mime_multipart_get_count(multipart);
        if (count == 0) {
            // A multipart whose boundary was lost (broken Content-Type folding): GMime keeps
            // the whole body as the prologue; read it as plain text.
            const char* prologue = g_mime_multipart_get_prologue(multipart);
            if (prologue != nullptr) {
                MimePart part;
                part.type = "text/plain";
                part.text = std::string(prologue).substr(0, k_max_part_bytes);
                out.parts.push_back(std::move(part));
            }
            return;
        }
        for (int i = 0; i < count; ++i) {
            walk(g_mime_multipart_get_part(multipart, i), out, depth + 1, html);
        }
        return;
    }
    if (!GMIME_IS_PART(object)) {
        return;
    }
    const std::string type = media_type(object);
    if (is_embedded_message(type)) {
        read_embedded(GMIME_PART(object), out, depth);
        return;
    }
    MimePart part;
    part.type = type;
    if (text_is_read(type)) {
        part.text = part_text(GMIME_PART(object));
    } else if (type == "text/html") {
        html.emplace_back(out.parts.size(), GMIME_PART(object));
    }
    if (type == "text/rfc822-headers" && !out.original) {
        out.original = original_from_headers(part.text);
    }
    out.parts.push_back(std::move(part));
}

} // namespace

void init_gmime()
{
    // Checked first without call_once, which costs a few hundred instructions per call (it is
    // called for every decoded header).
    static std::atomic<bool> done{false};
    if (done.load(std::memory_order_acquire)) {
        return;
    }
    static std::once_flag once;
    std::call_once(once, [] {
        // GMime drops (without freeing) the 16-byte entries g_mime_init() registered for the
        // message/* types we register again below: a one-time loss in the library, not a
        // leak per message, kept out of LeakSanitizer's report.
        [[maybe_unused]] const LeakCheckPause pause;
        g_mime_init();
        // message/* parts as plain leaf parts: GMime would otherwise build a whole message
        // object tree for each (the returned original, its parts, every header field) that
        // the parser only reads a few header fields of (read_embedded), and delivery-status
        // or feedback-report fields would have to be written back out to be read.
        for (const char* subtype : {"rfc822", "global", "news", "*"}) {
            g_mime_object_register_type("message", subtype, g_mime_part_get_type());
        }
    });
    done.store(true, std::memory_order_release);
}

OriginalMessage original_from_headers(std::string_view headers)
{
    const std::vector<Field> fields =
        parse_selected_fields(headers, {"message-id", "from", "to", "subject", "date"});
    OriginalMessage original;
    original.message_id = clean_address(field_value(fields, "message-id"));
    original.from = decoded_header_text(field_value(fields, "from"));
    original.to = decoded_header_text(field_value(fields, "to"));
    original.subject = decoded_header_text(field_value(fields, "subject"));
    original.date = field_value(fields, "date");
    return original;
}

std::string iso_utc_date(std::string_view date)
{
    init_gmime();
    const std::string text(date.substr(0, 200));
    GDateTime* parsed = g_mime_utils_header_decode_date(text.c_str());
    if (parsed == nullptr) {
        return {};
    }
    GDateTime* utc = g_date_time_to_utc(parsed);
    g_date_time_unref(parsed);
    if (utc == nullptr) {
        return {};
    }
    std::string out = format_utc(g_date_time_to_unix(utc));
    g_date_time_unref(utc);
    return out;
}

// Opening a converter costs more than the rest of the part: skipped for ASCII text in these.
bool is_ascii_superset(std::string_view charset)
{
    const std::string name = lower_ascii(charset);
    return name == "us-ascii" || name == "ascii" || name == "utf-8" || name == "utf8" ||
           name.starts_with("iso-8859-") || name.starts_with("iso8859-") ||
           name.starts_with("windows-125") || name.starts_with("cp125");
}

namespace {

std::optional<MimeMessage> parse_mime_once(std::string_view content);

} // namespace

std::optional<MimeMessage> parse_mime(std::string_view content)
{
    if (std::optional<MimeMessage> simple = parse_simple_mime(content)) {
        return simple;
    }
    return parse_mime_with_gmime(content);
}

std::optional<MimeMessage> parse_mime_with_gmime(std::string_view whole)
{
    const std::string shorter = without_unread_headers(whole);
    const std::string_view content = shorter.empty() ? whole : std::string_view(shorter);
    std::optional<MimeMessage> out = parse_mime_once(content);
    if (out && out->content_type.starts_with("multipart/")) {
        const std::string repaired = with_repaired_boundary(content);
        if (!repaired.empty()) {
            if (std::optional<MimeMessage> again = parse_mime_once(repaired);
                again && again->parts.size() > out->parts.size()) {
                return again;
            }
        }
    }
    return out;
}

bool is_marker_field(std::string_view lower)
{
    static constexpr std::string_view k_names[] = {
        "received",
        "return-path",
        "x-mailer",
        "x-original-mailer",
        "x-mimeole",
        "x-mlserver",
        "x-failed-recipients",
        "x-ms-embedded-report",
        "x-ms-exchange-message-is-ndr",
        "x-ms-exchange-crosstenant-originalarrivaltime",
        "x-ses-outgoing",
        "x-ymailisg",
        "x-yandex-uniq",
        "x-zohomail",
        "x-gmx-antispam",
        "x-nai-header",
        "x-msg-ref",
        "x-mx-bounce",
        "x-aol-ip",
        "x-message-delivery",
        "x-message-info",
        "x-google-smtp-source",
        "x-gm-message-state",
        "x-ahmailid",
        "x-sef-processed",
    };
    for (std::string_view name : k_names) {
        if (name == lower) {
            return true;
        }
    }
    return false;
}

void keep_marker_field(std::vector<MarkerField>& markers, std::string_view name,
                       std::string_view value)
{
    if (markers.size() >= k_max_marker_fields || name.size() > 64) {
        return;
    }
    std::string lower = lower_ascii(name);
    if (!is_marker_field(lower)) {
        return;
    }
    markers.push_back({std::move(lower), std::string(value.substr(0, k_max_marker_value))});
}

namespace {

std::optional<MimeMessage> parse_mime_once(std::string_view content)
{
    init_gmime();
    const ParsedEntity message(content);
    if (message.headers() == nullptr) {
        return std::nullopt;
    }
    GMimeObject* top = message.headers();
    MimeMessage out;
    out.message_id = message.message_id();
    out.subject = message.subject();
    out.date = header(top, "Date");
    out.from = header(top, "From");
    out.to = header(top, "To");
    out.auto_submitted = header(top, "Auto-Submitted");
    out.autoreply_header = !header(top, "X-Autoreply").empty() ||
                           !header(top, "X-Autorespond").empty() ||
                           lower_ascii(header(top, "Precedence")) == "auto_reply";
    GMimeHeaderList* fields = g_mime_object_get_header_list(top);
    const int field_count = g_mime_header_list_get_count(fields);
    for (int i = 0; i < field_count; ++i) {
        GMimeHeader* field = g_mime_header_list_get_header_at(fields, i);
        const char* name = g_mime_header_get_name(field);
        const char* value = g_mime_header_get_value(field);
        if (name != nullptr) {
            keep_marker_field(out.markers, name, value != nullptr ? value : "");
        }
    }
    if (GMimeObject* body = message.body()) {
        out.content_type = media_type(body);
        GMimeContentType* ct = g_mime_object_get_content_type(body);
        const char* report =
            ct != nullptr ? g_mime_content_type_get_parameter(ct, "report-type") : nullptr;
        out.report_type = report != nullptr ? lower_ascii(report) : std::string();
        PendingHtml html;
        walk(body, out, 0, html);
        decode_pending(out, html);
    }
    return out;
}

} // namespace

} // namespace smtpprobe::ingest
