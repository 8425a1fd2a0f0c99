// Message sources: line endings, mbox splitting (mboxrd unquoting), Maildir cur/ + new/,
// folders, stdin-like content, and message identity.
#include "monitor/ingest/bounce/message_source.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <vector>

using namespace smtpprobe;
using namespace smtpprobe::ingest;

namespace {

std::vector<SourceMessage> read_all(const std::string& path)
{
    std::vector<SourceMessage> out;
    read_messages(path, [&](SourceMessage& m) {
        out.push_back(m);
        return true;
    });
    return out;
}

} // namespace

TEST_CASE("message source: line endings are normalised to LF")
{
    struct Case {
        std::string in;
        std::string out;
    };
    const std::vector<Case> cases = {
        {"a\r\nb\r\n", "a\nb\n"}, {"a\rb\r", "a\nb\n"}, {"a\nb\n", "a\nb\n"},
        {"a\r\r\nb", "a\n\nb"},   {"\r\n\r\n", "\n\n"}, {"", ""},
    };
    for (const Case& c : cases) {
        std::string text = c.in;
        normalise_line_endings(text);
        CHECK(text == c.out);
    }
}

TEST_CASE("message source: mbox split at From_ lines, >From unquoted")
{
    const std::string mbox = "From a@b Thu Apr 29 00:00:00 2010\n"
                             "Subject: one\n\nbody one\n>From the start\n\n"
                             "From c@d Thu Apr 29 00:00:01 2010\n"
                             "Subject: two\n\nFrom here on, not a separator\n\n";
    std::vector<std::string> messages;
    split_mbox(mbox, [&](std::string&& m) {
        messages.push_back(m);
        return true;
    });
    // "From here" follows a blank line unquoted: like every mboxo reader, that is a
    // separator (writers quote such lines as ">From" for that reason).
    REQUIRE(messages.size() == 3);
    CHECK(messages[0] == "Subject: one\n\nbody one\nFrom the start\n");
    CHECK(messages[1] == "Subject: two\n");
}

TEST_CASE("message source: file, mbox with CRLF, Maildir and folder")
{
    test::TempDir dir;
    test::write_file(dir.file("one.eml"), "Message-ID: <1@x>\r\nSubject: s\r\n\r\nbody\r\n");
    test::write_file(dir.file("box.mbox"),
                     "From x Thu Apr 29 00:00:00 2010\r\nMessage-ID: <a@x>\r\n"
                     "\r\nA\r\n\r\nFrom y Thu Apr 29 00:00:00 2010\r\n"
                     "Message-ID: <b@x>\r\n\r\nB\r\n");
    std::filesystem::create_directories(dir.file("md/cur"));
    std::filesystem::create_directories(dir.file("md/new"));
    std::filesystem::create_directories(dir.file("md/tmp"));
    test::write_file(dir.file("md/cur/2:S"), "Message-ID: <c@x>\n\nC\n");
    test::write_file(dir.file("md/new/1"), "Message-ID: <d@x>\n\nD\n");
    test::write_file(dir.file("md/tmp/0"), "Message-ID: <partial@x>\n\n");

    auto one = read_all(dir.file("one.eml"));
    REQUIRE(one.size() == 1);
    CHECK(one[0].content == "Message-ID: <1@x>\nSubject: s\n\nbody\n");

    auto box = read_all(dir.file("box.mbox"));
    REQUIRE(box.size() == 2);
    CHECK(top_message_id(box[0].content) == "<a@x>");
    CHECK(top_message_id(box[1].content) == "<b@x>");
    CHECK(box[1].index == 1);

    auto md = read_all(dir.file("md"));
    REQUIRE(md.size() == 2); // tmp/ is never read
    CHECK(top_message_id(md[0].content) == "<c@x>");
    CHECK(top_message_id(md[1].content) == "<d@x>");

    CHECK_THROWS_AS(read_all(dir.file("missing")), SourceError);
}

TEST_CASE("message source: identity is Message-ID plus content hash")
{
    const std::string a = "Message-ID: <same@x>\n\nA\n";
    const std::string b = "Message-ID: <same@x>\n\nB\n";
    CHECK(message_key(a) == message_key(a));
    CHECK(message_key(a) != message_key(b));
    CHECK(message_key(a).starts_with("<same@x>|"));
    CHECK(top_message_id("Subject: x\nMessage-Id:\n <folded@x>\n\n") == "<folded@x>");
    CHECK(top_message_id("Subject: x\n\nMessage-ID: <in-body@x>\n").empty());
}
