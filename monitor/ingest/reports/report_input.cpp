// Reading and unpacking receivers' reports (see report_input.hpp): paths, gzip, and the
// dispatch to zip (report_zip.cpp) and mail (report_mail.cpp) readers.
#include "monitor/ingest/reports/report_input.hpp"

#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/reports/report_unpack.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>
#include <zlib.h>

namespace smtpprobe::ingest {

namespace {

namespace fs = std::filesystem;

// The largest file read whole (a zip of many reports, a big gzip): past it the file is
// reported as an error document, never loaded.
constexpr std::size_t k_max_file_bytes = k_max_report_bytes;

ReportDocument error_document(const std::string& origin, const std::string& why)
{
    ReportDocument doc;
    doc.origin = origin;
    doc.error = why;
    return doc;
}

// Reads a whole file or stdin, at most limit + 1 bytes (so an oversized input is noticed).
bool read_bounded(const std::string& path, std::string& out, std::size_t limit)
{
    out.clear();
    std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        return false;
    }
    std::vector<char> buffer(1 << 16);
    while (out.size() <= limit) {
        std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file);
        if (n == 0) {
            break;
        }
        out.append(buffer.data(), n);
    }
    const bool failed = std::ferror(file) != 0;
    if (file != stdin) {
        std::fclose(file);
    }
    return !failed;
}

bool starts_with(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

void read_one_file(const std::string& path, const std::string& origin, const DocumentSink& sink)
{
    std::string bytes;
    if (!read_bounded(path, bytes, k_max_file_bytes)) {
        throw SourceError(path + ": cannot read (" + std::strerror(errno) + ")");
    }
    if (bytes.size() > k_max_file_bytes) {
        ReportDocument doc = error_document(origin, "larger than 64 MiB");
        sink(doc);
        return;
    }
    if (starts_with(bytes, "From ")) {
        // An mbox: the bounce reader splits it (bounded, From_ lines and >From unquoting).
        std::string mbox_origin = origin;
        bytes.clear();
        read_messages(path, [&](SourceMessage& message) {
            const std::string where = mbox_origin + "#" + std::to_string(message.index + 1);
            if (message.oversized) {
                ReportDocument doc = error_document(where, "message larger than 16 MiB");
                sink(doc);
            } else {
                unpack_report_blob(message.content, where, sink);
            }
            return true;
        });
        return;
    }
    unpack_report_blob(bytes, origin, sink);
}

std::vector<fs::path> sorted_files(const fs::path& dir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().filename().string().front() != '.') {
            files.push_back(it->path());
        }
    }
    if (ec) {
        throw SourceError(dir.string() + ": cannot list (" + ec.message() + ")");
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

bool gunzip_bounded(std::string_view gz, std::string& out, std::string* error)
{
    out.clear();
    z_stream zs{};
    // 16 + MAX_WBITS: gzip only (no zlib or raw deflate).
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        *error = "cannot start zlib";
        return false;
    }
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    zs.avail_in = static_cast<uInt>(std::min<std::size_t>(gz.size(), UINT32_MAX));
    char buffer[1 << 16];
    bool ok = false;
    for (;;) {
        zs.next_out = reinterpret_cast<Bytef*>(buffer);
        zs.avail_out = sizeof buffer;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buffer, sizeof buffer - zs.avail_out);
        if (out.size() > k_max_report_bytes ||
            (out.size() > (1u << 20) && out.size() / k_max_ratio > gz.size())) {
            *error = "gzip expands past the bounds (" + std::to_string(out.size()) +
                     " bytes from " + std::to_string(gz.size()) + "): refused as a zip bomb";
            break;
        }
        if (rc == Z_STREAM_END) {
            // Another member may follow (concatenated gzip); anything else is trailing junk.
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            ok = true;
            break;
        }
        if (rc != Z_OK) {
            *error = rc == Z_BUF_ERROR ? "gzip data truncated"
                                       : std::string("gzip data corrupt (") +
                                             (zs.msg ? zs.msg : "zlib error") + ")";
            break;
        }
    }
    inflateEnd(&zs);
    if (!ok) {
        out.clear();
    }
    return ok;
}

void unpack_report_blob(std::string_view blob, const std::string& origin, const DocumentSink& sink,
                        int depth)
{
    if (depth > k_max_nesting) {
        ReportDocument doc = error_document(origin, "nested deeper than 4 archives or mails");
        sink(doc);
        return;
    }
    switch (sniff_blob(blob)) {
    case BlobKind::gzip: {
        std::string inflated;
        std::string error;
        if (!gunzip_bounded(blob, inflated, &error)) {
            ReportDocument doc = error_document(origin, error);
            sink(doc);
            return;
        }
        unpack_report_blob(inflated, origin, sink, depth + 1);
        return;
    }
    case BlobKind::zip:
        unpack_zip(blob, origin, sink, depth);
        return;
    case BlobKind::mail:
        unpack_mail(blob, origin, sink, depth);
        return;
    case BlobKind::document:
        break;
    }
    ReportDocument doc;
    doc.origin = origin;
    doc.content.assign(blob);
    sink(doc);
}

void read_report_documents(const std::string& path, const DocumentSink& sink)
{
    if (path == "-") {
        read_one_file(path, "-", sink);
        return;
    }
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        throw SourceError(path + ": no such file or folder");
    }
    if (!fs::is_directory(status)) {
        read_one_file(path, path, sink);
        return;
    }
    const fs::path dir(path);
    const bool maildir = fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec);
    std::vector<fs::path> files;
    if (maildir) {
        for (const char* sub : {"cur", "new"}) {
            if (fs::is_directory(dir / sub, ec)) {
                auto part = sorted_files(dir / sub);
                files.insert(files.end(), part.begin(), part.end());
            }
        }
    } else {
        files = sorted_files(dir);
    }
    for (const fs::path& file : files) {
        read_one_file(file.string(), file.string(), sink);
    }
}

} // namespace smtpprobe::ingest
