// The line reader: bounded lines (over-long lines counted and skipped), gzip read
// through, offsets that resume, and a live file's unfinished last line left for later.
#include "monitor/ingest/line_reader.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace smtpprobe::ingest;
using smtpprobe::test::TempDir;
using smtpprobe::test::write_file;

namespace {

std::vector<std::string> all_lines(LineReader& reader)
{
    std::vector<std::string> out;
    Line line;
    while (reader.next(line)) {
        out.emplace_back(line.text);
    }
    return out;
}

} // namespace

TEST_CASE("over-long lines are counted and skipped, NUL lines are left to the caller")
{
    TempDir dir;
    std::string text = "first\n" + std::string(100, 'x') + "\n" + std::string("sec\0ond\n", 8) +
                       "third\r\n" + std::string(300, 'y') + "\nlast\n";
    write_file(dir.file("log"), text);
    LineReader reader(dir.file("log"), false, 64);
    CHECK(all_lines(reader) ==
          std::vector<std::string>{"first", std::string("sec\0ond", 7), "third", "last"});
    CHECK(reader.overlong_lines() == 2);
    CHECK(has_nul(std::string("sec\0ond", 7)));
    CHECK_FALSE(has_nul("second"));
}

TEST_CASE("an unfinished last line waits unless the file is complete")
{
    TempDir dir;
    write_file(dir.file("log"), "one\ntwo\nthr");
    LineReader live(dir.file("log"), false);
    CHECK(all_lines(live) == std::vector<std::string>{"one", "two"});
    LineReader done(dir.file("log"), true);
    CHECK(all_lines(done) == std::vector<std::string>{"one", "two", "thr"});
}

TEST_CASE("offsets resume exactly, plain and gzip")
{
    TempDir dir;
    std::string text;
    for (int i = 0; i < 50000; ++i) {
        text += "line number " + std::to_string(i) + "\n";
    }
    write_file(dir.file("log"), text);
    REQUIRE(smtpprobe::test::run(
                {"sh", "-c", "gzip -c " + dir.file("log") + " > " + dir.file("log.gz")})
                .exit_code == 0);
    for (const char* name : {"log", "log.gz"}) {
        CAPTURE(name);
        LineReader reader(dir.file(name));
        CHECK(reader.compressed() == (std::string(name) == "log.gz"));
        Line line;
        std::uint64_t resume = 0;
        for (int i = 0; i < 30000 && reader.next(line); ++i) {
            resume = line.end;
        }
        LineReader again(dir.file(name));
        again.seek(resume);
        REQUIRE(again.next(line));
        CHECK(line.text == "line number 30000");
        CHECK(line.offset == resume);
        CHECK(all_lines(again).size() == 19999);
    }
    CHECK_THROWS_AS(LineReader(dir.file("missing")), ReadError);
}
