// RFC 8460 JSON → TlsReport (see tlsrpt_report.hpp).
#include "monitor/ingest/reports/tlsrpt_report.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::ingest {

namespace {

using nlohmann::json;

std::string str(const json& object, const char* key)
{
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t count(const json& object, const char* key)
{
    auto it = object.find(key);
    if (it == object.end() || !it->is_number_integer()) {
        return 0;
    }
    const std::int64_t value = it->get<std::int64_t>();
    return value < 0 ? 0 : value;
}

std::vector<std::string> strings(const json& object, const char* key)
{
    std::vector<std::string> out;
    auto it = object.find(key);
    if (it == object.end()) {
        return out;
    }
    if (it->is_string()) {
        out.push_back(it->get<std::string>());
    } else if (it->is_array()) {
        for (const json& item : *it) {
            if (item.is_string() && out.size() < 100) {
                out.push_back(item.get<std::string>());
            }
        }
    }
    return out;
}

TlsPolicy read_policy(const json& item)
{
    TlsPolicy p;
    const json empty = json::object();
    const json& policy =
        item.contains("policy") && item["policy"].is_object() ? item["policy"] : empty;
    p.policy_type = str(policy, "policy-type");
    p.policy_domain = str(policy, "policy-domain");
    p.policy_strings = strings(policy, "policy-string");
    p.mx_hosts = strings(policy, "mx-host");
    const json& summary =
        item.contains("summary") && item["summary"].is_object() ? item["summary"] : empty;
    p.successful = count(summary, "total-successful-session-count");
    p.failed = count(summary, "total-failure-session-count");
    auto details = item.find("failure-details");
    if (details != item.end() && details->is_array()) {
        for (const json& d : *details) {
            if (!d.is_object()) {
                continue;
            }
            if (p.failures.size() >= k_max_tlsrpt_failures) {
                ++p.skipped_failures;
                continue;
            }
            p.failures.push_back({str(d, "result-type"), str(d, "sending-mta-ip"),
                                  str(d, "receiving-mx-hostname"), str(d, "receiving-mx-helo"),
                                  str(d, "receiving-ip"), count(d, "failed-session-count"),
                                  str(d, "additional-information"), str(d, "failure-reason-code")});
        }
    }
    return p;
}

} // namespace

TlsParseResult parse_tlsrpt_report(std::string_view text)
{
    TlsParseResult result;
    if (text.size() > k_max_tlsrpt_bytes) {
        result.error = "JSON larger than 16 MiB";
        return result;
    }
    bool too_deep = false;
    // The callback sees every event with its depth: nesting past the bound stops the parse
    // before it builds anything deeper.
    json::parser_callback_t guard = [&](int depth, json::parse_event_t, json&) {
        if (depth > k_max_tlsrpt_depth) {
            too_deep = true;
            throw std::runtime_error("too deep");
        }
        return true;
    };
    json doc;
    try {
        doc = json::parse(text.begin(), text.end(), guard);
    } catch (const std::exception& e) {
        result.error = too_deep ? "JSON nested deeper than 16 levels"
                                : std::string("not valid JSON: ") + e.what();
        return result;
    }
    if (!doc.is_object()) {
        result.error = "not a TLS report (the JSON is not an object)";
        return result;
    }
    TlsReport report;
    report.organization = str(doc, "organization-name");
    report.contact_info = str(doc, "contact-info");
    report.report_id = str(doc, "report-id");
    if (auto range = doc.find("date-range"); range != doc.end() && range->is_object()) {
        report.start = str(*range, "start-datetime");
        report.end = str(*range, "end-datetime");
    }
    if (report.report_id.empty()) {
        result.error = "TLS report without \"report-id\"";
        return result;
    }
    if (report.organization.empty() && report.contact_info.empty()) {
        result.error = "TLS report without \"organization-name\" or \"contact-info\"";
        return result;
    }
    if (report.start.empty() || report.end.empty()) {
        result.error = "TLS report without a \"date-range\"";
        return result;
    }
    auto policies = doc.find("policies");
    if (policies == doc.end() || !policies->is_array()) {
        result.error = "TLS report without \"policies\"";
        return result;
    }
    for (const json& item : *policies) {
        if (!item.is_object()) {
            ++report.skipped_policies;
            continue;
        }
        if (report.policies.size() >= k_max_tlsrpt_policies) {
            ++report.skipped_policies;
            continue;
        }
        report.policies.push_back(read_policy(item));
    }
    result.report = std::move(report);
    return result;
}

} // namespace smtpprobe::ingest
