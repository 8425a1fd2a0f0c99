// /api/probes (probe runs, newest first, paged by id) and /api/probes/{id} (one run with its
// full transcript: every step as stored, and the same as ">>> command" / "<<< reply" lines).
#include "monitor/store/probe_pages.hpp"
#include "web/api/api.hpp"
#include "web/api/explanation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <vector>

namespace smtpprobe::web {
namespace {

Json run_json(const store::ProbeRunView& r, bool full)
{
    Json run{{"id", r.id},
             {"started_at", json_or_null(r.started_at)},
             {"finished_at", json_or_null(r.finished_at)},
             {"script", json_or_null(r.script)},
             {"target", json_or_null(r.target)},
             {"mx_host", json_or_null(r.mx_host)},
             {"ip", json_or_null(r.ip)},
             {"port", json_or_null(r.port)},
             {"source_ip", json_or_null(r.source_ip)},
             {"outcome", json_or_null(r.outcome)},
             {"stage", json_or_null(r.stage)},
             {"reply_code", json_or_null(r.reply_code)},
             {"reply_enhanced", json_or_null(r.reply_enhanced)},
             {"reply_text", json_or_null(r.reply_text)},
             {"provider", json_or_null(r.provider)},
             {"scope", json_or_null(r.scope)},
             {"reason", json_or_null(r.reason)},
             {"provider_code", json_or_null(r.provider_code)},
             {"verdict", json_or_null(r.verdict)}};
    if (full) {
        run["helo"] = json_or_null(r.helo);
        run["banner"] = json_or_null(r.banner);
        run["extensions"] = json_document(r.extensions);
        run["tls"] = Json{{"version", json_or_null(r.tls_version)},
                          {"cipher", json_or_null(r.tls_cipher)},
                          {"subject", json_or_null(r.tls_subject)},
                          {"issuer", json_or_null(r.tls_issuer)},
                          {"not_after", json_or_null(r.tls_not_after)},
                          {"verified", json_or_null(r.tls_verified)},
                          {"verify_error", json_or_null(r.tls_verify_error)}};
        run["detail"] = json_document(r.detail);
    }
    return run;
}

// Whether a reply line already carries its code ("250-DSN", "550 5.7.1 ...").
bool has_code_prefix(std::string_view line)
{
    return line.size() >= 4 && std::isdigit(static_cast<unsigned char>(line[0])) &&
           std::isdigit(static_cast<unsigned char>(line[1])) &&
           std::isdigit(static_cast<unsigned char>(line[2])) && (line[3] == '-' || line[3] == ' ');
}

// Reply lines as the server sent them: "250-first", "250-...", "250 last".
void append_reply_lines(Json& lines, const Json& code, const std::string& text)
{
    std::vector<std::string_view> parts;
    std::string_view rest = text;
    while (true) {
        auto nl = rest.find('\n');
        std::string_view part = rest.substr(0, nl);
        if (!part.empty() && part.back() == '\r') {
            part.remove_suffix(1);
        }
        parts.push_back(part);
        if (nl == std::string_view::npos) {
            break;
        }
        rest = rest.substr(nl + 1);
    }
    std::string prefix = code.is_number_integer() ? std::to_string(code.get<std::int64_t>()) : "";
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::string line = "<<< ";
        if (prefix.empty() || has_code_prefix(parts[i])) {
            line += parts[i];
        } else {
            line += prefix + (i + 1 < parts.size() ? "-" : " ") + std::string(parts[i]);
        }
        lines.push_back(line);
    }
}

} // namespace

Json api_probes(Database& db, const Query& query)
{
    query.allow_only({"target", "scope", "limit", "before"});
    auto target = query.scope("target");
    auto scope = query.scope("scope");
    std::int64_t limit = query.integer("limit", 50, 1, k_max_page);
    std::int64_t before = query.integer("before", INT64_MAX, 1, INT64_MAX);
    Json runs = Json::array();
    for (const store::ProbeRunView& run :
         store::read_probe_runs(db, target, scope, before, limit)) {
        runs.push_back(run_json(run, false));
    }
    Json out{{"probes", runs}, {"next_before", nullptr}};
    if (!runs.empty()) {
        out["next_before"] = runs.back()["id"];
    }
    return out;
}

Json api_probe(Database& db, std::int64_t id)
{
    std::optional<store::ProbeRunView> stored = store::read_probe_run(db, id);
    if (!stored) {
        throw NotFound("no probe run with id " + std::to_string(id));
    }
    Json run = run_json(*stored, true);
    Json step_list = Json::array();
    Json transcript = Json::array();
    for (const store::ProbeStepView& s : store::read_probe_steps(db, id)) {
        Json step{{"seq", s.seq},
                  {"stage", s.stage},
                  {"kind", s.kind},
                  {"command", json_or_null(s.command)},
                  {"reply_code", json_or_null(s.reply_code)},
                  {"reply_enhanced", json_or_null(s.reply_enhanced)},
                  {"reply_text", json_or_null(s.reply_text)},
                  {"elapsed_ms", s.elapsed_ms}};
        if (step["kind"] == "event") {
            transcript.push_back("--- " + step["stage"].get<std::string>() +
                                 (step["reply_text"].is_string()
                                      ? ": " + step["reply_text"].get<std::string>()
                                      : std::string()));
        } else {
            if (step["command"].is_string()) {
                transcript.push_back(">>> " + step["command"].get<std::string>());
            }
            if (step["reply_text"].is_string() || step["reply_code"].is_number_integer()) {
                append_reply_lines(transcript, step["reply_code"],
                                   step["reply_text"].is_string()
                                       ? step["reply_text"].get<std::string>()
                                       : std::string());
            }
        }
        step_list.push_back(std::move(step));
    }
    run["steps"] = std::move(step_list);
    run["transcript"] = std::move(transcript);
    // What the decisive reply means and what to do: the same classifier as the evidence page.
    run["explanation"] = explain_source(evidence_source(db, "probe", id));
    return run;
}

} // namespace smtpprobe::web
