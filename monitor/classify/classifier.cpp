// The classifier: normalizes the input once, finds the winning rule with one RE2::Set scan,
// and assembles provider, scope, reason and advice. See classifier.hpp.
#include "monitor/classify/classifier.hpp"

#include "monitor/classify/reply_facts.hpp"
#include "monitor/classify/rule_loader.hpp"
#include "monitor/classify/rule_matcher.hpp"
#include "monitor/classify/status_fallback.hpp"

#include <atomic>
#include <fstream>
#include <sstream>

namespace smtpprobe::classify {
namespace {

// A status outside the IANA "Enumerated Status Codes" registry (RFC 3463 and its updates:
// X.7.0-X.7.30, every other subject below X.n.11): only one provider uses it (5.7.606,
// 4.7.650), so it names that provider.
bool has_provider_status(const Rule& rule)
{
    for (const StatusRange& range : rule.statuses) {
        const PackedStatus subject = (range.high / 1000) % 1000;
        const PackedStatus detail = range.high % 1000;
        if (detail > (subject == 7 ? 30U : 10U)) {
            return true;
        }
    }
    return false;
}

constexpr std::size_t k_max_rule_file = 4 << 20;

std::string read_rule_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw RuleError(path + ": cannot read the rule file");
    }
    std::string text;
    text.resize(k_max_rule_file + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > k_max_rule_file) {
        throw RuleError(path + ": rule file larger than 4 MiB");
    }
    return text;
}

std::string substitute(std::string_view templ, std::string_view capture, bool upper)
{
    std::string out(templ);
    const auto at = out.find("{1}");
    if (at == std::string::npos) {
        return out;
    }
    std::string value(capture);
    if (upper) {
        for (char& c : value) {
            c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
        }
    }
    out.replace(at, 3, value);
    return out;
}

std::atomic<const Classifier*> g_current{nullptr};

} // namespace

struct Classifier::Impl {
    explicit Impl(RuleBook book) : matcher(std::move(book)) {}
    RuleMatcher matcher;
};

Classifier::Classifier() = default;
Classifier::~Classifier() = default;
Classifier::Classifier(Classifier&&) noexcept = default;

const Classifier& Classifier::builtin()
{
    static const Classifier instance = [] {
        Classifier classifier;
        classifier.m_impl = std::make_unique<Impl>(load_embedded_rule_book());
        return classifier;
    }();
    return instance;
}

std::unique_ptr<Classifier> Classifier::with_user_rules(const std::string& path)
{
    RuleBook book = load_embedded_rule_book();
    merge_rule_books(book, parse_rule_file(read_rule_file(path), path, k_user_priority));
    std::unique_ptr<Classifier> classifier(new Classifier());
    classifier->m_impl = std::make_unique<Impl>(std::move(book));
    return classifier;
}

const Classifier& Classifier::current()
{
    const Classifier* installed = g_current.load(std::memory_order_acquire);
    return installed != nullptr ? *installed : builtin();
}

void Classifier::use_user_rules(const std::string& path)
{
    // Kept for the life of the process: results may point into its rules.
    static std::unique_ptr<Classifier> user;
    std::unique_ptr<Classifier> loaded = with_user_rules(path);
    user = std::move(loaded);
    g_current.store(user.get(), std::memory_order_release);
}

std::size_t Classifier::rule_count() const
{
    return m_impl->matcher.rule_count();
}

