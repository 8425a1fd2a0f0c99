// Replies as the providers' own pages word them (issue 16): Gmail, Yahoo, Microsoft 365,
// Comcast, Orange/La Poste, Cox, GoDaddy, Apple, GMX/web.de, Mail.ru, Yandex, T-Online, Zoho,
// Proofpoint, Mimecast, Barracuda, Cisco, QQ. Each row checks the reason, what it is about,
// the provider's code and one word the advice must hold. Then every block-class rule's advice
// is checked against what a self-hosted admin must do: an IP refusal is never answered with a
// TLS setting, and it always names a step (delist, PTR, relay, contact, slow down ...).
#include "monitor/classify/classifier.hpp"
#include "monitor/classify/rule_loader.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

namespace {

using smtpprobe::classify::Classifier;
using smtpprobe::classify::Input;

struct Case {
    std::string host;
    std::string text;
    std::string reason;
    std::string about;
    std::string provider_code;   // "" = none expected
    std::string action_mentions; // lower case
};

const std::vector<Case> k_cases = {
    // Gmail: a dynamic/residential IP is about the IP (static IP with PTR, or a smarthost).
    {"gmail-smtp-in.l.google.com",
     "550-5.7.1 [203.0.113.5] The IP you're using to send mail is not authorized to send email "
     "directly to our servers. Please use the SMTP relay at your service provider instead. For "
     "more information, go to https://support.google.com/mail/?p=NotAuthorizedError "
     "a1si123.45 - gsmtp",
     "blocked", "ip", "", "smarthost"},
    {"gmail-smtp-in.l.google.com",
     "550-5.7.1 [2001:db8::25] Our system has detected that this message does not meet IPv6 "
     "sending guidelines regarding PTR records and authentication. Please review "
     "https://support.google.com/mail/?p=IPv6AuthError for more information. x1si2 - gsmtp",
     "requireptr", "ip", "", "ptr"},
    // Yahoo: TSS06 is a permanent block of the IP, not a filter.
    {"mta7.am0.yahoodns.net",
     "554 5.7.2 [TSS06] Messages from 203.0.113.5 permanently deferred; Retrying will NOT "
     "succeed. See https://senders.yahooinc.com/error-codes",
     "blocked", "ip", "TSS06", "yahoo sender support"},
    // Microsoft 365: concurrent connections are a connection limit.
    {"example-com.mail.protection.outlook.com",
     "432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending "
     "for more information. [Hostname=BY5PR11MB1234.namprd11.prod.outlook.com]",
     "toomanyconn", "transient", "", "concurrency"},
    // Comcast: "block for spam" blocks the IP.
    {"mx2.comcast.net",
     "554 resimta-po-28v.sys.comcast.net resimta-po-28v.sys.comcast.net 203.0.113.5 Comcast "
     "block for spam. Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000",
     "blocked", "ip", "BL000000", "spamhaus"},
    {"mx1.comcast.net",
     "554 resimta-ch2-05v.sys.comcast.net ES000010 dynamic/residential IP address - see "
     "http://postmaster.comcast.net/smtp-error-codes.php#ES000010",
     "blocked", "ip", "ES000010", "static ip"},
    {"mx1.comcast.net",
     "421 resimta-h1p-01v.sys.comcast.net 203.0.113.5 RL000001 Rate limit reached, try again "
     "later",
     "speeding", "transient", "RL000001", "slowly"},
    // "The recipient has exceeded their limit" is about the mailbox, not a filter.
    {"mx.example.org", "452 4.2.2 The recipient has exceeded their limit of stored messages",
     "mailboxfull", "recipient", "", ""},
    // Orange / La Poste codes.
    {"smtp-in.orange.fr",
     "550 5.7.1 Service refuse. Veuillez essayer plus tard. Service refused, please try later. "
     "OFR006_103 203.0.113.5 [103]",
     "blocked", "ip", "OFR006_103", "postmaster.orange.fr"},
    {"smtp-in.orange.fr",
     "421 mwinf5c79 ME Trop de connexions, veuillez verifier votre configuration. Too many "
     "connections, slow down. OFR005_104 [104]",
     "toomanyconn", "transient", "OFR005_104", "concurrency"},
    {"smtp.laposte.net",
     "552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]", "mailboxfull",
     "recipient", "OFR_417", ""},
    // Cox, GoDaddy.
    {"cxr.mx.a.cox.net",
     "554 cxr.mx.a.cox.net cox 203.0.113.5 rejected. IPBL1001 - Cloudmark CSI and Spamhaus",
     "blocked", "ip", "IPBL1001", "spamhaus"},
    {"smtp.secureserver.net",
     "554 p3plibsmtp02-05.prod.phx3.secureserver.net bizsmtp Connection refused. 203.0.113.5 "
     "is listed on the Policy Block List (PBL). IB106",
     "blocked", "ip", "IB106", "static ip"},
    // Apple iCloud.
    {"mx01.mail.icloud.com",
     "554 5.7.1 [CS01] Message rejected due to local policy. Please visit "
     "https://support.apple.com/en-us/HT204137",
     "blocked", "ip", "CS01", "postmaster"},
    // GMX / web.de.
    {"mx00.emig.gmx.net",
     "554-gmx.net (mxgmx104) Nemesis ESMTP Service not available 554-No SMTP service "
     "554-IP address is block listed. 554 For explanation visit "
     "https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=203.0.113.5&r=1MNc",
     "blocked", "ip", "", "delist"},
    // Mail.ru, Yandex.
    {"mxs.mail.ru", "550 spam message rejected. Please visit http://help.mail.ru/notspam-support",
     "spamdetected", "content", "", ""},
    {"mx.yandex.ru", "554 5.7.1 Message rejected under suspicion of SPAM; https://ya.cc/1IrBc",
     "spamdetected", "content", "", ""},
    // T-Online: an unknown IP must ask for a reset (and have an imprint).
    {"mx00.t-online.de",
     "554 IP=203.0.113.5 - None/bad reputation. Ask your postmaster for help or to contact "
     "tobr@rx.t-online.de for reset. (NOWL)",
     "badreputation", "ip", "", "imprint"},
    // Zoho.
    {"mx.zoho.com", "541 5.4.1 Mail rejected by destination domain", "filtered", "recipient", "",
     ""},
    // Proofpoint, Mimecast, Barracuda, Cisco.
    {"mx0a-00123401.pphosted.com",
     "554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=203.0.113.5", "blocked", "ip", "",
     "ipcheck.proofpoint.com"},
    {"eu-smtp-inbound-1.mimecast.com",
     "550 DMARC Sender Invalid - envelope rejected - https://community.mimecast.com/docs/DOC-1369",
     "authfailure", "domain", "", "dkim"},
    {"d123.ess.barracudanetworks.com",
     "554 Service unavailable; Client host [203.0.113.5] blocked using Barracuda Reputation; "
     "http://bbl.barracudacentral.com/q.cgi?ip=203.0.113.5",
     "blocked", "ip", "", "barracudacentral"},
    {"mx1.example.iphmx.com",
     "554 Your access to this mail system has been rejected due to the sending MTA's poor "
     "reputation. If you believe that this failure is in error, please contact the intended "
     "recipient via alternate means.",
     "badreputation", "ip", "", "talos"},
    // QQ Mail.
    {"mx3.qq.com",
     "550 DMARC check failed. http://service.mail.qq.com/cgi-bin/help?subtype=1&&no=1001508",
     "authfailure", "domain", "", "dkim"},
};

std::string lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    return out;
}

} // namespace

