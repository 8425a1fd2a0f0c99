// The fast path of the MIME reader (simple_mime) against GMime (parse_mime_with_gmime), the
// reference: over every message of the bounce corpus (whole, and cut short at several points)
// and over hand-made edge cases, wherever the fast path accepts a message its MimeMessage and
// the per-recipient report built from it must equal GMime's, field for field. The fast path
// must also accept most of the corpus (it is what makes ingestion fast).
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/bounce/simple_mime.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace smtpprobe::ingest;

namespace {

std::string describe(const std::optional<MimeMessage>& m)
{
    if (!m) {
        return "(none)\n";
    }
    std::ostringstream out;
    out << "id=" << m->message_id << "\ndate=" << m->date << "\nfrom=" << m->from
        << "\nto=" << m->to << "\nsubject=" << m->subject << "\ntype=" << m->content_type
        << "\nreport=" << m->report_type << "\nauto=" << m->auto_submitted << "/"
        << m->autoreply_header << "\n";
    for (const MarkerField& f : m->markers) {
        out << "marker " << f.name << ": " << f.value.substr(0, 120) << "\n";
    }
    for (const MimePart& p : m->parts) {
        out << "part " << p.type << " [" << p.text.size() << "] <<" << p.text.substr(0, 300)
            << ">>\n";
    }
    if (m->original) {
        out << "original id=" << m->original->message_id << " from=" << m->original->from
            << " to=" << m->original->to << " subject=" << m->original->subject
            << " date=" << m->original->date << "\n";
    }
    return out.str();
}

std::string describe(const std::optional<BounceReport>& r)
{
    if (!r) {
        return "(none)";
    }
    std::ostringstream out;
    out << kind_name(r->kind) << " " << r->reporting_mta << " " << r->original.message_id;
    for (const RecipientReport& x : r->recipients) {
        out << "\n  " << x.recipient << " " << x.action << " " << x.status << " "
            << (x.reply_code ? *x.reply_code : 0) << " " << x.remote_mta << " " << x.command << " "
            << x.diagnostic;
    }
    return out.str();
}

// True when the fast path accepted text; fails the test when it then differs from GMime.
bool check_agreement(const std::string& name, std::string_view text)
{
    const std::optional<MimeMessage> simple = parse_simple_mime(text);
    if (!simple) {
        return false;
    }
    const std::optional<MimeMessage> reference = parse_mime_with_gmime(text);
    INFO(name);
    CHECK_MESSAGE(simple == reference, "fast path:\n"
                                           << describe(simple) << "GMime:\n"
                                           << describe(reference));
    if (reference) {
        const std::optional<BounceReport> a = report_from_mime(*simple);
        const std::optional<BounceReport> b = report_from_mime(*reference);
        CHECK(describe(a) == describe(b));
    }
    return true;
}

std::vector<std::pair<std::string, std::string>> corpus_messages()
{
    std::vector<std::pair<std::string, std::string>> out;
    const std::string dir = std::string(SMTPPROBE_CORPUS_DIR) + "/bounces";
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".eml") {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) {
        read_messages(file, [&](SourceMessage& m) {
            out.emplace_back(file + "#" + std::to_string(m.index), m.content);
            return true;
        });
    }
    return out;
}

} // namespace

