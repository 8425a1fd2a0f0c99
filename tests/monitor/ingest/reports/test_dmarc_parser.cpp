// DMARC aggregate reports from real receivers (tests/data/reports/dmarc, see its README): every
// record's count and results, the three formats (RFC 7489, DMARCbis, the old draft), the
// reports inside real mails (zip and gzip attachments), and the hostile and broken ones.
#include "monitor/ingest/reports/dmarc_report.hpp"
#include "tests/monitor/ingest/reports/report_data.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;
using namespace smtpprobe::test;

namespace {

ingest::DmarcReport parsed(const std::string& name)
{
    const std::string xml = single_document(report_data("dmarc/" + name));
    ingest::DmarcParseResult r = ingest::parse_dmarc_report(xml);
    INFO(name << ": " << r.error);
    REQUIRE(r.report);
    return *r.report;
}

struct ExpectedRecord {
    const char* ip;
    std::int64_t count;
    const char* disposition;
    const char* dkim;
    const char* spf;
    const char* header_from;
};

void check_records(const ingest::DmarcReport& report, const std::vector<ExpectedRecord>& expected)
{
    REQUIRE(report.records.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& r = report.records[i];
        const auto& e = expected[i];
        INFO("record " << i + 1);
        CHECK(r.source_ip == e.ip);
        CHECK(r.count == e.count);
        CHECK(r.disposition == e.disposition);
        CHECK(r.dkim == e.dkim);
        CHECK(r.spf == e.spf);
        CHECK(r.header_from == e.header_from);
    }
}

} // namespace

TEST_CASE("DMARC: Outlook.com's report, its one record and its SPF result")
{
    const auto r = parsed("protection.outlook.com!example.com!1711756800!1711843200.xml");
    CHECK(r.format == "rfc7489");
    CHECK(r.org_name == "Outlook.com");
    CHECK(r.email == "dmarcreport@microsoft.com");
    CHECK(r.report_id == "cfeafefe4129445e8c81018bd9177197");
    CHECK(r.begin == 1711756800);
    CHECK(r.end == 1711843200);
    CHECK(r.policy.domain == "example.com");
    CHECK(r.policy.p == "none");
    CHECK(r.policy.pct == 100);
    check_records(r, {{"100.24.188.149", 1, "none", "fail", "fail", "example.com"}});
    const auto& rec = r.records[0];
    CHECK(rec.envelope_to == "hotmail.com");
    CHECK(rec.envelope_from == "example.com");
    CHECK(rec.dkim_results.empty());
    REQUIRE(rec.spf_results.size() == 1);
    CHECK(rec.spf_results[0].domain == "example.com");
    CHECK(rec.spf_results[0].scope == "mfrom");
    CHECK(rec.spf_results[0].result == "fail");
}

TEST_CASE("DMARC: Zoho's report, all eight records with DKIM selectors and SPF scopes")
{
    const auto r = parsed("zoho.com!example.com!1581753600!1581840000.xml");
    CHECK(r.format == "draft");
    CHECK(r.org_name == "zoho.com");
    CHECK(r.report_id == "e2cb5d97-dcbb-470f-b2dd-45519a2abbb3");
    check_records(r, {{"216.71.146.18", 1, "none", "fail", "fail", "example.com"},
                      {"216.71.143.97", 1, "none", "fail", "fail", "example.com"},
                      {"216.71.146.224", 1, "none", "fail", "fail", "example.com"},
                      {"216.71.143.87", 1, "none", "fail", "fail", "example.com"},
                      {"216.71.143.62", 1, "none", "fail", "fail", "example.com"},
                      {"216.71.143.52", 1, "none", "fail", "fail", "example.com"},
                      {"216.71.148.142", 1, "none", "fail", "fail", "example.com"},
                      {"216.71.148.247", 2, "none", "fail", "fail", "example.com"}});
    CHECK(r.messages() == 9);
    for (const auto& rec : r.records) {
        REQUIRE(rec.dkim_results.size() == 1);
        CHECK(rec.dkim_results[0].selector == "s1");
        CHECK(rec.dkim_results[0].result == "pass");
        REQUIRE(rec.spf_results.size() == 1);
    }
    CHECK(r.records[1].spf_results[0].scope == "helo");
    CHECK(r.records[1].spf_results[0].result == "none");
    CHECK(r.records[1].spf_results[0].domain.empty());
    CHECK(r.records[0].spf_results[0].scope == "mfrom");
}

