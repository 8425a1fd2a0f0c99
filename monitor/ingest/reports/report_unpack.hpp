// The readers report_input dispatches to: what a blob is (by its bytes), zip archives
// (libarchive) and mails carrying reports (GMime). Internal to monitor/ingest/reports.
//
// Contract: the same bounds as report_input.hpp; every failure becomes an error document
// handed to the sink; nothing throws.
#pragma once

#include "monitor/ingest/reports/report_input.hpp"

#include <string>
#include <string_view>

namespace smtpprobe::ingest {

enum class BlobKind { gzip, zip, mail, document };

// gzip (1f 8b), zip (PK\3\4 or an empty PK\5\6 archive), a mail (its first line is a header
// field "Name: ..." and it is not XML or JSON), else a document for the parsers.
BlobKind sniff_blob(std::string_view blob);

// Each regular entry of a zip archive, unpacked (bounded) and passed on to unpack_report_blob.
void unpack_zip(std::string_view zip, const std::string& origin, const DocumentSink& sink,
                int depth);

// The report attachments of a mail (gzip, zip, XML, JSON parts, and forwarded messages),
// each passed on to unpack_report_blob; an error document when it carries none.
void unpack_mail(std::string_view mail, const std::string& origin, const DocumentSink& sink,
                 int depth);

} // namespace smtpprobe::ingest
