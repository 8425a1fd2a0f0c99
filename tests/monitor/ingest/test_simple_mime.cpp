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
