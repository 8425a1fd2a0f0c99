// Unpacking reports (report_input.hpp): gzip and zip from our own tools, mails, mboxes and
// Maildirs, and the bounds: zip and gzip bombs, truncated archives, nesting.
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/reports/report_input.hpp"
#include "monitor/ingest/reports/report_unpack.hpp"
#include "tests/monitor/ingest/reports/report_data.hpp"

#include <doctest/doctest.h>
#include <filesystem>

using namespace smtpprobe;
using namespace smtpprobe::test;

namespace {

std::string xml_of(const std::string& name)
{
    return read_file(report_data("dmarc/" + name));
}

// Runs a shell pipeline of real tools (gzip, zip) in dir; fails the test when it fails.
void shell(const std::string& dir, const std::string& command)
{
    const RunResult r = run({"/bin/sh", "-c", "cd '" + dir + "' && " + command});
    INFO(command << ": " << r.err);
    REQUIRE(r.exit_code == 0);
}

} // namespace

TEST_CASE("report input: a blob is sniffed by its bytes, not its name")
{
    CHECK(ingest::sniff_blob("\x1f\x8b\x08") == ingest::BlobKind::gzip);
    CHECK(ingest::sniff_blob(std::string("PK\x03\x04", 4)) == ingest::BlobKind::zip);
    CHECK(ingest::sniff_blob("  \n<?xml version=\"1.0\"?><feedback/>") ==
          ingest::BlobKind::document);
    CHECK(ingest::sniff_blob("\xEF\xBB\xBF{\"a\":1}") == ingest::BlobKind::document);
    CHECK(ingest::sniff_blob("Received: from x\nSubject: y\n\nbody") == ingest::BlobKind::mail);
    CHECK(ingest::sniff_blob("1.2.3.4,1.2.3.5,Yes,blocked") == ingest::BlobKind::document);
}

TEST_CASE("report input: .gz and .zip made by gzip and zip hold the same report")
{
    TempDir dir;
    const std::string name = "zoho.com!example.com!1581753600!1581840000.xml";
    write_file(dir.file("r.xml"), xml_of(name));
    shell(dir.path(), "gzip -k r.xml && zip -q r.zip r.xml && cat r.xml.gz r.xml.gz > twice.gz");
    CHECK(single_document(dir.file("r.xml.gz")) == xml_of(name));
    CHECK(single_document(dir.file("r.zip")) == xml_of(name));
    // Concatenated gzip members are one stream (RFC 1952 section 2.2).
    CHECK(single_document(dir.file("twice.gz")) == xml_of(name) + xml_of(name));
}

TEST_CASE("report input: a folder, a Maildir and an mbox of report mails")
{
    TempDir dir;
    const std::string google = read_file(report_data("dmarc/google-zip-in-mail.eml"));
    const std::string mimecast = read_file(report_data("dmarc/mimecast-gzip-in-mail.eml"));
    std::filesystem::create_directories(dir.file("md/cur"));
    std::filesystem::create_directories(dir.file("md/new"));
    write_file(dir.file("md/cur/1.eml"), google);
    write_file(dir.file("md/new/2.eml"), mimecast);
    auto docs = unpacked(dir.file("md"));
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].error.empty());
    CHECK(docs[1].error.empty());
    write_file(dir.file("box.mbox"), "From a@b Mon Jan  1 00:00:00 2024\n" + google +
                                         "\nFrom c@d Mon Jan  1 00:00:00 2024\n" + mimecast);
    docs = unpacked(dir.file("box.mbox"));
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].origin.find("#1") != std::string::npos);
    CHECK(docs[1].origin.find("#2") != std::string::npos);
    CHECK(docs[1].content.find("<org_name>Mimecast</org_name>") != std::string::npos);
}

TEST_CASE("report input: a mail without a report attachment is an error document")
{
    // A real bounce from the shared corpus: a mail, but no report in it.
    const auto docs =
        unpacked(std::string(SMTPPROBE_CORPUS_DIR) + "/bounces/lhost-activehunter-01.eml");
    REQUIRE(docs.size() == 1);
    CHECK(docs[0].error == "a mail without a report attachment");
}

TEST_CASE("report input: a gzip bomb and a zip bomb stop at the bounds with a reason")
{
    TempDir dir;
    // 200 MiB of zeros compress to ~200 KiB: over both the size and the ratio bound.
    shell(dir.path(), "head -c 209715200 /dev/zero | gzip -9 > bomb.gz && "
                      "head -c 209715200 /dev/zero > zeros && zip -q -9 bomb.zip zeros && "
                      "rm zeros");
    for (const char* name : {"bomb.gz", "bomb.zip"}) {
        const auto docs = unpacked(dir.file(name));
        REQUIRE(docs.size() == 1);
        CHECK(docs[0].content.empty());
        CHECK(docs[0].error.find("zip bomb") != std::string::npos);
    }
}

TEST_CASE("report input: truncated and corrupt archives are error documents")
{
    TempDir dir;
    write_file(dir.file("r.xml"), xml_of("rfc9990-sample.xml"));
    shell(dir.path(), "gzip -k r.xml && zip -q r.zip r.xml && head -c 60 r.xml.gz > cut.gz && "
                      "head -c 100 r.zip > cut.zip");
    for (const char* name : {"cut.gz", "cut.zip"}) {
        const auto docs = unpacked(dir.file(name));
        REQUIRE_FALSE(docs.empty());
        INFO(name);
        CHECK_FALSE(docs.back().error.empty());
    }
    std::string out, error;
    CHECK_FALSE(ingest::gunzip_bounded("\x1f\x8b garbage", out, &error));
    CHECK_FALSE(error.empty());
}

TEST_CASE("report input: an unreadable path throws SourceError naming it")
{
    CHECK_THROWS_AS(unpacked("/nonexistent/report.xml"), ingest::SourceError);
}
