// DSN test verdict (see dsn_test.hpp); MTA recognition and remedies are dsn_advice's.
#include "probe/dsn_test.hpp"

#include "probe/dsn_advice.hpp"
#include "probe/printable.hpp"

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

bool sender_status(const Reply& reply)
{
    return reply.enhanced.size() >= 5 && reply.enhanced[1] == '.' &&
           (reply.enhanced.substr(1) == ".1.7" || reply.enhanced.substr(1) == ".1.8");
}

// The TLS step failed (or was required and impossible) before the EHLO that counts.
bool tls_failed(const ProbeResult& result)
{
    return result.outcome == Outcome::tls_failed;
}

void inconclusive(DsnReport& d, std::string_view stage, std::string_view change, std::string reason,
                  std::string advice)
{
    d.verdict = DsnVerdict::inconclusive;
    d.stage = stage;
    d.change = change;
    d.reason = std::move(reason);
    d.advice = std::move(advice);
}

} // namespace

std::string guess_mta(const ProbeResult& result)
{
    std::string banner = result.banner ? result.banner->text() : std::string();
    std::string ehlo;
    if (const StepRecord* step = result.step("ehlo");
        step && step->reply && !step->reply->lines.empty()) {
        ehlo = step->reply->lines.front();
    }
    return mta_from_greeting(banner, ehlo, result.extensions.data(), result.extensions.size());
}