TEST_CASE("simple MIME fast path equals GMime on every corpus message, whole and cut short")
{
    const auto messages = corpus_messages();
    REQUIRE(messages.size() > 250);
    std::size_t accepted = 0;
    std::size_t cut_accepted = 0;
    for (const auto& [name, content] : messages) {
        accepted += check_agreement(name, content) ? 1 : 0;
        // Saved with an mbox From_ line (GMime skips it): the fast path must accept it alike.
        CHECK(check_agreement(name + " with a From_ line",
                              "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + content) ==
              static_cast<bool>(parse_simple_mime(content)));
        // Truncated copies (MTAs cut returned messages short): at several fractions and just
        // after each of the first boundaries.
        for (std::size_t part : {2, 3, 5, 7, 11}) {
            const std::size_t cut = content.size() * (part - 1) / part;
            cut_accepted +=
                check_agreement(name + " cut at " + std::to_string(cut), content.substr(0, cut))
                    ? 1
                    : 0;
        }
        std::size_t at = 0;
        for (int i = 0; i < 6; ++i) {
            at = content.find("\n--", at + 1);
            if (at == std::string::npos) {
                break;
            }
            for (std::size_t extra : {0, 1, 3}) {
                const std::size_t cut = std::min(content.size(), at + extra);
                check_agreement(name + " cut at " + std::to_string(cut), content.substr(0, cut));
            }
        }
    }
    std::cout << "simple MIME fast path: " << accepted << " of " << messages.size()
              << " corpus messages (" << cut_accepted << " truncated copies) agree with GMime\n";
    // The fast path is what makes ingestion fast: most real bounces must take it.
    CHECK(accepted * 100 >= messages.size() * 60);
}

namespace {

struct EdgeCase {
    const char* name;
    std::string text;
    bool fast; // the fast path must take it (else it may or may not)
};

const std::string k_head = "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
                           "To: sender@example.net\n"
                           "Subject: Undelivered Mail Returned to Sender\n"
                           "Message-ID: <r-1@mx.example.org>\n"
                           "MIME-Version: 1.0\n";

const std::string k_status = "Reporting-MTA: dns; mx.example.org\n"
                             "\n"
                             "Final-Recipient: rfc822; user@example.com\n"
                             "Action: failed\n"
                             "Status: 5.7.1\n"
                             "Diagnostic-Code: smtp; 550 5.7.1 blocked (S3140)\n";

const std::string k_original = "From: sender@example.net\n"
                               "To: user@example.com\n"
                               "Subject: hello\n"
                               "Message-ID: <o-1@example.net>\n"
                               "\n"
                               "body\n";

std::string report(const std::string& boundary, const std::string& original_part)
{
    return "--" + boundary + "\nContent-Type: text/plain\n\nyour message was refused\n--" +
           boundary + "\nContent-Type: message/delivery-status\n\n" + k_status + "\n--" + boundary +
           "\n" + original_part + "--" + boundary + "--\n";
}

std::vector<EdgeCase> edge_cases()
{
    const std::string rfc822 = "Content-Type: message/rfc822\n\n" + k_original;
    const std::string top = k_head +
                            "Content-Type: multipart/report; report-type=delivery-status;\n"
                            "\tboundary=\"b1\"\n\n";
    std::vector<EdgeCase> cases;
    cases.push_back({"plain multipart/report", top + report("b1", rfc822), true});
    cases.push_back({"nested multipart/report in multipart/mixed",
                     k_head +
                         "Content-Type: multipart/mixed; boundary=outer\n\npreamble\n"
                         "--outer\nContent-Type: multipart/report; boundary=\"inner\"\n\n" +
                         report("inner", rfc822) +
                         "inner epilogue\n--outer\n"
                         "Content-Type: image/png\n"
                         "Content-Transfer-Encoding: base64\n\n"
                         "iVBORw0KGgo=\n--outer--\nepilogue\n",
                     true});
    cases.push_back({"boundary in a header and boundary-like lines in text",
                     k_head + "X-Note: --b1\nContent-Type: multipart/report; boundary=b1\n\n" +
                         "--b1\nContent-Type: text/plain\n\n--b1x is not a delimiter\n"
                         "-- b1 neither\n--b1 \nContent-Type: message/delivery-status\n\n" +
                         k_status + "--b1--\n",
                     true});
    cases.push_back({"folded and encoded headers",
                     "From: =?UTF-8?Q?Mail_Syst=C3=A8me?=\n <MAILER-DAEMON@mx.example.org>\n"
                     "Subject: =?ISO-8859-1?Q?Unzustellbar=3A_Gr=FC=DFe?=\n"
                     "\tand more\nMessage-ID:\n <r-2@mx.example.org>\n"
                     "Content-Type: multipart/report;\n report-type=delivery-status;\n"
                     " boundary=\"b1\"\n\n" +
                         report("b1", rfc822),
                     true});
    cases.push_back({"quoted-printable text and base64 delivery-status",
                     top + "--b1\nContent-Type: text/plain; charset=utf-8\n"
                           "Content-Transfer-Encoding: quoted-printable\n\n"
                           "Die Nachricht wurde abgewiesen: gr=C3=BC=C3=9Fe =\nsoft break\n"
                           "--b1\nContent-Type: message/delivery-status\n"
                           "Content-Transfer-Encoding: base64\n\n"
                           "RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IHVzZXJAZXhhbXBsZS5jb20KQWN0aW9uOiBm"
                           "YWlsZWQKU3RhdHVzOiA1LjEuMQo=\n--b1--\n",
                     true});
    cases.push_back(
        {"a part without header fields", top + "--b1\n\nno headers here\n--b1--\n", true});
    cases.push_back({"mbox From_ line first",
                     "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + top + report("b1", rfc822),
                     true});
    // Found by fuzz_bounce_message: "From :" opens a From header field (blanks before the
    // colon), not an envelope line; the fast path took it for one and read the next From.
    cases.push_back({"From header with blanks before its colon, first",
                     "From :9 23:45:10 -0600\n" + top + report("b1", rfc822), false});
    cases.push_back({"From header with a tab before its colon, first",
                     "From \t: someone@example.org\n" + top + report("b1", rfc822), false});
    cases.push_back({"returned original cut inside its header",
                     top + report("b1", "Content-Type: message/rfc822\n\nFrom: a@example.net\n"
                                        "Subject: cut"),
                     true});
    cases.push_back({"plain text bounce, no MIME",
                     k_head + "\nI'm sorry. <user@example.com>: 550 5.1.1 unknown\n", true});
    // Shapes the fast path may take or leave to GMime: either way the result is GMime's.
    cases.push_back({"truncated: no closing delimiter",
                     top + "--b1\nContent-Type: message/delivery-status\n\n" + k_status, false});
    cases.push_back(
        {"truncated inside a part header", top + "--b1\nContent-Type: message/delivery-st", false});
    cases.push_back({"inner multipart ended by the outer delimiter",
                     k_head + "Content-Type: multipart/mixed; boundary=outer\n\n--outer\n"
                              "Content-Type: multipart/alternative; boundary=inner\n\n--inner\n"
                              "Content-Type: text/plain\n\ninner text\n--outer\n"
                              "Content-Type: text/plain\n\nouter text\n--outer--\n",
                     false});
    cases.push_back({"declared boundary never used", top + report("other", rfc822), false});
    cases.push_back({"charset that needs converting",
                     k_head + "Content-Type: text/plain; charset=iso-2022-jp\n\n"
                              "\x1b$B%a\x1b(B 550 user unknown\n",
                     true});
    cases.push_back({"invalid UTF-8 in a UTF-8 part (GMime's filter decides)",
                     k_head + "Content-Type: text/plain; charset=utf-8\n\n"
                              "550 unknown \xc3\x28 user \xe2\x82\n",
                     true});
    cases.push_back({"8-bit text declared us-ascii",
                     k_head + "Content-Type: text/plain; charset=us-ascii\n\n"
                              "550 Benutzer unbekannt: gr\xfc\xdf"
                              "e\n",
                     true});
    cases.push_back({"comment in Content-Type",
                     k_head + "Content-Type: multipart/report (a comment); boundary=b1\n\n" +
                         report("b1", rfc822),
                     false});
    cases.push_back(
        {"forwarded report reusing the outer boundary (the outer part ends at its first one)",
         top + report("b1", "Content-Type: message/rfc822\n\n" + top + report("b1", rfc822)),
         false});
    const std::string inner_top = "From: MAILER-DAEMON@inner.example\nSubject: inner\n"
                                  "Content-Type: multipart/report; boundary=\"b2\"\n\n";
    cases.push_back({"forwarded report with its own boundary, before the outer text part",
                     top + "--b1\nContent-Type: message/rfc822\n\n" + inner_top +
                         report("b2", rfc822) + "--b1\nContent-Type: text/plain\n\nouter\n--b1--\n",
                     true});
    // HTML parts: the forwarded walk decodes its own when no text/plain is listed by then.
    const std::string html_only =
        "--b2\nContent-Type: text/html\n\n<p>inner 550</p>\n--b2\n" + rfc822 + "--b2--\n";
    cases.push_back({"forwarded report of HTML only, outer text after it",
                     top + "--b1\nContent-Type: message/rfc822\n\n" + inner_top + html_only +
                         "--b1\nContent-Type: text/plain\n\nouter\n--b1--\n",
                     true});
    cases.push_back({"forwarded report of HTML only, outer HTML before it",
                     top +
                         "--b1\nContent-Type: text/html\n\n<b>outer</b>\n--b1\n"
                         "Content-Type: message/rfc822\n\n" +
                         inner_top + html_only + "--b1--\n",
                     true});
    cases.push_back(
        {"forwarded report whose boundary never occurs",
         top + report("b1", "Content-Type: message/rfc822\n\n" + inner_top + "no delimiter here\n"),
         false});
    cases.push_back({"forwarded report cut after its header",
                     top + report("b1", "Content-Type: message/rfc822\n\n" + inner_top), false});
    cases.push_back({"report forwarded twice",
                     top + report("b1", "Content-Type: message/rfc822\n\n" + inner_top +
                                            report("b2", "Content-Type: message/rfc822\n\n" + top +
                                                             report("b1", rfc822))),
                     false});
    cases.push_back(
        {"whitespace-only header line", "From: a@b.example\n \nSubject: x\n\nbody\n", false});
    // A returned original that is empty (GMime: no header, no original) or opens with a blank
    // line (GMime: an empty header, an original of empty fields whatever follows).
    cases.push_back(
        {"empty returned original", top + report("b1", "Content-Type: message/rfc822\n\n"), true});
    cases.push_back({"empty 8bit returned original",
                     top + report("b1", "Content-Type: message/rfc822\nContent-Transfer-Encoding: "
                                        "8bit\n\n\n"),
                     true});
    cases.push_back({"returned original opening with a blank line",
                     top + report("b1", "Content-Type: message/rfc822\n\n\n" + k_original), true});
    cases.push_back({"returned original of blank lines only",
                     top + report("b1", "Content-Type: message/rfc822\n\n\n\n\n"), true});
    cases.push_back({"blank-first returned original after a text/rfc822-headers part",
                     top + "--b1\nContent-Type: text/rfc822-headers\n\n" + k_original +
                         "--b1\nContent-Type: message/rfc822\n\n\n" + k_original + "--b1--\n",
                     true});
    cases.push_back({"returned original opening with a whitespace line",
                     top + report("b1", "Content-Type: message/rfc822\n\n \n" + k_original),
                     false});
    return cases;
}

} // namespace

TEST_CASE("simple MIME fast path: hand-made edge cases agree with GMime, in every line ending")
{
    for (const EdgeCase& c : edge_cases()) {
        CAPTURE(c.name);
        const bool accepted = check_agreement(c.name, c.text);
        if (c.fast) {
            CHECK(accepted);
        }
        // parse_mime (fast path first) must give GMime's result whichever path it takes.
        CHECK(parse_mime(c.text) == parse_mime_with_gmime(c.text));
        for (const char* ending : {"\r\n", "\r"}) {
            std::string other;
            for (char ch : c.text) {
                other += ch == '\n' ? std::string(ending) : std::string(1, ch);
            }
            CHECK_FALSE(parse_simple_mime(other)); // CR: always GMime's
            CHECK(parse_mime(other) == parse_mime_with_gmime(other));
            normalise_line_endings(other); // what the message source does
            CHECK(check_agreement(c.name, other) == accepted);
        }
    }
}
