// Every reply the classifier must know (issue 3 "Coverage"), as receivers really word them:
// Microsoft consumer and 365 codes, Gmail, Yahoo, DNSBL rejections, generic prose, 2xx. Each
// row checks reason, about, provider, provider code, status, named IP and that the winning
// rule carries a meaning, an action and a source.
#include "monitor/classify/classifier.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

namespace {

using smtpprobe::classify::Classifier;
using smtpprobe::classify::Input;

struct Case {
    std::string text;
    std::string host;
    std::string reason;
    std::string about;
    std::string provider; // "" = do not check
    std::string provider_code;
    std::string named_ip;
    std::string action_mentions; // a word the action must contain ("" = any)
    std::string enhanced = {};
};

const std::vector<Case> k_cases = {
    // Microsoft consumer (Outlook.com / Hotmail)
    {"550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact your "
     "Internet service provider since part of their network is on our block list (S3140). You "
     "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
     "[AM4PEPF00027A6C.eurprd04.prod.outlook.com 2023-11-10T09:15:02.123Z 08DBE1A1B2C3D4E5]",
     "eur.olc.protection.outlook.com", "blocked", "ip", "microsoft-consumer", "S3140",
     "203.0.113.9", "olcsupport"},
    {"550 5.7.1 Unfortunately, messages from [198.51.100.7] weren't sent. Please contact your "
     "Internet service provider since part of their network is on our block list (S3150). You "
     "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
     "", "blocked", "ip", "microsoft-consumer", "S3150", "198.51.100.7", "olcsupport"},
    {"550 5.7.1 Unfortunately, messages from [192.0.2.44] weren't sent. Please contact your "
     "Internet service provider since part of their network is on our block list (AS3140). "
     "You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
     "hotmail-com.olc.protection.outlook.com", "blocked", "ip", "microsoft-consumer", "AS3140",
     "192.0.2.44", "olcsupport"},
    {"451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP "
     "reputation. For e-mail delivery information, see https://postmaster.live.com (S775) "
     "[Name=Protocol Filter Agent][AGT=PFA][MxId=11BA8ED23C07F9F2]",
     "", "badreputation", "ip", "microsoft-consumer", "", "192.0.2.25", "SNDS"},
    {"451 4.7.651 The mail server [192.0.2.25] has been temporarily rate limited due to IP "
     "reputation.",
     "nam.olc.protection.outlook.com", "badreputation", "ip", "microsoft-consumer", "",
     "192.0.2.25", ""},
    {"451 4.7.652 The mail server [192.0.2.25] has exceeded the maximum number of connections.",
     "eur.olc.protection.outlook.com", "toomanyconn", "transient", "microsoft-consumer", "",
     "192.0.2.25", "concurren"},
    {"550 SC-001 (BAY004-MC1F18) Unfortunately, messages from 192.0.2.3 weren't sent. Please "
     "contact your Internet service provider. You can tell them that Hotmail does not relay "
     "dynamically-assigned IP ranges.",
     "mx1.hotmail.com", "blocked", "ip", "microsoft-consumer", "SC-001", "192.0.2.3", ""},
    {"550 SC-002 (COL004-MC3F9) Mail rejected by Windows Live Hotmail for policy reasons. The "
     "mail server IP connecting to Windows Live Hotmail has been temporarily blocked.",
     "", "blocked", "ip", "microsoft-consumer", "SC-002", "", ""},
    {"550 SC-003 (BAY0-MC2-F45) Mail rejected by Windows Live Hotmail for policy reasons. Your "
     "IP address appears to be an open proxy.",
     "", "blocked", "ip", "microsoft-consumer", "SC-003", "", "proxy"},
    {"550 SC-004 Mail rejected by Windows Live Hotmail for policy reasons. A block has been "
     "placed against your IP address because we have received complaints concerning mail "
     "coming from that IP address.",
     "", "blocked", "ip", "microsoft-consumer", "SC-004", "", "JMRP"},
    {"550 DY-001 (SNT004-MC1F43) Unfortunately, messages from 192.0.2.66 weren't sent. Please "
     "contact your Internet service provider. We do not accept email from dynamic IP's or "
     "non-mail server IP's.",
     "", "blocked", "ip", "microsoft-consumer", "DY-001", "192.0.2.66", "static"},
    {"550 DY-002 (COL0-MC5-F28) Unfortunately, messages from 192.0.2.66 weren't sent. The "
     "server might be compromised.",
     "", "blocked", "ip", "microsoft-consumer", "DY-002", "192.0.2.66", "compromise"},
    {"550 OU-001 (SNT004-MC1F14) Unfortunately, messages from 192.0.2.66 weren't sent. Please "
     "contact your Internet service provider. For more information, see "
     "http://mail.live.com/mail/troubleshooting.aspx#errors.",
     "", "blocked", "ip", "microsoft-consumer", "OU-001", "192.0.2.66", ""},
    {"550 OU-002 Mail rejected by Windows Live Hotmail for policy reasons. Reasons for "
     "rejection may be related to content with spam-like characteristics or IP/domain "
     "reputation problems.",
     "", "blocked", "ip", "microsoft-consumer", "OU-002", "", ""},
    // Microsoft 365 (Exchange Online)
    {"550 5.7.606 Access denied, banned sending IP [198.51.100.222]. To request removal from "
     "this list please visit https://sender.office.com/ and follow the directions. For more "
     "information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430) "
     "[DB5EUR03FT017.eop-EUR03.prod.protection.outlook.com]",
     "contoso-com.mail.protection.outlook.com", "blocked", "ip", "microsoft-365", "AS(1430)",
     "198.51.100.222", "sender.office.com"},
    {"550 5.7.649 Access denied, banned sending IP [198.51.100.222].", "", "blocked", "ip",
     "microsoft-365", "", "198.51.100.222", "sender.office.com"},
    {"550 5.7.511 Access denied, banned sender[198.51.100.5]. To request removal from this "
     "list, forward this message to delist@microsoft.com. For more information please go to "
     "http://go.microsoft.com/fwlink/?LinkId=526653.",
     "fabrikam.mail.protection.outlook.com", "blocked", "ip", "microsoft-365", "", "198.51.100.5",
     "delist@microsoft.com"},
    {"550 5.7.513 Service unavailable, Client host [198.51.100.5] blocked by fabrikam.com "
     "using Customer Block list (AS16012607)",
     "fabrikam-com.mail.protection.outlook.com", "blocked", "ip", "microsoft-365", "AS16012607",
     "198.51.100.5", "recipient"},
    {"550 5.7.509 Access denied, sending domain [EXAMPLE.ORG] does not pass DMARC verification "
     "and has a DMARC policy of reject.",
     "contoso.mail.protection.outlook.com", "authfailure", "domain", "microsoft-365", "", "",
     "DKIM"},
    {"550 5.7.705 Access denied, tenant has exceeded threshold. For more information please go "
     "to https://go.microsoft.com/fwlink/?linkid=2022138",
     "", "blocked", "domain", "microsoft-365", "", "", "tenant"},
    // Gmail
    {"421-4.7.28 [203.0.113.5      15] Our system has detected an unusual rate of\r\n"
     "421-4.7.28 unsolicited mail originating from your IP address. To protect our\r\n"
     "421-4.7.28 users from spam, mail sent from your IP address has been temporarily\r\n"
     "421 4.7.28 rate limited. https://support.google.com/mail/?p=UnsolicitedRateLimitError "
     "a1si123456wrx.45 - gsmtp",
     "gmail-smtp-in.l.google.com", "speeding", "ip", "google", "", "", "Postmaster"},
    {"550-5.7.28 [203.0.113.5] Our system has detected an unusual rate of unsolicited mail "
     "originating from your IP address. To protect our users from spam, mail sent from your IP "
     "address has been blocked. 550 5.7.28 https://support.google.com/mail/?p=UnsolicitedIPError "
     "- gsmtp",
     "", "blocked", "ip", "google", "", "203.0.113.5", "Postmaster"},
    {"421-4.7.0 [203.0.113.5] Our system has detected that this message is suspicious due to "
     "the very low reputation of the sending IP address. To best protect our users from spam, "
     "the message has been blocked. https://support.google.com/mail/answer/188131 - gsmtp",
     "aspmx.l.google.com", "badreputation", "ip", "google", "", "203.0.113.5", "Postmaster"},
    {"550-5.7.1 [203.0.113.5] Our system has detected that this message is likely suspicious "
     "due to the very low reputation of the sending domain. To best protect our users from "
     "spam, the message has been blocked. - gsmtp",
     "", "badreputation", "domain", "google", "", "", "Postmaster"},
    {"550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and "
     "Gmail users, and has been blocked. The sender must authenticate with at least one of SPF "
     "or DKIM. - gsmtp",
     "", "authfailure", "domain", "google", "", "", "DKIM"},
    {"550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC "
     "policy. Please contact the administrator of example.org domain. - gsmtp",
     "gmail-smtp-in.l.google.com", "authfailure", "domain", "google", "", "", ""},
    {"550-5.7.27 The sender's domain example.org does not pass SPF. - gsmtp", "", "authfailure",
     "domain", "google", "", "", "SPF"},
    {"550-5.7.30 This message does not pass DKIM. - gsmtp", "", "authfailure", "domain", "google",
     "", "", "DKIM"},
    {"550-5.7.32 Your email has been blocked because the sender is unauthenticated: the From: "
     "header isn't aligned with either the authenticated SPF or DKIM organizational domain. - "
     "gsmtp",
     "", "authfailure", "domain", "google", "", "", ""},
    {"550-5.7.40 The sender domain's DMARC policy and ARC result did not pass. - gsmtp", "",
     "authfailure", "domain", "google", "", "", ""},
    {"421-4.7.23 [203.0.113.5] The sending IP does not have a PTR record. - gsmtp", "",
     "requireptr", "ip", "google", "", "203.0.113.5", "PTR"},
    {"550-5.7.25 [203.0.113.5] The IP address sending this message does not have a PTR record "
     "setup, or the corresponding forward DNS entry does not point to the sending IP. As a "
     "policy, Gmail does not accept messages from IPs with missing PTR records. - gsmtp",
     "gmail-smtp-in.l.google.com", "requireptr", "ip", "google", "", "203.0.113.5", "PTR"},
    {"421-4.7.29 Your email has been rate limited because this message wasn't sent over a TLS "
     "connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections. - "
     "gsmtp",
     "", "failedstarttls", "tls", "google", "", "", "STARTTLS"},
    {"550-5.7.29 Your email has been blocked because this message wasn't sent over a TLS "
     "connection. - gsmtp",
     "", "failedstarttls", "tls", "google", "", "", "STARTTLS"},
    {"450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents "
     "additional messages from being delivered. Please resend your message at a later time. - "
     "gsmtp",
     "", "speeding", "transient", "google", "", "", ""},
    {"550-5.2.1 The user you are trying to contact is receiving mail at a rate that 550-5.2.1 "
     "prevents additional messages from being delivered. - gsmtp",
     "", "speeding", "transient", "google", "", "", ""},
    // Yahoo / AOL
    {"421 4.7.0 [TSS04] Messages from 203.0.113.8 temporarily deferred due to unexpected volume "
     "or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
     "mta7.am0.yahoodns.net", "badreputation", "ip", "yahoo", "TSS04", "203.0.113.8", "Yahoo"},
    {"553 5.7.2 [TSS09] All messages from 203.0.113.8 will be permanently deferred; Retrying "
     "will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
     "mta5.am0.yahoodns.net", "blocked", "ip", "yahoo", "TSS09", "203.0.113.8", ""},
    {"421 4.7.0 [TSS11] Excessive unknown recipients - possible Open Relay (#4.16.56.1)", "",
     "blocked", "ip", "yahoo", "TSS11", "", "relay"},
    {"421 4.7.0 [TS01] Messages from 203.0.113.8 temporarily deferred due to user complaints - "
     "4.16.55.1; see https://help.yahoo.com/kb/postmaster/SLN3434.html",
     "", "badreputation", "ip", "yahoo", "TS01", "203.0.113.8", ""},
    {"421 4.7.0 [TS02] Messages from 203.0.113.8 temporarily deferred due to user complaints - "
     "4.16.55.1",
     "", "badreputation", "ip", "yahoo", "TS02", "203.0.113.8", ""},
    {"554 5.7.9 [TS03] All messages from 203.0.113.8 will be permanently deferred; Retrying will "
     "NOT succeed.",
     "", "blocked", "ip", "yahoo", "TS03", "203.0.113.8", ""},
    {"553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.8, because the ip is in "
     "Spamhaus's list; see http://postmaster.yahoo.com/errors/postmaster-21.html",
     "", "blocked", "ip", "yahoo", "BL21", "203.0.113.8", "spamhaus"},
    {"553 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see "
     "http://postmaster.yahoo.com/errors/postmaster-23.html [203.0.113.8]",
     "", "blocked", "ip", "yahoo", "BL23", "203.0.113.8", "spamhaus"},
    {"554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit "
     "https://postmaster.yahooinc.com/error-codes",
     "", "policyviolation", "content", "yahoo", "PH01", "", ""},
    // DNS blocklists, named in the text
    {"554 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using zen.spamhaus.org; "
     "https://www.spamhaus.org/query/ip/203.0.113.77",
     "mx.example.net", "blocked", "ip", "", "", "203.0.113.77", "spamhaus"},
    {"554 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using "
     "b.barracudacentral.org; http://www.barracudanetworks.com/reputation/?pr=1&ip=203.0.113.77",
     "", "blocked", "ip", "", "", "203.0.113.77", "barracudacentral"},
    {"554 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using bl.spamcop.net; "
     "Blocked - see https://www.spamcop.net/bl.shtml?203.0.113.77",
     "", "blocked", "ip", "", "", "203.0.113.77", "spamcop"},
    {"550 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using "
     "dnsbl-1.uceprotect.net; IP 203.0.113.77 is UCEPROTECT-Level 1 listed.",
     "", "blocked", "ip", "", "", "203.0.113.77", "uceprotect"},
    {"554 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using psbl.surriel.com; "
     "Listed in PSBL, see http://psbl.org/listing?ip=203.0.113.77",
     "", "blocked", "ip", "", "", "203.0.113.77", "psbl"},
    {"554 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using bl.mailspike.net", "",
     "blocked", "ip", "", "", "203.0.113.77", "mailspike"},
    // Generic prose
    {"550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown in virtual "
     "mailbox table",
     "mx.example.net", "userunknown", "recipient", "other", "", "", ""},
    {"552 5.2.2 <full@example.net>: Quota exceeded (mailbox for user is full)", "", "mailboxfull",
     "recipient", "", "", "", ""},
    {"450 4.2.0 <user@example.net>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/example.net.html",
     "", "greylisting", "transient", "", "", "", ""},
    {"552 5.3.4 Message size exceeds fixed limit", "", "mesgtoobig", "content", "", "", "", ""},
    {"554 5.7.1 <user@example.org>: Relay access denied", "", "norelaying", "recipient", "", "", "",
     ""},
    {"250 2.0.0 Ok: queued as 4Q0abc123", "", "delivered", "none", "", "", "", ""},
    {"250 2.6.0 <msg@example.org> [InternalId=123] Queued mail for delivery", "", "delivered",
     "none", "", "", "", ""},
    {"Sent (<202007151015.06FAFTbL012697@mx.example.com> Message accepted for delivery)", "",
     "delivered", "none", "", "", "", ""},
};

} // namespace