DsnReport evaluate_dsn_test(const ProbeResult& result, const SenderRefusalTest& refuses_sender)
{
    DsnReport d;
    d.mta = guess_mta(result);
    d.dsn_advertised = result.has_extension("DSN");
    d.mail_with_dsn = reply_of(result, "mail-dsn");
    d.rcpt_with_notify = reply_of(result, "rcpt-dsn");
    d.mail_plain = reply_of(result, "mail-plain");
    d.rcpt_without_notify = reply_of(result, "rcpt-plain");
    auto is_sender_refusal = [&](const Reply& reply) {
        return reply.klass() != 2 &&
               (sender_status(reply) || (refuses_sender && refuses_sender(reply)));
    };

    // Where the session stopped before the decisive step: nothing below may say "safe".
    if (tls_failed(result)) {
        inconclusive(
            d, "tls-handshake", "--tls",
            "TLS failed (" + printable(result.error, 300) +
                "): the EHLO after STARTTLS, where the server may advertise DSN, "
                "was never read",
            "Run again with --tls auto (it accepts an unverified certificate) or --tls off "
            "to test what the server offers without TLS; fix the certificate if "
            "--tls require-valid matters to you.");
        return d;
    }
    if (result.outcome == Outcome::connect_failed || result.outcome == Outcome::dns_failed ||
        result.outcome == Outcome::no_mail) {
        inconclusive(d, stage_name(result.stage), "host",
                     "the test could not complete: " + printable(result.error, 300),
                     "Check the host and port (it must accept SMTP connections from here), "
                     "then run again.");
        return d;
    }
    if (result.outcome == Outcome::timeout) {
        inconclusive(d, stage_name(result.stage), "--timeout",
                     "the session deadline passed at " + std::string(stage_name(result.stage)) +
                         ": " + printable(result.error, 300),
                     "Run again with a longer --timeout " + std::string(stage_name(result.stage)) +
                         "=SECONDS (some servers pause on purpose).");
        return d;
    }
    const StepRecord* ehlo = result.step("ehlo");
    bool greeted = ehlo && ehlo->reply && (result.used_helo || ehlo->reply->klass() == 2);
    if (!greeted) {
        std::string why = result.decisive         ? describe(*result.decisive)
                          : !result.error.empty() ? printable(result.error, 300)
                                                  : std::string("no greeting");
        inconclusive(d, stage_name(result.stage), "host",
                     "the server refused the session before MAIL: " + why,
                     "Run again from a source IP the server accepts (--source), or against "
                     "another of its hosts.");
        return d;
    }

    // The sender refused (at MAIL, or at RCPT when the server delays its refusals): NOTIFY was
    // never tested.
    const Reply* sender_refusal = nullptr;
    for (const auto* reply :
         {&d.mail_with_dsn, &d.mail_plain, &d.rcpt_with_notify, &d.rcpt_without_notify}) {
        if (*reply && is_sender_refusal(**reply) && !refuses_parameters(**reply)) {
            sender_refusal = &**reply;
            break;
        }
    }
    if (d.rcpt_with_notify && !sender_refusal) {
        d.notify_accepted = d.rcpt_with_notify->klass() == 2;
    } else if (d.mail_with_dsn && d.mail_with_dsn->klass() == 5 &&
               refuses_parameters(*d.mail_with_dsn)) {
        d.notify_accepted = false; // DSN parameters refused already at MAIL
    }
    bool plain_accepted = d.rcpt_without_notify && d.rcpt_without_notify->klass() == 2;

    if (d.dsn_advertised && d.notify_accepted == true) {
        d.verdict = DsnVerdict::backscatter_risk;
        d.completed = true;
        d.reason = "the server advertises DSN and accepted RCPT with NOTIFY=SUCCESS,FAILURE,DELAY "
                   "from an arbitrary sender: it can be made to send return receipts "
                   "(backscatter) to a forged address";
        d.advice = dsn_remedy(d.mta);
        return d;
    }
    if (!d.dsn_advertised && !result.tls && result.has_extension("STARTTLS")) {
        inconclusive(d, "ehlo", "--tls",
                     "the server offers STARTTLS but the test did not use it, and DSN may be "
                     "advertised only after STARTTLS",
                     "Run again with --tls auto (the default).");
        return d;
    }
    if (!d.dsn_advertised) {
        d.verdict = DsnVerdict::safe;
        d.completed = true;
        d.reason = std::string("the server does not advertise DSN") +
                   (result.used_helo ? " (it speaks HELO only)" : "") +
                   (result.tls ? " (after STARTTLS)" : "") +
                   ": it offers no delivery notifications to ask for";
        d.advice = "No change needed.";
        return d;
    }
    if (sender_refusal != nullptr) {
        inconclusive(d, "mail", "--from",
                     "the sender was refused (" + describe(*sender_refusal) +
                         "), so NOTIFY was never tested",
                     "Run again with --from set to a sender the server accepts (an address "
                     "of a domain that resolves, ideally your own).");
        return d;
    }
    if (d.notify_accepted == false && plain_accepted) {
        const Reply& refused = d.rcpt_with_notify ? *d.rcpt_with_notify : *d.mail_with_dsn;
        if (refused.klass() == 5) {
            d.verdict = DsnVerdict::safe;
            d.completed = true;
            d.reason = "the server advertises DSN but refuses NOTIFY (" + describe(refused) +
                       ") while it accepts the same RCPT without it";
            d.advice =
                "No change needed. (Hiding DSN altogether is cleaner: " + dsn_remedy(d.mta) + ")";
            return d;
        }
        inconclusive(d, "rcpt", "retry",
                     "RCPT with NOTIFY was refused temporarily (" + describe(refused) +
                         ") while the plain RCPT was accepted: possibly greylisting",
                     "Run the test again in a few minutes.");
        return d;
    }
    if (d.rcpt_without_notify && !plain_accepted) {
        d.notify_accepted.reset(); // refused with and without: NOTIFY itself was not judged
        inconclusive(d, "rcpt", "--rcpt",
                     "the recipient was refused for another cause, with and without NOTIFY: " +
                         describe(*d.rcpt_without_notify),
                     "Run again with --rcpt set to an address the server accepts (a real "
                     "local mailbox).");
        return d;
    }
    if (d.mail_plain && d.mail_plain->klass() != 2) {
        inconclusive(d, "mail", "--from", "MAIL FROM was refused: " + describe(*d.mail_plain),
                     "Run again with --from set to a sender the server accepts.");
        return d;
    }
    if (!result.error.empty()) {
        inconclusive(d, stage_name(result.stage), "host",
                     "the test could not complete: " + printable(result.error, 300),
                     "Check that the host is reachable on the port given, then run again.");
        return d;
    }
    inconclusive(d, stage_name(result.stage), "retry", "the test did not get as far as RCPT",
                 "Run again.");
    return d;
}

} // namespace smtpprobe::probe
