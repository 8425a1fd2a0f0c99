// Evidence sources and their explanation by the one classifier (see explanation.hpp).
#include "web/api/explanation.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/store/evidence_pages.hpp"

namespace smtpprobe::web {
Json evidence_source(Database& db, std::string_view kind, std::int64_t id)
{
    std::optional<store::EvidenceSourceRow> row = store::read_evidence_source(db, kind, id);
    if (!row) {
        return nullptr;
    }
    return Json{{"kind", kind},
                {"id", id},
                {"text", json_or_null(row->text)},
                {"status", json_or_null(row->status)},
                {"reply_code", json_or_null(row->reply_code)},
                {"host", json_or_null(row->host)},
                {"time", json_or_null(row->time)}};
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