Result Classifier::classify(const Input& input) const
{
    thread_local std::string text;
    normalize_text(input.text, text);

    Result result;
    // The status given wins unless it is the generic X.0.0 and the text is more specific.
    std::optional<PackedStatus> status =
        input.enhanced.empty() ? std::nullopt : parse_status(input.enhanced);
    if (!status || *status % 1'000'000 == 0) {
        if (auto from_text = find_status(text); from_text && (!status || *from_text % 1'000'000)) {
            status = from_text;
        }
    }
    result.reply_code = input.reply_code ? input.reply_code : find_reply_code(text);
    if (result.reply_code) {
        strip_continuation_prefixes(text, *result.reply_code);
    }
    thread_local std::string host;
    normalize_host(input.remote_host, host);
    // receiver_for_host(host), without normalizing the host a second time where that changes
    // nothing. Its strings move into the result below.
    Receiver receiver =
        normalizes_again(host) ? receiver_for_host(host) : receiver_for_normalized_host(host);
    std::string command(input.command.substr(0, 16));
    for (char& c : command) {
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    }
    if (command.starts_with("RCPT")) {
        command = "RCPT";
    } else if (command.starts_with("MAIL")) {
        command = "MAIL";
    }

    const Match match = m_impl->matcher.match({text, result.reply_code, status, host, command,
                                               receiver.provider, input.format.substr(0, 32)});
    if (match.rule != nullptr) {
        const Rule& rule = *match.rule;
        result.reason = rule.reason;
        result.about = rule.about;
        result.meaning = rule.meaning;
        result.action = rule.action;
        result.source = rule.source;
        result.rule_id = rule.id;
        result.priority = rule.priority;
        result.provider_code = substitute(rule.provider_code, match.capture, true);
        if (result.provider_code.empty()) {
            result.provider_code = match.code_in_text;
        }
    } else {
        result.provider_code = match.code_in_text;
        const Fallback fallback = status_fallback(status, result.reply_code);
        result.reason = fallback.reason;
        result.about = fallback.about.empty() ? default_about(result.reason) : fallback.about;
        result.meaning = fallback.meaning;
        result.source = fallback.source;
        if (result.reason != "delivered" && result.reason != "undefined") {
            result.action = "No provider-specific rule matched; read the receiver's text. The "
                            "meaning comes from the generic status code only.";
        }
    }
    if (status) {
        result.status = format_status(*status);
    }

    // Provider: the host when it is a known one, else the rule's, else a hint in the text.
    const bool known_host = !receiver.provider.empty() && receiver.provider != "other";
    if (known_host) {
        result.provider = std::move(receiver.provider); // not read again
    } else if (match.rule != nullptr && !match.rule->provider.empty() &&
               (match.rule->has_text_condition() || !match.rule->provider_code.empty() ||
                has_provider_status(*match.rule) ||
                match.hinted_provider == match.rule->provider)) {
        // The provider's own words, code or status (5.7.606) name it. A rule that matched by
        // an IANA-registered status alone (5.7.26 is RFC 7372's, whoever sends it) does not
        // say who replied.
        result.provider = match.rule->provider;
    } else if (!match.hinted_provider.empty()) {
        result.provider = match.hinted_provider;
    } else {
        result.provider = "other";
    }
    // Scope: a rule naming one (a DNSBL zone) wins; then the host's; then the provider's.
    if (match.rule != nullptr && !match.rule->scope.empty() &&
        (match.rule->scope.find("{1}") == std::string::npos || !match.capture.empty())) {
        result.scope = substitute(match.rule->scope, match.capture, false);
    } else if (!receiver.scope.empty()) {
        result.scope = std::move(receiver.scope);
    } else if (result.provider != "other") {
        result.scope = result.provider;
    }
    if (input.given_up && result.rule_id == "delivery.connection-timeout") {
        // Timed out until the queue lifetime ran out (Sisimai's "expired"); still not a block.
        // A refused connection or a DNS failure stays networkerror, as Sisimai has it.
        result.reason = "expired";
        result.meaning = "The receiver did not answer in time until the MTA gave up: the "
                         "message was returned to the sender. This is not a refusal of your IP.";
    }
    result.named_ip = find_named_ip(text, result.about == "ip");
    return result;
}

Result classify_failure(Failure failure, std::string_view remote_host)
{
    Result result;
    switch (failure) {
    case Failure::unreachable:
        result.reason = "networkerror";
        result.about = "unreachable";
        result.meaning = "The receiver could not be reached (connection refused, no route, or "
                         "no usable address): nothing about your IP.";
        result.action = "Check the receiver's MX and your outbound connectivity (firewall, "
                        "port 25 blocked by your provider); it is not a block.";
        break;
    case Failure::timeout:
        result.reason = "networkerror";
        result.about = "transient";
        result.meaning = "The receiver stopped answering within the deadline.";
        result.action = "Retry later; a receiver that never answers in time needs a longer "
                        "--timeout or is overloaded.";
        break;
    case Failure::tls:
        result.reason = "failedstarttls";
        result.about = "tls";
        result.meaning = "TLS could not be established as required (handshake failed, not "
                         "offered, or the certificate did not verify).";
        result.action = "Check --tls and the receiver's certificate; with --tls auto the probe "
                        "goes on in clear text when STARTTLS is not offered.";
        break;
    case Failure::protocol:
        result.reason = "systemerror";
        result.about = "transient";
        result.meaning = "The receiver broke the SMTP dialogue (malformed reply or closed the "
                         "connection).";
        result.action = "Retry later; if it persists the receiver is faulty.";
        break;
    case Failure::no_mail:
        result.reason = "hostunknown";
        result.about = "recipient";
        result.meaning = "The domain accepts no mail (null MX or no such domain).";
        result.action = "Check the recipient domain.";
        break;
    }
    result.source = "RFC 5321 section 4.5.3.2 (timeouts), RFC 7505 (null MX)";
    Receiver receiver = receiver_for_host(remote_host);
    result.provider = receiver.provider.empty() ? "other" : receiver.provider;
    result.scope = std::move(receiver.scope);
    return result;
}

bool Result::is_success() const
{
    return reason == "delivered" || status.starts_with("2.") ||
           (reply_code && *reply_code >= 200 && *reply_code < 300);
}

} // namespace smtpprobe::classify