TEST_CASE("DMARC: a DMARCbis report (version 2.0): np, testing, discovery method, reasons")
{
    const auto r = parsed("dmarcbis-example.net!example.com!1700000000!1700086399.xml");
    CHECK(r.format == "dmarcbis");
    CHECK(r.policy.np == "reject");
    CHECK(r.policy.testing == "y");
    CHECK(r.policy.discovery_method == "treewalk");
    CHECK(r.policy.adkim == "s");
    CHECK_FALSE(r.policy.pct);
    check_records(r, {{"198.51.100.1", 5, "none", "pass", "pass", "example.com"},
                      {"203.0.113.10", 2, "reject", "fail", "fail", "example.com"}});
    REQUIRE(r.records[1].reasons.size() == 1);
    CHECK(r.records[1].reasons[0].type == "other");
    CHECK(r.records[1].reasons[0].comment == "sender not authorized");
    CHECK(r.records[1].envelope_from == "spoofed.example.com");
    CHECK(r.records[0].dkim_results.at(0).selector == "selector1");
}

TEST_CASE("DMARC: the RFC 9990 example in the DMARCbis namespace, disposition pass")
{
    const auto r = parsed("rfc9990-sample.xml");
    CHECK(r.format == "dmarcbis");
    CHECK(r.generator == "Example DMARC Aggregate Reporter v1.2");
    check_records(r, {{"192.0.2.123", 123, "pass", "pass", "fail", "example.com"}});
    CHECK(r.records[0].spf_results.at(0).scope.empty());
}

TEST_CASE("DMARC: the old draft format from the dmarc.org wiki")
{
    const auto r = parsed("old_draft_from_wiki.xml");
    CHECK(r.format == "draft");
    CHECK(r.version.empty());
    CHECK(r.org_name == "acme.com");
    CHECK(r.report_id == "9391651994964116463");
    check_records(r, {{"72.150.241.94", 2, "none", "fail", "pass", "example.com"}});
    CHECK(r.records[0].dkim_results.at(0).result == "fail");
    CHECK(r.records[0].dkim_results.at(0).human_result.empty());
}

TEST_CASE("DMARC: an empty reason is kept as an empty reason, not a parse failure")
{
    const auto r = parsed("empty_reason.xml");
    check_records(r, {{"198.51.100.123", 2, "none", "pass", "fail", "example.com"}});
    REQUIRE(r.records[0].reasons.size() == 1);
    CHECK(r.records[0].reasons[0].type.empty());
    CHECK(r.records[0].reasons[0].comment.empty());
    CHECK(r.records[0].dkim_results.at(0).human_result == "2048-bit key");
    CHECK(r.records[0].spf_results.at(0).domain == "example.edu");
}

TEST_CASE("DMARC: invalid UTF-8 is repaired and the record kept, with a note")
{
    const auto r = parsed("invalid_utf_8.xml");
    CHECK(r.org_name.empty());
    CHECK(r.email == "administrator@accurateplastics.com");
    REQUIRE(r.notes.size() == 1);
    check_records(r, {{"12.20.127.122", 1, "none", "fail", "fail", "bad_byte\xEF\xBF\xBD"}});
}

TEST_CASE("DMARC: invalid XML is an error naming the line, never a crash")
{
    const std::string xml = single_document(report_data("dmarc/invalid_xml.xml"));
    const auto r = ingest::parse_dmarc_report(xml);
    CHECK_FALSE(r.report);
    CHECK(r.error.find("not well-formed XML") != std::string::npos);
    CHECK(r.error.find("line 5") != std::string::npos);
}

