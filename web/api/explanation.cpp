// Evidence sources and their explanation by the one classifier (see explanation.hpp).
#include "web/api/explanation.hpp"

#include "monitor/classify/classifier.hpp"

namespace smtpprobe::web {
namespace {

// One query per source kind; each returns text, status, reply code, host, time.
const char* source_sql(std::string_view kind)
{
    if (kind == "probe") {
        return "SELECT reply_text, reply_enhanced, reply_code, mx_host, started_at "
               "FROM probe_run WHERE id = ?";
    }
    if (kind == "log") {
        return "SELECT reply, dsn, NULL, relay_host, time FROM delivery WHERE id = ?";
    }
    if (kind == "bounce") {
        return "SELECT diagnostic, status, reply_code, remote_mta, time FROM bounce WHERE id = ?";
    }
    if (kind == "dnsbl") {
        return "SELECT txt, NULL, NULL, zone, time FROM dnsbl_check WHERE id = ?";
    }
    if (kind == "note") {
        return "SELECT text, NULL, NULL, NULL, time FROM note WHERE id = ?";
    }
    return nullptr;
}

} // namespace

Json evidence_source(Database& db, std::string_view kind, std::int64_t id)
{
    const char* sql = source_sql(kind);
    if (!sql) {
        return nullptr;
    }
    auto stmt = db.prepare(sql);
    stmt.bind(1, id);
    if (!stmt.step()) {
        return nullptr;
    }
    return Json{{"kind", kind},
                {"id", id},
                {"text", column_json_text(stmt, 0)},
                {"status", column_json_text(stmt, 1)},
                {"reply_code", column_json_int(stmt, 2)},
                {"host", column_json_text(stmt, 3)},
                {"time", column_json_text(stmt, 4)}};
}

Json explain_source(const Json& source)
{
    if (!source.is_object() || source.value("kind", "") == "note" ||
        source.value("kind", "") == "dnsbl") {
        return nullptr;
    }
    auto text_of = [&](const char* key) {
        const Json& value = source[key];
        return value.is_string() ? value.get<std::string>() : std::string();
    };
    std::string text = text_of("text");
    std::string status = text_of("status");
    std::string host = text_of("host");
    if (text.empty() && status.empty()) {
        return nullptr;
    }
    classify::Input input;
    if (source["reply_code"].is_number_integer()) {
        input.reply_code = source["reply_code"].get<int>();
    }
    input.enhanced = status;
    input.text = text;
    input.remote_host = host;
    auto result = classify::Classifier::current().classify(input);
    return Json{{"meaning", result.meaning}, {"action", result.action},
                {"reason", result.reason},   {"provider", result.provider},
                {"scope", result.scope},     {"provider_code", result.provider_code},
                {"status", result.status},   {"rule_id", result.rule_id},
                {"source", result.source}};
}

} // namespace smtpprobe::web
