// Streaming mbox reading: every input, cut into chunks of every size (a message, a From_
// line, a CRLF pair split across read-buffer boundaries), yields exactly the expected messages;
// oversized messages are counted, not held; lines longer than the held-line limit stream on.
#include "monitor/ingest/bounce/mbox_splitter.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace smtpprobe;
using namespace smtpprobe::ingest;

namespace {

struct Split {
    std::vector<std::string> messages; // "<oversized>" for an oversized one
};

// Normalises and splits text fed in chunks of chunk bytes (0: whole).
Split split_in_chunks(std::string_view text, std::size_t chunk, std::size_t max = 1 << 20)
{
    Split out;
    MboxSplitter splitter(max, [&](std::string& message, bool oversized) {
        out.messages.push_back(oversized ? std::string("<oversized>") : message);
        return true;
    });
    LineEndingNormaliser normaliser;
    const std::size_t step = chunk == 0 ? text.size() : chunk;
    for (std::size_t pos = 0; pos < text.size(); pos += step) {
        std::string normalised;
        normaliser.normalise(text.substr(pos, step), normalised);
        splitter.feed(normalised);
    }
    splitter.finish();
    return out;
}

const std::string k_from = "From MAILER-DAEMON Thu Jan  1 00:00:00 2026";

} // namespace

TEST_CASE("mbox splitter: same messages whatever the chunk boundaries")
{
    struct Case {
        std::string name;
        std::string mbox;
        std::vector<std::string> expected;
    };
    const std::string long_line(3 * k_max_held_line + 17, 'x');
    const std::vector<Case> cases = {
        {"two messages, LF",
         k_from + "\nSubject: a\n\nA\n\n" + k_from + "\nSubject: b\n\nB\n",
         {"Subject: a\n\nA\n", "Subject: b\n\nB\n"}},
        {"CRLF and lone CR",
         k_from + "\r\nSubject: a\r\n\r\nA\r\n\r\n" + k_from + "\rS: b\r\rB\r",
         {"Subject: a\n\nA\n", "S: b\n\nB\n"}},
        {"mboxrd quoting",
         k_from + "\nS: a\n\n>From x\n>>From y\n>not From\n",
         {"S: a\n\nFrom x\n>From y\n>not From\n"}},
        {"From in a body after no blank line is text",
         k_from + "\nS: a\n\nline\nFrom here on\n",
         {"S: a\n\nline\nFrom here on\n"}},
        {"full From_ line without blank line separates",
         k_from + "\nS: a\n\nA\n" + k_from + "\nS: b\n\nB\n",
         {"S: a\n\nA\n", "S: b\n\nB\n"}},
        {"text before the first From_ line is ignored",
         "junk\n\n" + k_from + "\nS: a\n\nA\n",
         {"S: a\n\nA\n"}},
        {"last line without newline", k_from + "\nS: a\n\nA", {"S: a\n\nA"}},
        {"empty message between two", k_from + "\n\n" + k_from + "\nS: b\n", {"\n", "S: b\n"}},
        {"line longer than the held-line limit",
         k_from + "\nS: a\n\n" + long_line + "\nend\n",
         {"S: a\n\n" + long_line + "\nend\n"}},
        {"long line in the junk before the first From_",
         long_line + "\n\n" + k_from + "\nS: a\n\nA\n",
         {"S: a\n\nA\n"}},
        {"long From_ line after a blank line",
         k_from + "\nS: a\n\nA\n\nFrom " + long_line + "\nS: b\n\nB\n",
         {"S: a\n\nA\n", "S: b\n\nB\n"}},
        // Runs of lines that start neither with 'F' nor '>' are appended whole: the blank line
        // that ends a run still lets the next From_ line separate, other F and > lines do not.
        {"runs of plain lines between F and > lines",
         k_from + "\nS: a\n\nx\ny\n\nFoo\n>bar\n\n>From q\nz\n\n" + k_from + "\nS: b\n",
         {"S: a\n\nx\ny\n\nFoo\n>bar\n\nFrom q\nz\n", "S: b\n"}},
        {"blank run then From_ without the full form",
         k_from + "\nS: a\n\n\n\nFrom x\nS: b\n\nline\nFrom y\n",
         {"S: a\n\n\n", "S: b\n\nline\nFrom y\n"}},
    };
    for (const Case& c : cases) {
        for (std::size_t chunk :
             {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
              std::size_t{41}, std::size_t{4096}, k_max_held_line - 1, k_max_held_line + 1}) {
            CAPTURE(c.name);
            CAPTURE(chunk);
            CHECK(split_in_chunks(c.mbox, chunk).messages == c.expected);
        }
    }
}