TEST_CASE("DMARC: Google's report mail, zip attachment in base64")
{
    auto docs = unpacked(report_data("dmarc/google-zip-in-mail.eml"));
    REQUIRE(docs.size() == 1);
    CHECK(docs[0].error.empty());
    CHECK(docs[0].origin.find("google.com!borschow.com!1549929600!1550015999.xml") !=
          std::string::npos);
    const auto r = ingest::parse_dmarc_report(docs[0].content);
    REQUIRE(r.report);
    CHECK(r.report->org_name == "google.com");
    CHECK(r.report->report_id == "949348866075514174");
    CHECK(r.report->policy.p == "reject");
    check_records(*r.report, {{"92.53.116.102", 1, "reject", "fail", "fail", "borschow.com"}});
}

TEST_CASE("DMARC: Mimecast's mail whose body is the gzip, with bytes after the gzip trailer")
{
    const auto r = parsed("mimecast-gzip-in-mail.eml");
    CHECK(r.org_name == "Mimecast");
    CHECK(r.email == "no-reply@au-1.mimecastreport.com");
    CHECK(r.report_id == "157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e");
    check_records(r, {{"40.93.199.22", 1, "none", "pass", "pass", "ab.id.au"}});
    CHECK(r.records[0].dkim_results.at(0).selector == "selector1");
}

TEST_CASE("DMARC: hostile XML is refused: entities, external entities, DOCTYPE, depth")
{
    const std::string laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
        "<feedback><report_metadata><org_name>&lol3;</org_name></report_metadata></feedback>";
    auto r = ingest::parse_dmarc_report(laughs);
    CHECK_FALSE(r.report);
    CHECK(r.error.find("DOCTYPE") != std::string::npos);

    const std::string external =
        "<?xml version=\"1.0\"?><!DOCTYPE f [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<feedback><report_metadata><org_name>&x;</org_name></report_metadata></feedback>";
    r = ingest::parse_dmarc_report(external);
    CHECK_FALSE(r.report);
    CHECK(r.error.find("DOCTYPE") != std::string::npos);

    const std::string remote_dtd = "<?xml version=\"1.0\"?><!DOCTYPE feedback SYSTEM "
                                   "\"http://127.0.0.1:9/x.dtd\"><feedback/>";
    r = ingest::parse_dmarc_report(remote_dtd);
    CHECK_FALSE(r.report);

    std::string deep = "<feedback>";
    for (int i = 0; i < 5000; ++i) {
        deep += "<a>";
    }
    r = ingest::parse_dmarc_report(deep);
    CHECK_FALSE(r.report);
    CHECK(r.error.find("not well-formed") != std::string::npos);

    // An undeclared entity reference stays unexpanded text, never a lookup.
    r = ingest::parse_dmarc_report("<feedback><report_metadata><org_name>&ext;</org_name>"
                                   "</report_metadata></feedback>");
    CHECK_FALSE(r.report);
}

TEST_CASE("DMARC: documents that are XML but not reports say what is missing")
{
    CHECK(ingest::parse_dmarc_report("<other/>").error.find("<feedback>") != std::string::npos);
    CHECK(ingest::parse_dmarc_report("<feedback/>").error.find("report_id") != std::string::npos);
    CHECK(ingest::parse_dmarc_report("<feedback><report_metadata><org_name>x</org_name>"
                                     "<report_id>1</report_id></report_metadata></feedback>")
              .error.find("date_range") != std::string::npos);
    const auto r = ingest::parse_dmarc_report(
        "<feedback><report_metadata><org_name>x</org_name><report_id>1</report_id>"
        "<date_range><begin>10</begin><end>20</end></date_range></report_metadata>"
        "<record><row><source_ip>192.0.2.1</source_ip><count>-4</count></row></record>"
        "<record><row><count>3</count></row></record>"
        "<record><row><source_ip>192.0.2.2</source_ip><count>7</count></row></record>"
        "</feedback>");
    REQUIRE(r.report);
    CHECK(r.report->records.size() == 1);
    CHECK(r.report->skipped_records == 2);
    CHECK(r.report->records[0].count == 7);
}
