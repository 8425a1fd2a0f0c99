// SPF macro expansion against the examples of RFC 7208 section 7.4, and DMARC p= parsing.
#include "monitor/hygiene/hygiene.hpp"
#include "monitor/hygiene/spf_macro.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe::hygiene;

TEST_CASE("SPF macros: RFC 7208 section 7.4 examples")
{
    MacroInputs in;
    in.ip = boost::asio::ip::make_address("192.0.2.3");
    in.sender_local = "strong-bad";
    in.sender_domain = "email.example.com";
    in.domain = "email.example.com";
    in.helo = "mx.example.org";
    struct Case {
        const char* spec;
        const char* expanded;
    };
    const Case cases[] = {
        {"%{s}", "strong-bad@email.example.com"},
        {"%{o}", "email.example.com"},
        {"%{d}", "email.example.com"},
        {"%{d4}", "email.example.com"},
        {"%{d3}", "email.example.com"},
        {"%{d2}", "example.com"},
        {"%{d1}", "com"},
        {"%{dr}", "com.example.email"},
        {"%{d2r}", "example.email"},
        {"%{l}", "strong-bad"},
        {"%{l-}", "strong.bad"},
        {"%{lr}", "strong-bad"},
        {"%{lr-}", "bad.strong"},
        {"%{l1r-}", "strong"},
        {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
        {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
        {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
        {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
        {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
        {"%{h}", "mx.example.org"},
        {"a%%b%_c%-d", "a%b c%20d"},
        {"%{L}", "strong-bad"},
        {"%{S}", "strong-bad%40email.example.com"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.spec);
        std::string error;
        auto out = expand_spf_macros(c.spec, in, &error);
        REQUIRE_MESSAGE(out.has_value(), error);
        CHECK(*out == c.expanded);
    }
    in.ip = boost::asio::ip::make_address("2001:db8::cb01");
    CHECK(*expand_spf_macros("%{ir}.%{v}._spf.%{d2}", in, nullptr) ==
          "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");

    for (const char* bad : {"%", "%x", "%{", "%{q}", "%{d0}", "%{d2x}", "%{}"}) {
        CAPTURE(bad);
        std::string error;
        CHECK_FALSE(expand_spf_macros(bad, in, &error).has_value());
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("DMARC p= policy")
{
    struct Case {
        const char* record;
        const char* policy;
    };
    const Case cases[] = {
        {"v=DMARC1; p=reject; rua=mailto:d@example.com", "reject"},
        {"v=DMARC1;p=quarantine", "quarantine"},
        {"v=DMARC1; p = none ;", "none"},
        {"V=dmarc1; P=Reject", "reject"},
        {"v=DMARC1; rua=mailto:d@example.com", ""},
        {"v=DMARC1; p=block", ""},
        {"v=DMARC2; p=reject", ""},
        {"p=reject; v=DMARC1", ""},
        {"", ""},
    };
    for (const Case& c : cases) {
        CAPTURE(c.record);
        CHECK(dmarc_policy(c.record) == c.policy);
    }
}