TEST_CASE("mbox splitter: a CRLF pair cut at every position of a two-chunk read")
{
    const std::string mbox = k_from + "\r\nSubject: a\r\n\r\nA\r\n\r\n" + k_from + "\r\nS: b\r\n";
    const std::vector<std::string> expected = {"Subject: a\n\nA\n", "S: b\n"};
    for (std::size_t cut = 1; cut < mbox.size(); ++cut) {
        Split out;
        MboxSplitter splitter(1 << 20, [&](std::string& message, bool) {
            out.messages.push_back(message);
            return true;
        });
        LineEndingNormaliser normaliser;
        std::string first;
        std::string second;
        normaliser.normalise(std::string_view(mbox).substr(0, cut), first);
        normaliser.normalise(std::string_view(mbox).substr(cut), second);
        splitter.feed(first);
        splitter.feed(second);
        splitter.finish();
        CAPTURE(cut);
        CHECK(out.messages == expected);
    }
}

TEST_CASE("mbox splitter: oversized messages are counted, not held")
{
    struct Case {
        std::string body;
        bool oversized;
    };
    // Limit 11: the message is the "S: x\n\n" header (6 bytes), its body and a newline.
    const std::vector<Case> cases = {
        {"1234", false}, // 11 bytes: at the limit
        {"12345", true}, // 12 bytes
        {std::string(5000, 'y'), true},
    };
    for (const Case& c : cases) {
        for (std::size_t chunk : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
            const std::string mbox =
                k_from + "\nS: x\n\n" + c.body + "\n" + k_from + "\nS: y\n\nok\n";
            // The body line ends with "\n", the blank line before the next From_ is dropped.
            const std::string message = "S: x\n\n" + c.body;
            const std::size_t max = 11;
            const Split out = split_in_chunks(mbox, chunk, max);
            CAPTURE(c.body.size());
            CAPTURE(chunk);
            REQUIRE(out.messages.size() == 2);
            CHECK(out.messages[0] == (c.oversized ? "<oversized>" : message + "\n"));
            CHECK(out.messages[1] == "S: y\n\nok\n");
        }
    }
}

TEST_CASE("mbox splitter: the sink stops the reading")
{
    std::vector<std::string> seen;
    MboxSplitter splitter(1 << 20, [&](std::string& message, bool) {
        seen.push_back(message);
        return false;
    });
    const std::string mbox = k_from + "\nS: a\n\n" + k_from + "\nS: b\n\n" + k_from + "\nS: c\n";
    CHECK_FALSE(splitter.feed(mbox));
    CHECK_FALSE(splitter.finish());
    CHECK(seen == std::vector<std::string>{"S: a\n"});
}

TEST_CASE("message source: oversized messages in an mbox and alone are skipped, not loaded")
{
    test::TempDir dir;
    const std::string big(k_max_message_bytes + 100, 'z');
    test::write_file(dir.file("box.mbox"), k_from + "\nS: a\n\nA\n\n" + k_from + "\nS: big\n\n" +
                                               big + "\n\n" + k_from + "\nS: c\n\nC\n");
    test::write_file(dir.file("one.eml"), "S: big\n\n" + big);
    std::vector<std::pair<std::string, bool>> got;
    auto sink = [&](SourceMessage& m) {
        got.emplace_back(m.content, m.oversized);
        return true;
    };
    read_messages(dir.file("box.mbox"), sink);
    REQUIRE(got.size() == 3);
    CHECK(got[0] == std::make_pair(std::string("S: a\n\nA\n"), false));
    CHECK(got[1] == std::make_pair(std::string(), true));
    CHECK(got[2] == std::make_pair(std::string("S: c\n\nC\n"), false));
    got.clear();
    read_messages(dir.file("one.eml"), sink);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == std::make_pair(std::string(), true));
}
