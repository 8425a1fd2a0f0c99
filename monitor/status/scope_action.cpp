// "What to do" per scope (see scope_action.hpp).
#include "monitor/status/scope_action.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/reports/snds_apply.hpp"
#include "monitor/store/snds_store.hpp"

#include <optional>

namespace smtpprobe::monitor {

namespace {

std::string dnsbl_action(const config::Config& config, const std::string& zone_name,
                         const std::string& state)
{
    for (const config::DnsblZone& zone : config.dnsbl.zones) {
        if (zone.zone == zone_name || zone.name == zone_name) {
            if (state == "blocked") {
                return zone.delist_url.empty()
                           ? "listed by " + zone.name + ": find and fix the cause, then ask " +
                                 zone.name + " for removal"
                           : "listed by " + zone.name +
                                 ": fix the cause, then request removal at " + zone.delist_url;
            }
            break;
        }
    }
    if (state == "blocked") {
        return "listed: find and fix the cause, then request removal from " + zone_name;
    }
    return state == "clear" ? "none" : "wait for the next DNSBL check";
}

std::string fallback_action(const ScopeFacts& facts)
{
    if (facts.state == "clear") {
        return "none";
    }
    if (facts.state == "unknown") {
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

// The reply behind one piece of evidence (a probe's decisive reply, a log line's status and
// reply, a bounce's diagnostic), as the classifier's input; nullopt when the row is gone.
struct EvidenceReply {
    std::optional<int> code;
    std::string enhanced;
    std::string text;
    std::string host;
};

std::optional<EvidenceReply> evidence_reply(store::Database& db, std::int64_t evidence_id)
{
    store::Statement which(db, "SELECT source_kind, source_id FROM evidence WHERE id = ?");
    which.bind(1, evidence_id);
    if (!which.step()) {
        return std::nullopt;
    }
    const std::string kind = which.column_text(0);
    const std::int64_t source = which.column_int(1);
    const char* sql = nullptr;
    if (kind == "probe") {
        sql = "SELECT reply_code, reply_enhanced, reply_text, mx_host FROM probe_run WHERE id = ?";
    } else if (kind == "log") {
        sql = "SELECT NULL, dsn, reply, relay_host FROM delivery WHERE id = ?";
    } else if (kind == "bounce") {
        sql = "SELECT reply_code, status, diagnostic, remote_mta FROM bounce WHERE id = ?";
    } else {
        return std::nullopt;
    }
    store::Statement row(db, sql);
    row.bind(1, source);
    if (!row.step()) {
        return std::nullopt;
    }
    EvidenceReply reply;
    if (auto code = row.column_optional_int(0)) {
        reply.code = static_cast<int>(*code);
    }
    reply.enhanced = row.column_text(1);
    reply.text = row.column_text(2);
    reply.host = row.column_text(3);
    return reply;
}

// The classifier's action for the last blocking evidence, when a rule (not the generic
// status-code fallback) recognised it; "" otherwise.
std::string classified_action(store::Database& db, std::int64_t evidence_id)
{
    const auto reply = evidence_reply(db, evidence_id);
    if (!reply || (reply->text.empty() && reply->enhanced.empty())) {
        return {};
    }
    classify::Input input;
    input.reply_code = reply->code;
    input.enhanced = reply->enhanced;
    input.text = reply->text;
    input.remote_host = reply->host;
    const classify::Result result = classify::Classifier::current().classify(input);
    return result.rule_id.empty() ? std::string() : std::string(result.action);
}

} // namespace

std::string scope_action(store::Database& db, const config::Config& config, const ScopeFacts& facts)
{
    if (facts.scope.rfind("dnsbl/", 0) == 0) {
        return dnsbl_action(config, facts.scope.substr(6), facts.state);
    }
    if (facts.state == "blocked" && facts.last_blocked_evidence != 0) {
        // An SNDS block has no SMTP reply to classify: its range's reason says why.
        if (auto reason = store::snds_reason_of_evidence(db, facts.last_blocked_evidence)) {
            return ingest::snds_block_action(*reason);
        }
        if (std::string action = classified_action(db, facts.last_blocked_evidence);
            !action.empty()) {
            return action;
        }
    }
    return fallback_action(facts);
}

} // namespace smtpprobe::monitor
