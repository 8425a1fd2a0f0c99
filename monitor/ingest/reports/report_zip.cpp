// Zip archives of reports, read with libarchive (see report_unpack.hpp), and what a blob is.
#include "monitor/ingest/reports/report_unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <memory>

namespace smtpprobe::ingest {

namespace {

struct ArchiveCloser {
    void operator()(archive* a) const { archive_read_free(a); }
};

bool is_header_name_byte(char c)
{
    // RFC 5322 ftext: printable ASCII except ':'.
    return c >= 33 && c <= 126 && c != ':';
}

// libarchive's error text, which it may leave unset (NULL).
std::string archive_why(archive* a)
{
    const char* why = archive_error_string(a);
    return why != nullptr ? why : "no detail";
}

} // namespace

BlobKind sniff_blob(std::string_view blob)
{
    if (blob.size() >= 2 && static_cast<unsigned char>(blob[0]) == 0x1f &&
        static_cast<unsigned char>(blob[1]) == 0x8b) {
        return BlobKind::gzip;
    }
    if (blob.size() >= 4 && blob.substr(0, 2) == "PK" &&
        ((blob[2] == 3 && blob[3] == 4) || (blob[2] == 5 && blob[3] == 6))) {
        return BlobKind::zip;
    }
    std::size_t i = 0;
    if (blob.substr(0, 3) == "\xEF\xBB\xBF") {
        i = 3; // UTF-8 byte order mark
    }
    while (i < blob.size() &&
           (blob[i] == ' ' || blob[i] == '\t' || blob[i] == '\r' || blob[i] == '\n')) {
        ++i;
    }
    if (i < blob.size() && (blob[i] == '<' || blob[i] == '{' || blob[i] == '[')) {
        return BlobKind::document;
    }
    // A header field name, then ':' on the first line.
    std::size_t j = 0;
    while (j < blob.size() && j < 200 && is_header_name_byte(blob[j])) {
        ++j;
    }
    if (j > 0 && j < blob.size() && blob[j] == ':') {
        return BlobKind::mail;
    }
    return BlobKind::document;
}

void unpack_zip(std::string_view zip, const std::string& origin, const DocumentSink& sink,
                int depth)
{
    auto fail = [&](const std::string& where, const std::string& why) {
        ReportDocument doc;
        doc.origin = where;
        doc.error = why;
        sink(doc);
    };
    std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK) {
        fail(origin, "not a readable zip archive (" + archive_why(a.get()) + ")");
        return;
    }
    std::size_t entries = 0;
    std::size_t total = 0;
    archive_entry* entry = nullptr;
    for (;;) {
        const int rc = archive_read_next_header(a.get(), &entry);
        if (rc == ARCHIVE_EOF) {
            break;
        }
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            fail(origin, "zip archive corrupt (" + archive_why(a.get()) + ")");
            return;
        }
        if (archive_entry_filetype(entry) != AE_IFREG) {
            continue;
        }
        const char* raw_name = archive_entry_pathname(entry);
        const std::string name = raw_name ? raw_name : "";
        const std::string where = origin + ":" + name;
        if (++entries > k_max_zip_entries) {
            fail(origin, "zip archive holds more than 16 files: the rest skipped");
            return;
        }
        if (archive_entry_is_encrypted(entry)) {
            fail(where, "zip entry is encrypted");
            continue;
        }
        std::string content;
        char buffer[1 << 16];
        bool bounded = true;
        for (;;) {
            const la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
            if (n < 0) {
                fail(where, "zip entry corrupt (" + archive_why(a.get()) + ")");
                bounded = false;
                break;
            }
            if (n == 0) {
                break;
            }
            content.append(buffer, static_cast<std::size_t>(n));
            total += static_cast<std::size_t>(n);
            if (total > k_max_report_bytes ||
                (total > (1u << 20) && total / k_max_ratio > zip.size())) {
                fail(where, "zip expands past the bounds (" + std::to_string(total) +
                                " bytes from " + std::to_string(zip.size()) +
                                "): refused as a zip bomb");
                return; // the rest of the archive is not read either
            }
        }
        if (!bounded) {
            continue;
        }
        unpack_report_blob(content, where, sink, depth + 1);
    }
    if (entries == 0) {
        fail(origin, "zip archive holds no file");
    }
}

} // namespace smtpprobe::ingest
