// MTA recognition from the greeting, and each MTA's DSN remedy (see dsn_advice.hpp).
#include "probe/dsn_advice.hpp"

#include <algorithm>
#include <cctype>

namespace smtpprobe::probe {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool has(const std::string* extensions, std::size_t count, std::string_view keyword)
{
    for (std::size_t i = 0; i < count; ++i) {
        if (extensions[i] == keyword) {
            return true;
        }
    }
    return false;
}

} // namespace

std::string mta_from_greeting(std::string_view banner, std::string_view ehlo_first_line,
                              const std::string* extensions, std::size_t extension_count)
{
    // The banner names the software unless the admin hid it (sendmail "ESMTP Sendmail
    // 8.17.1.9/...", Postfix "ESMTP Postfix (Debian/GNU)", Exim "ESMTP Exim 4.96",
    // OpenSMTPD "ESMTP OpenSMTPD", Exchange "Microsoft ESMTP MAIL Service").
    std::string text = lower(banner) + " " + lower(ehlo_first_line);
    if (text.find("opensmtpd") != std::string::npos) {
        return "opensmtpd";
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
    // A hidden banner: keywords only one of them offers.
    if (has(extensions, extension_count, "XEXCH50") ||
        has(extensions, extension_count, "X-ANONYMOUSTLS") ||
        has(extensions, extension_count, "XRDST")) {
        return "exchange";
    }
    if (has(extensions, extension_count, "DELIVERBY")) {
        return "sendmail";
    }
    if (has(extensions, extension_count, "PIPE_CONNECT") ||
        has(extensions, extension_count, "PIPECONNECT") ||
        has(extensions, extension_count, "PRDR")) {
        return "exim";
    }
    return {};
}

std::string dsn_remedy(std::string_view mta)
{
    const std::string sendmail =
        "sendmail: in /etc/mail/sendmail.mc append `,noreceipts` to the confPRIVACY_FLAGS list "
        "(Debian's default line ends `...,nobodyreturn,authwarnings'); keep the flags already "
        "there, and note that `goaway` does not include noreceipts in sendmail 8.12 and later "
        "(8.17 included). Then rebuild sendmail.cf (`sendmailconfig`, or `make -C /etc/mail`) "
        "and restart sendmail; EHLO no longer offers DSN.";
    const std::string postfix =
        "Postfix: `postconf -e 'smtpd_discard_ehlo_keywords = silent-discard, dsn'` (or hide "
        "DSN from untrusted clients only with smtpd_discard_ehlo_keyword_address_maps), then "
        "`postfix reload`.";
    const std::string exim =
        "Exim: DSN is advertised only to the hosts in dsn_advertise_hosts (unset by default on "
        "Debian): remove that setting, or limit it to your own relay clients, then "
        "`update-exim4.conf` (Debian) and restart Exim.";
    const std::string opensmtpd =
        "OpenSMTPD: add `no-dsn` to each public `listen on` line in /etc/smtpd.conf (e.g. "
        "`listen on eth0 no-dsn`), then `rcctl restart smtpd` or `systemctl restart "
        "opensmtpd`.";
    if (mta == "sendmail") {
        return sendmail;
    }
    if (mta == "postfix") {
        return postfix;
    }
    if (mta == "exim") {
        return exim;
    }
    if (mta == "opensmtpd") {
        return opensmtpd;
    }
    std::string generic = "Stop advertising DSN to untrusted clients (or refuse NOTIFY=SUCCESS "
                          "from them). ";
    if (mta == "exchange") {
        generic += "Exchange cannot hide DSN per client: restrict delivery receipts to "
                   "internal senders with a transport rule. ";
    }
    return generic + sendmail + " " + postfix + " " + exim + " " + opensmtpd;
}

} // namespace smtpprobe::probe
