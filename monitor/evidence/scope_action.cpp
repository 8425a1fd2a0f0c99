// "What to do" per scope (see scope_action.hpp).
#include "monitor/evidence/scope_action.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/reports/snds_apply.hpp"
#include "monitor/store/state_rows.hpp"

#include <optional>

namespace smtpprobe::evidence {

namespace {

std::string dnsbl_action(const config::Config& config, const std::string& zone_name, Verdict state)
{
    for (const config::DnsblZone& zone : config.dnsbl.zones) {
        if (zone.zone == zone_name || zone.name == zone_name) {
            if (state == Verdict::blocked) {
                return zone.delist_url.empty()
                           ? "listed by " + zone.name + ": find and fix the cause, then ask " +
                                 zone.name + " for removal"
                           : "listed by " + zone.name +
                                 ": fix the cause, then request removal at " + zone.delist_url;
            }
            break;
        }
    }
    if (state == Verdict::blocked) {
        return "listed: find and fix the cause, then request removal from " + zone_name;
    }
    return state == Verdict::clear ? "none" : "wait for the next DNSBL check";
}

std::string fallback_action(const ScopeFacts& facts)
{
    if (facts.state == Verdict::clear) {
        return "none";
    }
    if (facts.state == Verdict::unknown) {
        return "wait for conclusive evidence (next probe or delivery)";
    }
    std::string provider = facts.scope.substr(0, facts.scope.find('/'));
    if (provider == "microsoft-consumer") {
        return "request delisting at https://sender.office.com/ and open a ticket at "
               "https://olcsupport.office.com/ (quote the code " +
               (facts.provider_code.empty() ? std::string("from the bounce")
                                            : facts.provider_code) +
               ")";
    }
    if (provider == "microsoft-365") {
        return "request delisting at https://sender.office.com/ (Microsoft 365 delist portal)";
    }
    if (provider == "google") {
        return "check https://postmaster.google.com/ and the sender guidelines, then wait";
    }
    if (provider == "yahoo") {
        return "check https://senders.yahooinc.com/ and open a sender support request";
    }
    return "read the receiver's reply, fix the cause, and contact the receiver's postmaster";
}

// The classifier's meaning and action for the last blocking evidence, when a rule (not the
// generic status-code fallback) recognised it; empty otherwise.
ScopeAdvice classified_advice(const std::optional<store::EvidenceReply>& reply)
{
    if (!reply || (reply->text.empty() && reply->enhanced.empty())) {
        return {};
    }
    classify::Input input;
    input.reply_code = reply->code;
    input.enhanced = reply->enhanced;
    input.text = reply->text;
    input.remote_host = reply->host;
    const classify::Result result = classify::Classifier::current().classify(input);
    if (result.rule_id.empty()) {
        return {};
    }
    return {std::string(result.meaning), std::string(result.action)};
}

} // namespace

ScopeAdvice scope_advice(const config::Config& config, const ScopeFacts& facts)
{
    if (facts.scope.rfind("dnsbl/", 0) == 0) {
        const std::string zone = facts.scope.substr(6);
        return {facts.state == Verdict::blocked ? "listed in the DNS blocklist " + zone
                : facts.state == Verdict::clear ? "not listed in " + zone
                                                : std::string(),
                dnsbl_action(config, zone, facts.state)};
    }
    if (facts.state == Verdict::blocked && facts.blocking != nullptr) {
        // An SNDS block has no SMTP reply to classify: its range's reason says why.
        if (const auto& reason = facts.blocking->snds_reason) {
            return {"Outlook.com's SNDS lists this IP as blocked (" + *reason + ")",
                    ingest::snds_block_action(*reason)};
        }
        if (ScopeAdvice advice = classified_advice(facts.blocking->reply); !advice.action.empty()) {
            return advice;
        }
    }
    return {facts.state == Verdict::blocked ? "the receiver refuses mail from this IP"
            : facts.state == Verdict::clear ? "the receiver accepts mail from this IP"
                                            : std::string(),
            fallback_action(facts)};
}

} // namespace smtpprobe::evidence