TEST_CASE("coverage: every listed provider reply gets its reason, code and advice")
{
    const Classifier& classifier = Classifier::builtin();
    for (const Case& c : k_cases) {
        Input input;
        input.text = c.text;
        input.remote_host = c.host;
        input.enhanced = c.enhanced;
        const auto r = classifier.classify(input);
        INFO("text: " << c.text);
        INFO("rule: " << r.rule_id);
        CHECK(r.reason == c.reason);
        CHECK(r.about == c.about);
        if (!c.provider.empty()) {
            CHECK(r.provider == c.provider);
        }
        CHECK(r.provider_code == c.provider_code);
        if (!c.named_ip.empty()) {
            CHECK(r.named_ip == c.named_ip);
        }
        if (r.reason != "delivered") {
            CHECK_FALSE(r.rule_id.empty());
            CHECK_FALSE(r.meaning.empty());
            CHECK_FALSE(r.action.empty());
            CHECK_FALSE(r.source.empty());
        }
        if (!c.action_mentions.empty()) {
            std::string action(r.action);
            std::string want = c.action_mentions;
            for (auto* s : {&action, &want}) {
                for (char& ch : *s) {
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                }
            }
            CHECK_MESSAGE(action.find(want) != std::string::npos, "action: " << r.action);
        }
    }
}
