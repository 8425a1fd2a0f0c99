// Ingest run summaries and JSON lines (see delivery_summary.hpp).
#include "monitor/ingest/delivery_summary.hpp"

#include "monitor/evidence/outcome_class.hpp"
#include "monitor/ingest/log_time.hpp"
#include "probe/dsn_advice.hpp"
#include "probe/printable.hpp"

#include <sstream>

namespace smtpprobe::ingest {

namespace {

std::string status_kind(const LogRecord& record, const classify::Result& result)
{
    if (result.is_success()) {
        return "sent";
    }
    std::string_view status = record.status;
    if (status == "deferred" || status.substr(0, 8) == "Deferred" ||
        (!record.dsn.empty() && record.dsn.front() == '4')) {
        return "deferred";
    }
    if (status == "bounced" || status == "expired" || status == "undeliverable" ||
        (!record.dsn.empty() && record.dsn.front() == '5')) {
        return "bounced";
    }
    return "other";
}

// The heading and the one piece of advice of each failed class.
struct ClassText {
    std::string_view heading;
    std::string_view advice;
};

ClassText class_text(evidence::OutcomeClass outcome)
{
    switch (outcome) {
    case evidence::OutcomeClass::blocked:
        return {"Blocked: the receiver refuses our IP or domain",
                "follow each group's action (delisting, reputation); these open episodes"};
    case evidence::OutcomeClass::recipient:
        return {"Rejected for the recipient (not a block of our IP)",
                "fix the address list; our reputation is not in question"};
    case evidence::OutcomeClass::content:
        return {"Rejected for the content (not a block of our IP)",
                "check what the messages carried; our IP's reputation is not in question"};
    case evidence::OutcomeClass::deferred:
        return {"Deferred by the receiver (temporary, not a block)",
                "nothing to do while later attempts pass; the MTA retries"};
    case evidence::OutcomeClass::unreachable:
        return {"Receiver unreachable: connection refused, timeout or DNS failure",
                "no receiver judged us; check DNS and outbound port 25 if it persists"};
    case evidence::OutcomeClass::our_tls:
        return {"TLS failure on our side (or TLS required by the peer)",
                "check the MTA's TLS client settings and CA file"};
    case evidence::OutcomeClass::our_auth:
        return {"SMTP authentication failure (smarthost or submission)",
                "check the relay credentials and mechanism"};
    case evidence::OutcomeClass::local_config:
        return {"Local configuration error", "fix our own MTA configuration, then flush the queue"};
    case evidence::OutcomeClass::unclassified:
        return {"Failed for a reason nothing explains", "read the sample replies"};
    case evidence::OutcomeClass::accepted:
        break;
    }
    return {"Accepted", ""};
}

} // namespace

void DeliverySummary::add(const DeliveryEvent& event)
{
    const LogRecord& record = event.record;
    const classify::Result& result = event.result;
    if (record.mta != Mta::unknown && m_mtas.size() < 8) {
        m_mtas.emplace(mta_name(record.mta));
    }
    evidence::OutcomeClass outcome = evidence::outcome_class(result);
    ++m_outcomes[static_cast<std::size_t>(outcome)];
    std::string kind = status_kind(record, result);
    if (kind == "sent") {
        ++m_sent;
        return;
    }
    if (kind == "deferred") {
        ++m_deferred;
    } else if (kind == "bounced") {
        ++m_bounced;
    } else {
        ++m_other;
    }
    bool block = outcome == evidence::OutcomeClass::blocked;
    if (block) {
        ++m_blocked;
    }
    std::string scope = result.scope;
    if (scope.empty()) {
        scope = record.local ? "local" : classify::receiver_for_host(record.relay_host).scope;
    }
    if (scope.empty()) {
        scope = "(no receiver)";
    }
    Key key{outcome, scope,
            result.reason.empty() ? std::string("unknown") : std::string(result.reason),
            result.provider_code};
    auto found = m_groups.find(key);
    if (found == m_groups.end()) {
        if (m_groups.size() >= k_group_limit) {
            ++m_ungrouped;
            return;
        }
        Group group;
        group.provider = result.provider;
        group.status = !result.status.empty() ? result.status : std::string(record.dsn);
        group.action = result.action;
        group.sample = printable(record.reply.empty() ? record.status : record.reply, 300);
        group.first = record.time;
        found = m_groups.emplace(std::move(key), std::move(group)).first;
    }
    Group& group = found->second;
    ++group.attempts;
    group.blocks += block ? 1 : 0;
    group.first = std::min(group.first, record.time);
    group.last = std::max(group.last, record.time);
}

std::string DeliverySummary::render_text(const IngestCounts& counts) const
{
    std::ostringstream out;
    out << "Read " << counts.lines << " lines from " << counts.files
        << (counts.files == 1 ? " file" : " files") << ": " << counts.deliveries
        << " delivery attempts (" << counts.new_deliveries << " new), " << counts.receipts
        << " backscatter receipts, " << counts.unparseable << " unparseable, " << counts.overlong
        << " over-long, " << counts.binary << " binary lines skipped\n";
    out << "Delivery attempts: " << m_sent << " sent, " << m_deferred << " deferred, " << m_bounced
        << " bounced";
    if (m_other > 0) {
        out << ", " << m_other << " other";
    }
    out << "; " << m_blocked << " refused as a block of our IP or domain\n";
    out << "Outcomes:";
    for (std::size_t i = 0; i < k_classes; ++i) {
        out << (i == 0 ? " " : ", ") << m_outcomes[i] << " "
            << evidence::name(static_cast<evidence::OutcomeClass>(i));
    }
    out << "\n";
    if (counts.receipts > 0) {
        out << "\nBackscatter: this server generated " << counts.receipts
            << " success DSN(s) (return receipts); anyone can make it mail a forged sender. "
               "Turn off success DSNs for untrusted clients:";
        if (m_mtas.empty()) {
            out << " " << probe::dsn_remedy("");
        }
        for (const std::string& mta : m_mtas) {
            out << " " << probe::dsn_remedy(mta);
        }
        out << "\n";
    }
    if (m_groups.empty()) {
        return out.str();
    }
    bool first_class = true;
    evidence::OutcomeClass current = evidence::OutcomeClass::accepted;
    for (const auto& [key, group] : m_groups) {
        const auto& [outcome, scope, reason, code] = key;
        if (first_class || outcome != current) {
            ClassText text = class_text(outcome);
            out << "\n"
                << text.heading << " [" << evidence::name(outcome) << "; "
                << m_outcomes[static_cast<std::size_t>(outcome)] << " attempts]: " << text.advice
                << "\n";
            first_class = false;
            current = outcome;
        }
        out << "\n  " << printable(scope, 200) << "  " << printable(reason, 60);
        if (!code.empty()) {
            out << "  [" << printable(code, 60) << "]";
        }
        if (!group.status.empty()) {
            out << "  " << printable(group.status, 20);
        }
        out << "\n    " << group.attempts << (group.attempts == 1 ? " attempt" : " attempts");
        if (group.blocks > 0) {
            out << " (block)";
        }
        out << ", " << format_utc(group.first);
        if (group.last != group.first) {
            out << " .. " << format_utc(group.last);
        }
        out << "\n    reply: " << group.sample << "\n";
        if (!group.action.empty()) {
            out << "    action: " << printable(group.action, 600) << "\n";
        }
    }
    if (m_ungrouped > 0) {
        out << "\n  (" << m_ungrouped << " more attempts in groups beyond the first "
            << k_group_limit << ")\n";
    }
    return out.str();
}

nlohmann::json DeliverySummary::to_json(const IngestCounts& counts) const
{
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& [key, group] : m_groups) {
        const auto& [outcome, scope, reason, code] = key;
        groups.push_back({{"outcome", std::string(evidence::name(outcome))},
                          {"scope", scope},
                          {"reason", reason},
                          {"provider_code", code},
                          {"provider", group.provider},
                          {"status", group.status},
                          {"attempts", group.attempts},
                          {"blocks", group.blocks},
                          {"first", format_utc(group.first)},
                          {"last", format_utc(group.last)},
                          {"sample_reply", group.sample},
                          {"action", group.action}});
    }
    nlohmann::json outcomes = nlohmann::json::object();
    for (std::size_t i = 0; i < k_classes; ++i) {
        outcomes[std::string(evidence::name(static_cast<evidence::OutcomeClass>(i)))] =
            m_outcomes[i];
    }
    nlohmann::json summary = {{"files", counts.files},
                              {"lines", counts.lines},
                              {"bytes", counts.bytes},
                              {"deliveries", counts.deliveries},
                              {"new_deliveries", counts.new_deliveries},
                              {"sent", m_sent},
                              {"deferred", m_deferred},
                              {"bounced", m_bounced},
                              {"other", m_other},
                              {"blocked", m_blocked},
                              {"outcomes", outcomes},
                              {"backscatter_receipts", counts.receipts},
                              {"unparseable", counts.unparseable},
                              {"overlong", counts.overlong},
                              {"binary", counts.binary},
                              {"foreign", counts.foreign},
                              {"groups", std::move(groups)}};
    return {{"summary", std::move(summary)}};
}

nlohmann::json delivery_json(const DeliveryEvent& event)
{
    const LogRecord& r = event.record;
    const classify::Result& c = event.result;
    auto text = [](std::string_view view) { return std::string(view); };
    nlohmann::json out = {{"time", format_utc(r.time)},
                          {"mta", text(mta_name(r.mta))},
                          {"host", text(r.host)},
                          {"queue_id", text(r.queue_id)},
                          {"sender", event.message ? event.message->sender : std::string()},
                          {"recipient", text(r.recipient)},
                          {"relay_host", text(r.relay_host)},
                          {"relay_ip", text(r.relay_ip)},
                          {"dsn", text(r.dsn)},
                          {"status", text(r.status)},
                          {"reply", text(r.reply)},
                          {"reply_truncated", r.reply_truncated},
                          {"outcome", text(evidence::name(evidence::outcome_class(c)))},
                          {"provider", c.provider},
                          {"scope", c.scope},
                          {"reason", c.reason},
                          {"provider_code", c.provider_code},
                          {"about", c.about},
                          {"verdict", text(event.verdict)}};
    return out;
}

} // namespace smtpprobe::ingest
