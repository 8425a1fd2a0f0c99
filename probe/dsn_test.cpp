// DSN test verdict and MTA-specific advice.
#include "probe/dsn_test.hpp"

#include "probe/printable.hpp"

#include <algorithm>
#include <cctype>

namespace smtpprobe::probe {

const char* dsn_verdict_name(DsnVerdict verdict)
{
    switch (verdict) {
    case DsnVerdict::backscatter_risk:
        return "backscatter-risk";
    case DsnVerdict::safe:
        return "safe";
    case DsnVerdict::inconclusive:
        break;
    }
    return "inconclusive";
}

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<Reply> reply_of(const ProbeResult& r, std::string_view label)
{
    const StepRecord* s = r.step(label);
    if (!s || !s->reply) {
        return std::nullopt;
    }
    return s->reply;
}

// A refusal of the DSN parameters themselves (RFC 3461 / 5321: 555, 501 or 5.5.4).
bool refuses_parameters(const Reply& reply)
{
    return reply.code == 555 || reply.code == 501 || reply.code == 504 || reply.enhanced == "5.5.4";
}

std::string describe(const Reply& reply)
{
    std::string text = std::to_string(reply.code);
    if (!reply.lines.empty()) {
        text += " " + printable(reply.lines.front(), 300);
    }
    return text;
}

std::string advice_for(const std::string& mta)
{
    const std::string postfix =
        "Postfix: add 'smtpd_discard_ehlo_keywords = dsn' to main.cf (or hide DSN from "
        "untrusted clients only with smtpd_discard_ehlo_keyword_address_maps), then "
        "'postfix reload'.";
    const std::string sendmail =
        "sendmail: add 'noreceipts' to PrivacyOptions (sendmail.mc: "
        "define(`confPRIVACY_FLAGS', `authwarnings,noreceipts')), rebuild sendmail.cf and "
        "restart sendmail.";
    const std::string exim =
        "Exim: set 'dsn_advertise_hosts =' (empty) in the main configuration, or limit it to "
        "your own relay clients, then restart Exim.";
    if (mta == "postfix") {
        return postfix;
    }
    if (mta == "sendmail") {
        return sendmail;
    }
    if (mta == "exim") {
        return exim;
    }
    std::string generic = "Stop advertising DSN to untrusted clients (or refuse NOTIFY=SUCCESS "
                          "from them). ";
    if (mta == "exchange") {
        generic += "Exchange: DSN cannot be hidden per client; restrict success notifications "
                   "with a transport rule. ";
    }
    return generic + postfix + " " + sendmail + " " + exim;
}

} // namespace

std::string guess_mta(const ProbeResult& result)
{
    std::string text;
    if (result.banner) {
        text += lower(result.banner->text());
    }
    if (const StepRecord* ehlo = result.step("ehlo");
        ehlo && ehlo->reply && !ehlo->reply->lines.empty()) {
        text += " " + lower(ehlo->reply->lines.front());
    }
    if (text.find("postfix") != std::string::npos) {
        return "postfix";
    }
    if (text.find("sendmail") != std::string::npos) {
        return "sendmail";
    }
    if (text.find("exim") != std::string::npos) {
        return "exim";
    }
    if (text.find("microsoft esmtp") != std::string::npos ||
        text.find("exchange") != std::string::npos) {
        return "exchange";
    }
    return {};
}

DsnReport evaluate_dsn_test(const ProbeResult& result)
{
    DsnReport d;
    d.mta = guess_mta(result);
    d.dsn_advertised = result.has_extension("DSN");
    d.mail_with_dsn = reply_of(result, "mail-dsn");
    d.rcpt_with_notify = reply_of(result, "rcpt-dsn");
    d.mail_plain = reply_of(result, "mail-plain");
    d.rcpt_without_notify = reply_of(result, "rcpt-plain");
    if (d.rcpt_with_notify) {
        d.notify_accepted = d.rcpt_with_notify->klass() == 2;
    } else if (d.mail_with_dsn && d.mail_with_dsn->klass() == 5 &&
               refuses_parameters(*d.mail_with_dsn)) {
        d.notify_accepted = false; // DSN parameters refused already at MAIL
    }
    bool greeted = result.step("ehlo") && result.step("ehlo")->reply &&
                   (result.used_helo || result.step("ehlo")->reply->klass() == 2);
    bool plain_accepted = d.rcpt_without_notify && d.rcpt_without_notify->klass() == 2;

    if (d.dsn_advertised && d.notify_accepted == true) {
        d.verdict = DsnVerdict::backscatter_risk;
        d.completed = true;
        d.reason = "the server advertises DSN and accepted RCPT with NOTIFY=SUCCESS,FAILURE,DELAY "
                   "from an arbitrary sender: it can be made to send return receipts "
                   "(backscatter) to a forged address";
        d.advice = advice_for(d.mta);
        return d;
    }
    if (greeted && !d.dsn_advertised) {
        d.verdict = DsnVerdict::safe;
        d.completed = true;
        d.reason = std::string("the server does not advertise DSN") +
                   (result.used_helo ? " (it speaks HELO only)" : "") +
                   ": it offers no delivery notifications to ask for";
        d.advice = "No change needed.";
        return d;
    }
    if (d.dsn_advertised && d.notify_accepted == false && plain_accepted) {
        const Reply& refused = d.rcpt_with_notify ? *d.rcpt_with_notify : *d.mail_with_dsn;
        if (refused.klass() == 5) {
            d.verdict = DsnVerdict::safe;
            d.completed = true;
            d.reason = "the server advertises DSN but refuses NOTIFY (" + describe(refused) +
                       ") while it accepts the same RCPT without it";
            d.advice =
                "No change needed. (Hiding DSN altogether is cleaner: " + advice_for(d.mta) + ")";
            return d;
        }
        d.reason = "RCPT with NOTIFY was refused temporarily (" + describe(refused) +
                   ") while the plain RCPT was accepted: possibly greylisting; run again";
        d.advice = "Run the test again in a few minutes.";
        return d;
    }
    d.verdict = DsnVerdict::inconclusive;
    if (d.rcpt_without_notify && !plain_accepted) {
        d.completed = true;
        d.reason = "the recipient was refused for another cause, with and without NOTIFY: " +
                   describe(*d.rcpt_without_notify);
        d.advice = "Run again with --rcpt set to an address the server accepts (a real local "
                   "mailbox), from a source IP the server does not block.";
    } else if (d.mail_plain && d.mail_plain->klass() != 2) {
        d.reason = "MAIL FROM was refused: " + describe(*d.mail_plain);
        d.advice = "Run again with --from set to a sender the server accepts.";
    } else if (!result.error.empty()) {
        d.reason = "the test could not complete: " + printable(result.error, 300);
        d.advice = "Check that the host is reachable on the port given, then run again.";
    } else if (result.decisive) {
        d.reason = "the dialogue stopped at " + std::string(stage_name(result.stage)) + ": " +
                   describe(*result.decisive);
        d.advice = "Run again from a source IP the server accepts.";
    } else {
        d.reason = "the test did not get as far as RCPT";
        d.advice = "Run again.";
    }
    return d;
}

} // namespace smtpprobe::probe
