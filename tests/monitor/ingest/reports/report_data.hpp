// Helpers for the report tests: the real published reports in tests/data/reports (see its
// README for sources and licences), read whole or unpacked like `ingest` unpacks them.
#pragma once

#include "monitor/ingest/reports/report_input.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

namespace smtpprobe::test {

// The path of a file under tests/data/reports.
inline std::string report_data(const std::string& name)
{
    return std::string(SMTPPROBE_SOURCE_DIR) + "/tests/data/reports/" + name;
}

// Every document unpacked from a path (file, .gz, .zip, mail), errors included.
inline std::vector<ingest::ReportDocument> unpacked(const std::string& path)
{
    std::vector<ingest::ReportDocument> out;
    ingest::read_report_documents(path, [&](ingest::ReportDocument& d) { out.push_back(d); });
    return out;
}

// The one document unpacked from a path; fails the test when there is not exactly one.
inline std::string single_document(const std::string& path)
{
    auto docs = unpacked(path);
    REQUIRE(docs.size() == 1);
    INFO(docs[0].error);
    REQUIRE(docs[0].error.empty());
    return docs[0].content;
}

} // namespace smtpprobe::test
