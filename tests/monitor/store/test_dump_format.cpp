// The values of the history dump format (dump_format.hpp): every byte string, integer and
// double reads back identical; the written form never holds a raw tab, newline or control;
// and the reader refuses what the writer would never write.
#include "monitor/store/dump_format.hpp"

#include <cmath>
#include <cstring>
#include <doctest/doctest.h>
#include <limits>

using namespace smtpprobe::store;
using namespace std::string_literals;

namespace {

std::string text_form(std::string_view bytes)
{
    std::string line;
    append_text(line, bytes);
    return line;
}

DumpValue read(std::string_view field)
{
    DumpValue value;
    parse_value(field, value);
    return value;
}

// No byte a line or a terminal would act on: C0 controls, DEL, and the C1 controls in their
// UTF-8 form.
bool inert(const std::string& form)
{
    for (std::size_t i = 0; i < form.size(); ++i) {
        const auto c = static_cast<unsigned char>(form[i]);
        if (c < 0x20 || c == 0x7f) {
            return false;
        }
        if (c == 0xc2 && i + 1 < form.size() && static_cast<unsigned char>(form[i + 1]) <= 0x9f) {
            return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("dump format: text keeps its bytes, escapes only what a line or a terminal would act on")
{
    struct Case {
        std::string bytes;
        std::string form;
    };
    const Case cases[] = {
        {"", "t"},
        {"plain", "tplain"},
        {"a\tb\nc\rd", "ta\\tb\\nc\\rd"},
        {"back\\slash\\", "tback\\\\slash\\\\"},
        {"quotes ' \" `", "tquotes ' \" `"},
        {"nul\0byte"s, "tnul\\x00byte"},
        {"esc \x1b[31m del \x7f", "tesc \\x1b[31m del \\x7f"},
        {"C1 \xc2\x9b", "tC1 \\xc2\\x9b"},                                 // CSI in UTF-8
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", "tcaf\xc3\xa9 \xf0\x9f\x98\x80"}, // valid: as is
        {"\xff\xfe", "t\\xff\\xfe"},                                       // never UTF-8
        {"\xc3", "t\\xc3"},                                                // cut sequence
        {"\xc0\xaf", "t\\xc0\\xaf"},                                       // overlong '/'
        {"\xed\xa0\x80", "t\\xed\\xa0\\x80"},                              // surrogate
        {"\xf4\x90\x80\x80", "t\\xf4\\x90\\x80\\x80"},                     // above U+10FFFF
        {"\xe2\x82", "t\\xe2\\x82"},                                       // cut 3-byte sequence
    };
    for (const Case& c : cases) {
        CAPTURE(c.bytes);
        CHECK(text_form(c.bytes) == c.form);
        const DumpValue back = read(c.form);
        CHECK(back.kind == DumpValue::Kind::text);
        CHECK(back.text == c.bytes);
    }
}

TEST_CASE("dump format: every byte and every pair of bytes round-trips, the form stays inert")
{
    for (int a = 0; a < 256; ++a) {
        for (int b = -1; b < 256; ++b) {
            std::string bytes(1, static_cast<char>(a));
            if (b >= 0) {
                bytes += static_cast<char>(b);
            }
            const std::string form = text_form(bytes);
            REQUIRE(inert(form));
            REQUIRE(read(form).text == bytes);
        }
    }
    // Every 3-byte string starting with a lead byte of a longer sequence.
    for (int a = 0xe0; a < 0xf5; ++a) {
        for (int b = 0x70; b < 0xd0; ++b) {
            for (int c = 0x70; c < 0xd0; ++c) {
                const std::string bytes{static_cast<char>(a), static_cast<char>(b),
                                        static_cast<char>(c), static_cast<char>(0x80)};
                const std::string form = text_form(bytes);
                REQUIRE(inert(form));
                REQUIRE(read(form).text == bytes);
            }
        }
    }
}

TEST_CASE("dump format: doubles in their shortest form read back bit-identical")
{
    struct Case {
        double value;
        const char* form;
    };
    const Case cases[] = {
        {0.1, "r0.1"},
        {1e-300, "r1e-300"},
        {std::numeric_limits<double>::denorm_min(), "r5e-324"},
        {std::numeric_limits<double>::max(), "r1.7976931348623157e+308"},
        {1.0 / 3, "r0.3333333333333333"},
        {2.5, "r2.5"},
        {-0.0, "r-0"},
        {0.0, "r0"},
        {std::numeric_limits<double>::infinity(), "rinf"},
        {-std::numeric_limits<double>::infinity(), "r-inf"},
        {0.1 + 0.2, "r0.30000000000000004"},
    };
    for (const Case& c : cases) {
        std::string line;
        append_real(line, c.value);
        CHECK(line == c.form);
        const DumpValue back = read(line);
        CHECK(back.kind == DumpValue::Kind::real);
        CHECK(std::memcmp(&back.real, &c.value, sizeof c.value) == 0);
    }
    std::string nan;
    append_real(nan, std::numeric_limits<double>::quiet_NaN());
    CHECK(std::isnan(read(nan).real));
}

TEST_CASE("dump format: integers and NULL")
{
    for (std::int64_t v :
         {std::int64_t{0}, std::int64_t{-1}, std::int64_t{42},
          std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
        std::string line;
        append_integer(line, v);
        CHECK(line == "i" + std::to_string(v));
        CHECK(read(line).kind == DumpValue::Kind::integer);
        CHECK(read(line).integer == v);
    }
    std::string null;
    append_null(null);
    CHECK(null == "N");
    CHECK(read("N").kind == DumpValue::Kind::null);
    CHECK_FALSE(read("N") == read("t")); // NULL is not empty text
}

TEST_CASE("dump format: the reader refuses what the writer never writes")
{
    for (const char* bad : {"",      "x",      "n",         "NULL",     "i",
                            "i01",   "i-0",    "i+1",       "i 1",      "i9223372036854775808",
                            "i1.5",  "r",      "r0.10",     "r1e-300x", "r+1",
                            "r1E5",  "r.5",    "rinfinity", "t\\",      "t\\q",
                            "t\\x4", "t\\xAB", "t\\x4g",    "traw\x01"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(read(bad), DumpFormatError);
    }
}

TEST_CASE("dump format: a row line splits at tabs into one field per column")
{
    std::vector<std::string_view> fields;
    split_fields("i1\tN\tt\tta\\tb", fields);
    REQUIRE(fields.size() == 4);
    CHECK(fields[2] == "t");
    CHECK(read(fields[3]).text == "a\tb");
    split_fields("", fields);
    CHECK(fields.size() == 1);
}