TEST_CASE("provider pages: each provider's reply gets its reason, code and advice")
{
    const Classifier& classifier = Classifier::builtin();
    for (const Case& c : k_cases) {
        Input input;
        input.text = c.text;
        input.remote_host = c.host;
        const auto r = classifier.classify(input);
        INFO("text: " << c.text);
        INFO("rule: " << r.rule_id);
        CHECK(r.reason == c.reason);
        CHECK(r.about == c.about);
        CHECK(r.provider_code == c.provider_code);
        CHECK_FALSE(r.source.empty());
        if (!c.action_mentions.empty()) {
            CHECK_MESSAGE(lower(r.action).find(c.action_mentions) != std::string::npos,
                          "action: " << r.action);
        }
    }
}

TEST_CASE("provider pages: every block-class rule's advice is what a self-hosted admin does")
{
    // A step the operator can take; any one of them.
    const std::vector<std::string> steps = {
        "delist",  "removal", "remove",     "ptr",   "relay", "smarthost", "contact",
        "request", "ticket",  "slow",       "lower", "stop",  "form",      "check",
        "spf",     "dkim",    "postmaster", "reset", "retry", "send",      "ask"};
    int checked = 0;
    for (const auto& rule : smtpprobe::classify::load_embedded_rule_book().rules) {
        if (rule.about != "ip" || (rule.reason != "blocked" && rule.reason != "badreputation" &&
                                   rule.reason != "requireptr")) {
            continue;
        }
        ++checked;
        INFO("rule: " << rule.id << " action: " << rule.action);
        const std::string action = lower(rule.action);
        CHECK(action.find("starttls") == std::string::npos);
        CHECK(action.find("tls") == std::string::npos);
        bool names_a_step = false;
        for (const std::string& step : steps) {
            names_a_step = names_a_step || action.find(step) != std::string::npos;
        }
        CHECK(names_a_step);
        CHECK_FALSE(rule.source.empty());
    }
    CHECK(checked > 40);
}

TEST_CASE("provider pages: receivers' plain refusals of the client are IP blocks")
{
    const Classifier& classifier = Classifier::builtin();
    for (const char* text :
         {"550 blocked", "554 blocked - see https://ipcheck.example.org/?ip=192.0.2.1",
          "554 Client host 192.0.2.1 blocked using sbl",
          "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
          "550 Mail server at mx.example.org is blocked",
          "554 Mail from 192.0.2.1 refused: see "
          "http://example.org/",
          "550 Dynamic/zombied/spam IPs blocked",
          "554 Sorry, your remotehost looks suspiciously "
          "like spammer",
          "550 Rejected because the sending MTA or the sender has not passed validation",
          "550 5.7.1 Helo command rejected: Host not found",
          "421 Access from ip address 192.0.2.1 blocked. Visit http://example.org/"}) {
        Input input;
        input.text = text;
        const auto r = classifier.classify(input);
        INFO("text: " << text << " rule: " << r.rule_id);
        CHECK(r.reason == "blocked");
        CHECK(r.about == "ip");
    }
}
