// Request target parsing: percent-decoding, parameter validation, time normalisation.
#include "web/http/query.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe::web;

TEST_CASE("times are normalised to stored form or refused")
{
    struct Case {
        const char* in;
        const char* out; // nullptr: refused
    };
    const Case cases[] = {
        {"2026-03-11", "2026-03-11T00:00:00Z"},
        {"2026-03-11T20:18Z", "2026-03-11T20:18:00Z"},
        {"2026-03-11T20:18:23Z", "2026-03-11T20:18:23Z"},
        {"2026-03-11 20:18:23", "2026-03-11T20:18:23Z"},
        {"2026-13-11", nullptr},
        {"2026-03-11T25:00Z", nullptr},
        {"yesterday", nullptr},
        {"2026-03-11T20:18:23+01:00", nullptr},
        {"", nullptr},
    };
    for (const auto& c : cases) {
        CAPTURE(c.in);
        auto got = normalise_time(c.in);
        if (c.out) {
            REQUIRE(got);
            CHECK(*got == c.out);
        } else {
            CHECK(!got);
        }
    }
}

TEST_CASE("query parameters are decoded and validated")
{
    Query query(
        "/api/episodes?ip=192.0.2.1&scope=microsoft-consumer%2Feur&limit=10&from=2026-03-01");
    CHECK(query.path() == "/api/episodes");
    CHECK(query.ip("ip") == "192.0.2.1");
    CHECK(query.scope("scope") == "microsoft-consumer/eur");
    CHECK(query.integer("limit", 5, 1, 100) == 10);
    CHECK(query.time("from") == "2026-03-01T00:00:00Z");
    CHECK(query.integer("absent", 7, 1, 100) == 7);
    CHECK_THROWS_AS(query.integer("limit", 5, 11, 100), BadRequest);
    CHECK_THROWS_AS(query.allow_only({"ip"}), BadRequest);
    CHECK_NOTHROW(query.allow_only({"ip", "scope", "limit", "from"}));
}

TEST_CASE("malformed targets and values are BadRequest")
{
    const char* bad_targets[] = {"/api/x?a=%zz", "/api/x?a=1&a=2", "/%2", "/api/x?a=%"};
    for (const char* target : bad_targets) {
        CAPTURE(target);
        CHECK_THROWS_AS(Query{target}, BadRequest);
    }
    struct Case {
        const char* target;
        const char* kind;
    };
    const Case bad_values[] = {
        {"/?v=abc", "int"},         {"/?v=1x", "int"},           {"/?v=", "int"},
        {"/?v=-5", "int"},          {"/?v=999999999999", "int"}, {"/?v=1.2.3", "ip"},
        {"/?v=<script>", "ip"},     {"/?v=", "scope"},           {"/?v=2026-02-3", "time"},
        {"/?v=2026-02-31", "time"}, {"/?v=2026-02-29", "time"},  {"/?v=2026-04-31", "time"},
        {"/?v=2100-02-29", "time"},
    };
    for (const auto& c : bad_values) {
        CAPTURE(c.target);
        Query query(c.target);
        std::string kind = c.kind;
        if (kind == "int") {
            CHECK_THROWS_AS(query.integer("v", 1, 0, 1000), BadRequest);
        } else if (kind == "ip") {
            CHECK_THROWS_AS(query.ip("v"), BadRequest);
        } else if (kind == "scope") {
            CHECK_THROWS_AS(query.scope("v"), BadRequest);
        } else {
            CHECK_THROWS_AS(query.time("v"), BadRequest);
        }
    }
}

TEST_CASE("percent-decoding keeps bytes and refuses broken escapes")
{
    CHECK(percent_decode("a%2Fb%20c") == "a/b c");
    CHECK(percent_decode("%2e%2e%2f") == "../");
    CHECK(!percent_decode("%g0"));
    CHECK(!percent_decode("abc%4"));
}

TEST_CASE("a scope is any stored text: markup and spaces are queryable, NUL never")
{
    Query query("/api/episodes?scope=host%2Fmx%3C1%3E.example&zone=a%20b&target=%E2%80%AEx");
    CHECK(query.scope("scope") == "host/mx<1>.example");
    CHECK(query.scope("zone") == "a b");
    CHECK(query.scope("target") == "\xE2\x80\xAEx");
    CHECK(!Query("/").scope("scope"));
    CHECK_THROWS_AS(Query("/?scope=" + std::string(201, 'a')).scope("scope"), BadRequest);
}

TEST_CASE("a NUL byte is refused in every parameter name and value and in the path")
{
    for (const char* target : {"/api/episodes?ip=192.0.2.1%00", "/api/episodes?scope=a%00b",
                               "/metrics?x%00=1", "/api/status%00", "/?token=%00"}) {
        CAPTURE(target);
        CHECK_THROWS_AS(Query{target}, BadRequest);
    }
}

TEST_CASE("dates that exist are accepted, leap days included")
{
    CHECK(normalise_time("2024-02-29") == "2024-02-29T00:00:00Z");
    CHECK(normalise_time("2000-02-29T12:00Z") == "2000-02-29T12:00:00Z");
    CHECK(normalise_time("2026-12-31T23:59:59Z") == "2026-12-31T23:59:59Z");
    CHECK(!normalise_time("2026-02-31"));
    CHECK(!normalise_time("2026-06-31T00:00Z"));
}
