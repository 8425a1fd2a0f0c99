// Where receivers' reports come from and how they are unpacked: a report file (DMARC XML,
// TLS-RPT JSON, an SNDS CSV), the same gzip-compressed (.gz) or zipped (.zip), or a mail that
// carries one as an attachment (a single message file, an mbox, a Maildir or a folder of
// messages, or stdin). Each report document found is handed over as one ReportDocument;
// whatever cannot be unpacked (a zip bomb, a broken archive, a mail without a report) is
// handed over as a document with an error, so the caller counts it as malformed and goes on.
//
// What a document is comes from its bytes, never from its name: gzip and zip by their magic
// numbers, a mail by its header block, XML and JSON by their first character.
//
// Contract: hostile input. Every decompression is bounded by k_max_report_bytes of output and
// by a ratio of k_max_ratio output bytes per input byte past the first MiB (a zip bomb stops
// there with an error); a zip yields at most k_max_zip_entries documents; mails are read with
// the bounce reader's bounds (message_source.hpp) and nested at most k_max_nesting deep. An
// unreadable path throws SourceError naming it; nothing else throws.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// Output bounds of one unpacked document.
inline constexpr std::size_t k_max_report_bytes = 64 * 1024 * 1024;
inline constexpr std::size_t k_max_ratio = 500;
inline constexpr std::size_t k_max_zip_entries = 16;
inline constexpr int k_max_nesting = 4;

// One report document, unpacked.
struct ReportDocument {
    std::string origin;  // "path", "path#3" (third message of an mbox), "...:name.xml" (entry)
    std::string name;    // the attachment's or zip entry's file name, "" when none
    std::string content; // the document's bytes (empty when error is set)
    std::string error;   // why it could not be unpacked ("" when it could)
};

// Called once per document, in source order.
using DocumentSink = std::function<void(ReportDocument&)>;

// Reads every report under path ("-" = stdin). Throws SourceError when path cannot be read.
void read_report_documents(const std::string& path, const DocumentSink& sink);

// Unpacks one blob read from origin: gzip and zip are opened (nested up to k_max_nesting),
// a mail's report attachments are extracted, anything else is passed on as it is.
void unpack_report_blob(std::string_view blob, const std::string& origin, const DocumentSink& sink,
                        int depth = 0);

// Inflates a gzip stream (members concatenated; trailing bytes after the last member, such
// as a line end some mailers add, ignored). false with *error set when it is not gzip, is
// truncated or corrupt, or breaks the output bounds.
bool gunzip_bounded(std::string_view gz, std::string& out, std::string* error);

} // namespace smtpprobe::ingest
