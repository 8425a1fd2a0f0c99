// A refusal of the client reads as an IP block whoever sends it (issue 16): replies built from
// the grammar of a block (the client as subject or object of a refusal verb, a listing, a
// HELO refusal), with a cause or none, from an unknown receiver, must read `blocked` about the
// IP. The combinations are drawn at random from the parts below (the seed is printed;
// SMTPPROBE_TEST_SEED repeats it), so no rule can fit one sentence.
#include "monitor/classify/classifier.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using smtpprobe::classify::Classifier;
using smtpprobe::classify::Input;

std::uint32_t test_seed()
{
    const char* text = std::getenv("SMTPPROBE_TEST_SEED");
    return text != nullptr ? static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10))
                           : std::random_device{}();
}

// "{ip}" in a part is replaced by a documentation address.
std::string with_ip(std::string text, const std::string& ip)
{
    for (std::size_t at = text.find("{ip}"); at != std::string::npos; at = text.find("{ip}")) {
        text.replace(at, 4, ip);
    }
    return text;
}

const std::vector<std::string> k_codes = {"550 5.7.1 ", "554 5.7.1 ", "553 5.7.1 ", "550 ",
                                          "554 ",       "550 5.7.0 ", "421 4.7.1 "};

// The client as the subject of the refusal.
const std::vector<std::string> k_subjects = {
    "Your IP {ip}",   "Your IP address {ip}",   "The sending IP {ip}",   "Sender IP [{ip}]",
    "Client IP {ip}", "Your mail server {ip}",  "Your server's IP {ip}", "IP {ip}",
    "[{ip}]",         "Source IP address {ip}", "The IP address {ip}",   "Connecting host {ip}",
};
const std::vector<std::string> k_verbs = {
    "is blocked",
    "has been blocked",
    "has been blacklisted",
    "is blacklisted",
    "is listed in our RBL",
    "is on our blocklist",
    "is banned",
    "has been banned",
    "is not allowed to send mail here",
    "is denylisted",
    "was found on a block list",
    "is currently blocked",
    "is listed on a DNSBL",
    "is not permitted to send mail to this domain",
};
const std::vector<std::string> k_causes = {
    "",
    " due to spam complaints",
    " for abuse",
    " because of spam sent from it",
    " - see https://www.example.net/unblock",
    " by our local policy",
    ". Contact postmaster@example.net to be removed",
};

// The client as the object of the refusal (verb first).
const std::vector<std::string> k_objects = {
    "Mail from {ip} refused",
    "Connection refused from [{ip}]",
    "Access denied for IP {ip}",
    "Rejected: {ip} listed at rbl.example.net",
    "Blocked - your IP {ip} is on a block list",
    "Messages from {ip} rejected as a known spam source",
    "Email from {ip} refused as spam source",
    "Refused: host {ip} is a source of spam",
    "Connections not accepted from {ip}",
    "Service unavailable; Client host [{ip}] blocked by our blocklist",
};

// The HELO/EHLO argument refused (Sisimai's `blocked` covers it).
const std::vector<std::string> k_helo = {
    "Access denied - Invalid HELO name (See RFC2821 4.1.1.1)",
    "Helo command rejected: Host not found",
    "HELO rejected: bogus name",
    "Forged HELO hostname detected",
    "Bad HELO - not a fully qualified domain name",
    "EHLO argument refused: it is not your host name",
};

} // namespace

TEST_CASE("block grammar: any refusal of the client's IP, host or HELO reads as an IP block")
{
    const std::uint32_t seed = test_seed();
    std::cout << "block grammar: seed " << seed << " (SMTPPROBE_TEST_SEED=" << seed
              << " repeats it)\n";
    std::mt19937 random(seed);
    auto pick = [&random](const std::vector<std::string>& parts) -> const std::string& {
        return parts[random() % parts.size()];
    };
    const Classifier& classifier = Classifier::builtin();
    std::ostringstream misses;
    int tried = 0;
    int missed = 0;
    auto check = [&](const std::string& text, bool want_ip_named) {
        Input input;
        input.text = text;
        input.remote_host = "mx1.unknown-receiver.example";
        const auto result = classifier.classify(input);
        ++tried;
        if (result.reason != "blocked" || result.about != "ip") {
            ++missed;
            misses << "  " << text << " -> " << result.reason << "/" << result.about << " ("
                   << result.rule_id << ")\n";
        } else if (want_ip_named && result.named_ip.empty()) {
            ++missed;
            misses << "  " << text << " -> no named IP\n";
        }
    };
    for (int n = 0; n < 400; ++n) {
        const std::string ip = "203.0.113." + std::to_string(1 + random() % 250);
        check(with_ip(pick(k_codes) + pick(k_subjects) + " " + pick(k_verbs) + pick(k_causes), ip),
              false);
        check(with_ip(pick(k_codes) + pick(k_objects) + pick(k_causes), ip), false);
    }
    for (const std::string& helo : k_helo) {
        check("550 5.7.1 " + helo, false);
        check("504 5.5.2 " + helo, false);
    }
    INFO(misses.str());
    CHECK(missed == 0);
    CHECK(tried > 800);
}

