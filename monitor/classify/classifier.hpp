// The one classifier: turns an SMTP reply, a log status or a bounce diagnostic into what it
// means (provider, receiver scope, reason, what it is about, the provider's own code, the IP
// the receiver names, an explanation and an action). Used by the probe path, the log and
// bounce ingesters and the monitor: mechanism reports, this decides.
//
// Rules are data (monitor/classify/rules/, embedded; plus an optional user file that adds or
// overrides rules by id). The receiver's own words win over the generic meaning of the status
// code; RFC 3463 classes are the last fallback.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smtpprobe::classify {

// What the classifier is given. Any field may be empty/absent.
struct Input {
    std::optional<int> reply_code; // 550
    std::string_view enhanced;     // "5.7.606" (from the reply, a dsn= field or Status:)
    std::string_view text;         // reply text, stat=, Diagnostic-Code, bounce prose
    std::string_view remote_host;  // relay / MX / Remote-MTA host name
    std::string_view command;      // the SMTP command the reply answered ("RCPT", "DATA",
                                   // "MAIL", "CONNECT", ...); when empty it is read from
                                   // "(in reply to end of DATA command)" in the text
    bool given_up = false;         // the MTA gave the message up (a bounce's Action: failed, a
                                   // log's bounced/expired line): a receiver that kept
                                   // timing out then means "expired", not a mere deferral
    std::string_view format;       // the bounce's report format ("qmail", "exim"; see
                                   // ingest/bounce/report_format.hpp), "" for other sources
};

// Lifetime: the string_view fields (reason, about, meaning, action, rule_id, source) point into
// the Classifier's immutable rule set or into static tables: they stay valid as long as the
// Classifier that produced the Result (builtin() and current() live until the process ends;
// keep a with_user_rules() classifier alive while its results are used). Assign only string
// literals or such views to them; copy into std::string to keep a value beyond that.
struct Result {
    std::string provider;      // "microsoft-consumer", "microsoft-365", "google", "yahoo", ...
                               // or "other"
    std::string scope;         // receiver granularity where blocks differ:
                               // "microsoft-consumer/eur", "microsoft-365/mit-edu", "google",
                               // "yahoo", "host/mx.example.com", "dnsbl/zen.spamhaus.org"
    std::string_view reason;   // Sisimai vocabulary: blocked, badreputation, userunknown, ...
    std::string_view about;    // what the failure is about: ip | domain (the receiver refuses
                               // us) | recipient | content | transient (try later) |
                               // unreachable (refused connection, timeout, DNS) | tls | auth
                               // (our side's TLS or SMTP AUTH failed) | config (our local
                               // configuration) | none
    std::string provider_code; // "S3140", "AS(1234)", "TSS04", "" when none
    std::string status;        // enhanced status given or implied ("5.7.606"), "" if unknown
    std::optional<int> reply_code;
    std::string named_ip;     // the IP the receiver names ("messages from [1.2.3.4]")
    std::string_view meaning; // plain words
    std::string_view action;  // what to do, with the delist URL or procedure
    std::string_view rule_id; // which rule decided ("" for the RFC 3463 fallback)
    int priority = 0;         // the deciding rule's priority (0 for the fallback): its band
                              // says what kind of words decided (rules/README.md)
    std::string_view source;  // the provider page or RFC the rule comes from

    // A success (2xx / 2.x.x / delivered). Whether a failure is a block of our IP is not the
    // classifier's to say: monitor/evidence/outcome_class.hpp decides it from about/reason.
    bool is_success() const;
};

class Classifier {
public:
    // The embedded default rules.
    static const Classifier& builtin();
    // Embedded rules plus a user rule file (TOML or JSON). Throws RuleError naming the file,
    // rule and field on a bad file.
    static std::unique_ptr<Classifier> with_user_rules(const std::string& path);

    // The classifier every layer should use: builtin(), or builtin() plus the user rule file
    // installed by use_user_rules() (the CLI's --rules FILE / config key `rules`).
    static const Classifier& current();
    // Installs builtin() + `path` as current(). Call once at start-up, before any thread
    // classifies. Throws RuleError on a bad file (current() is then unchanged).
    static void use_user_rules(const std::string& path);

    // Classifies one reply. The result's string_view fields live as long as this Classifier.
    Result classify(const Input& input) const;

    std::size_t rule_count() const;

    ~Classifier();
    Classifier(Classifier&&) noexcept;

private:
    Classifier();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

class RuleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A delivery attempt that ended without a reply to classify: what the mechanism saw.
enum class Failure {
    unreachable, // no connection: refused, no route, DNS gave no usable address
    timeout,     // a stage deadline passed after the receiver answered
    tls,         // our STARTTLS failed (handshake, required and not offered, not valid)
    protocol,    // the receiver broke the protocol (malformed reply, closed mid-dialogue)
    no_mail,     // the domain accepts no mail (null MX, no such domain)
};

// The meaning of such an ending, in the same vocabulary as a reply's: unreachable ->
// about "unreachable", reason "networkerror"; timeout -> "transient"/"networkerror"; tls ->
// "tls"/"failedstarttls"; protocol -> "transient"/"systemerror"; no_mail -> "recipient"/
// "hostunknown". remote_host gives the receiver's provider and scope.
Result classify_failure(Failure failure, std::string_view remote_host);

// Provider and scope from a receiving host name alone (MX, relay, Remote-MTA).
// "eur.olc.protection.outlook.com" -> {"microsoft-consumer", "microsoft-consumer/eur"}.
struct Receiver {
    std::string provider;
    std::string scope;
};
Receiver receiver_for_host(std::string_view host);

} // namespace smtpprobe::classify
