// `smtpprobe probe DOMAIN` through a real DNS server (dnsmasq) to a real SMTP peer (Postfix's
// smtp-sink), all on loopback: MX preference order, fallback to the next MX when the first
// refuses connections, the A record when there is no MX (implicit MX), and null MX.
#include "tests/support/child_process.hpp"
#include "tests/support/dns_server.hpp"
#include "tests/support/postfix_instance.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace smtpprobe::test;
using nlohmann::json;

namespace {

json probe(const DnsServer& dns, const std::string& target, int* exit_code)
{
    auto r = run_smtpprobe({"--dns-server", dns.address(), "--json", "probe", target, "--no-store",
                            "--timeout", "all=5", "--helo", "probe.test"});
    INFO(r.err);
    INFO(r.out);
    *exit_code = r.exit_code;
    auto doc = json::parse(r.out, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    REQUIRE(doc["results"].size() == 1);
    return doc["results"][0];
}

} // namespace

TEST_CASE("probe through DNS: MX order, next MX on refusal, implicit MX, null MX")
{
    SmtpSink sink;
    std::string port = ":" + std::to_string(sink.port());
    DnsServer dns({
        "--mx-host=order.test,mx2.order.test,20",
        "--mx-host=order.test,mx1.order.test,10",
        "--host-record=mx1.order.test,127.0.0.1",
        "--host-record=mx2.order.test,127.0.0.1",
        "--mx-host=fallback.test,dead.fallback.test,10",
        "--mx-host=fallback.test,live.fallback.test,20",
        "--host-record=dead.fallback.test,127.0.0.2",
        "--host-record=live.fallback.test,127.0.0.1",
        "--host-record=plain.test,127.0.0.1",
        "--mx-host=nullmx.test,.,0",
    });
    int code = -1;

    SUBCASE("MX preference order")
    {
        json r = probe(dns, "order.test" + port, &code);
        CHECK(code == 0);
        CHECK(r["route"] == "mx");
        CHECK(r["mx_host"] == "mx1.order.test");
        CHECK(r["outcome"] == "completed");
    }
    SUBCASE("the first MX refuses connections: the next one answers")
    {
        json r = probe(dns, "fallback.test" + port, &code);
        CHECK(code == 0);
        CHECK(r["mx_host"] == "live.fallback.test");
        REQUIRE(r["attempts"].size() == 2);
        CHECK(r["attempts"][0]["host"] == "dead.fallback.test");
        CHECK(r["attempts"][0]["result"] != "connected");
        CHECK(r["attempts"][1]["result"] == "connected");
    }
    SUBCASE("no MX: the A record (implicit MX)")
    {
        json r = probe(dns, "plain.test" + port, &code);
        CHECK(code == 0);
        CHECK(r["route"] == "implicit");
        CHECK(r["ip"] == "127.0.0.1");
        CHECK(r["outcome"] == "completed");
    }
    SUBCASE("null MX: accepts no mail, nothing contacted")
    {
        json r = probe(dns, "nullmx.test" + port, &code);
        // Nothing about us: the probe could not complete (exit 3), it is no finding (issue 18).
        CHECK(code == 3);
        CHECK(r["route"] == "null-mx");
        CHECK(r["outcome"] == "no-mail");
        CHECK(r["attempts"].empty());
    }
}