TEST_CASE("block grammar: a refusal of a recipient, a message or a relay is not an IP block")
{
    // The same verbs about something else than the client must not read as a block of it.
    const Classifier& classifier = Classifier::builtin();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown", "userunknown"},
        {"554 5.7.1 <bob@example.net>: Relay access denied", "norelaying"},
        {"552 5.2.2 Mailbox of bob is full, message refused", "mailboxfull"},
        {"550 5.7.1 Message rejected as spam by Content Filtering", "spamdetected"},
        {"554 5.7.1 Message refused: the attachment type is blocked (virus found)",
         "virusdetected"},
        {"450 4.7.1 <bob@example.net>: Recipient address rejected: greylisted, try again later",
         "greylisting"},
    };
    for (const auto& [text, reason] : cases) {
        Input input;
        input.text = text;
        input.remote_host = "mx1.unknown-receiver.example";
        const auto result = classifier.classify(input);
        INFO(text);
        CHECK(result.reason == reason);
    }
}

TEST_CASE("reason grammar: a cause worded another way than the rules' phrases reads the same")
{
    // Each reason by the shape of its sentence (subject + state), not one receiver's words.
    const Classifier& classifier = Classifier::builtin();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"550 mailbox has reached its maximum size", "mailboxfull"},
        {"452 Insufficient mailbox storage", "mailboxfull"},
        {"552 5.2.2 The user's inbox is over its quota", "mailboxfull"},
        {"550 The mailbox is locked", "suspend"},
        {"550 5.2.1 This user account has been temporarily suspended", "suspend"},
        {"Message has been in the queue too long", "expired"},
        {"Message was in the queue for 5 days without being delivered", "expired"},
        {"550 5.1.0 The domain does not accept email", "notaccept"},
        {"554 No SMTP service here", "notaccept"},
        {"550 Reverse DNS lookup failed for host 203.0.113.5", "requireptr"},
        {"554 5.7.1 Message violates our acceptable use policy", "policyviolation"},
    };
    for (const auto& [text, reason] : cases) {
        Input input;
        input.text = text;
        input.remote_host = "mx1.unknown-receiver.example";
        const auto result = classifier.classify(input);
        INFO(text);
        CHECK(result.reason == reason);
    }
}

TEST_CASE("a recipient domain that accepts no mail (no MX, null MX) is never a block of us")
{
    // RFC 7505: a null MX says the domain receives no mail at all; it is about the recipient,
    // whoever the sender is.
    const Classifier& classifier = Classifier::builtin();
    for (const std::string text :
         {"550 5.1.10 The domain example.org doesn't receive email according to the "
          "administrator: returned Null MX",
          "554 5.7.27 example.org does not accept mail (null MX)",
          "550 5.4.4 Host example.org indicated no SMTP service",
          "550 No MX record found for domain example.org"}) {
        Input input;
        input.text = text;
        input.remote_host = "mx1.unknown-receiver.example";
        const auto result = classifier.classify(input);
        INFO(text);
        CHECK(result.reason == "notaccept");
        CHECK(result.about == "recipient");
    }
}

TEST_CASE("a status any receiver may send names no provider, a provider's own status does")
{
    const Classifier& classifier = Classifier::builtin();
    Input input;
    // RFC 7372's 5.7.26 from a host nobody recognises: the reason stands, the provider does not.
    input.text = "550 5.7.26 <a@example.org>: Recipient address rejected: Multiple "
                 "authentication checks failed";
    const auto unknown = classifier.classify(input);
    CHECK(unknown.reason == "authfailure");
    CHECK(unknown.provider == "other");
    CHECK(unknown.scope.empty());
    // The same status with Gmail's mark in the text is Gmail's.
    input.text = "550-5.7.26 Unauthenticated email from example.org is not accepted due to "
                 "domain's DMARC policy. gsmtp";
    CHECK(classifier.classify(input).scope == "google");
    // 5.7.606 is outside the IANA registry: only Microsoft sends it.
    input.text = "550 5.7.606 Access denied, banned sending IP [192.0.2.7].";
    CHECK(classifier.classify(input).provider == "microsoft-365");
}
