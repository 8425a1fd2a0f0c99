// Mails that carry reports (see report_unpack.hpp): GMime parses the message and decodes the
// transfer encoding of every part that may be a report; each is unpacked like a file.
#include "monitor/ingest/bounce/gmime_entity.hpp"
#include "monitor/ingest/bounce/mime_reader.hpp"
#include "monitor/ingest/reports/report_unpack.hpp"

#include <algorithm>
#include <gmime/gmime.h>

namespace smtpprobe::ingest {

namespace {

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool ends_with(const std::string& text, const char* suffix)
{
    const std::string s(suffix);
    return text.size() >= s.size() && text.compare(text.size() - s.size(), s.size(), s) == 0;
}

// Whether a part may hold a report: by its media type (RFC 7489 section 7.2.1.1 names gzip
// and zip; RFC 8460 section 5.3 application/tlsrpt+json and +gzip; senders also use XML and
// octet-stream types) or by its file name.
bool may_hold_report(const std::string& type, const std::string& filename)
{
    static const char* const k_types[] = {
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "application/x-zip",
        "application/x-zip-compressed",
        "application/xml",
        "text/xml",
        "application/tlsrpt+json",
        "application/tlsrpt+gzip",
        "application/json",
        "application/octet-stream",
        "application/x-compressed",
        "application/gzip-compressed",
    };
    for (const char* known : k_types) {
        if (type == known) {
            return true;
        }
    }
    const std::string name = lower(filename);
    return ends_with(name, ".xml") || ends_with(name, ".gz") || ends_with(name, ".zip") ||
           ends_with(name, ".json");
}

// The decoded content of a leaf part (transfer encoding undone).
std::string part_bytes(GMimeObject* object)
{
    GMimeDataWrapper* wrapper = nullptr;
    if (GMIME_IS_PART(object)) {
        wrapper = g_mime_part_get_content(GMIME_PART(object));
    }
    if (wrapper == nullptr) {
        return {};
    }
    GObjectRef<GMimeStream> out(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(wrapper, out.ptr);
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.ptr));
    return bytes ? std::string(reinterpret_cast<const char*>(bytes->data), bytes->len)
                 : std::string();
}

struct Walk {
    const std::string& origin;
    const DocumentSink& sink;
    int depth;
    int found = 0;
};

void walk(GMimeObject* object, Walk& w, int level)
{
    if (object == nullptr || level > 16) {
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        const int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count && i < 64; ++i) {
            walk(g_mime_multipart_get_part(multipart, i), w, level + 1);
        }
        return;
    }
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    const std::string type =
        ct ? lower(owned_string(g_mime_content_type_get_mime_type(ct))) : std::string();
    std::string filename;
    if (GMIME_IS_PART(object)) {
        const char* name = g_mime_part_get_filename(GMIME_PART(object));
        filename = name ? name : "";
    }
    const bool forwarded = type == "message/rfc822";
    if (!forwarded && !may_hold_report(type, filename)) {
        return;
    }
    std::string bytes = part_bytes(object);
    if (bytes.empty()) {
        return;
    }
    ++w.found;
    const std::string where = w.origin + (filename.empty() ? "" : ":" + filename);
    unpack_report_blob(bytes, where, w.sink, w.depth + 1);
}

} // namespace

void unpack_mail(std::string_view mail, const std::string& origin, const DocumentSink& sink,
                 int depth)
{
    init_gmime();
    ParsedEntity entity(mail);
    Walk w{origin, sink, depth};
    walk(entity.body(), w, 0);
    if (w.found == 0) {
        ReportDocument doc;
        doc.origin = origin;
        doc.error = "a mail without a report attachment";
        sink(doc);
    }
}

} // namespace smtpprobe::ingest
