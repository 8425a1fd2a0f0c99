// /api/probes (probe runs, newest first, paged by id) and /api/probes/{id} (one run with its
// full transcript: every step as stored, and the same as ">>> command" / "<<< reply" lines).
#include "web/api/api.hpp"
#include "web/api/explanation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <vector>

namespace smtpprobe::web {
namespace {

constexpr const char* k_run_columns =
    "id, started_at, finished_at, script, target, mx_host, ip, port, source_ip, helo, banner, "
    "extensions, tls_version, tls_cipher, tls_subject, tls_issuer, tls_not_after, tls_verified, "
    "tls_verify_error, outcome, stage, reply_code, reply_enhanced, reply_text, provider, scope, "
    "reason, provider_code, verdict, detail";

Json run_json(const store::Statement& stmt, bool full)
{
    Json run{{"id", stmt.column_int(0)},
             {"started_at", column_json_text(stmt, 1)},
             {"finished_at", column_json_text(stmt, 2)},
             {"script", column_json_text(stmt, 3)},
             {"target", column_json_text(stmt, 4)},
             {"mx_host", column_json_text(stmt, 5)},
             {"ip", column_json_text(stmt, 6)},
             {"port", column_json_int(stmt, 7)},
             {"source_ip", column_json_text(stmt, 8)},
             {"outcome", column_json_text(stmt, 19)},
             {"stage", column_json_text(stmt, 20)},
             {"reply_code", column_json_int(stmt, 21)},
             {"reply_enhanced", column_json_text(stmt, 22)},
             {"reply_text", column_json_text(stmt, 23)},
             {"provider", column_json_text(stmt, 24)},
             {"scope", column_json_text(stmt, 25)},
             {"reason", column_json_text(stmt, 26)},
             {"provider_code", column_json_text(stmt, 27)},
             {"verdict", column_json_text(stmt, 28)}};
    if (full) {
        run["helo"] = column_json_text(stmt, 9);
        run["banner"] = column_json_text(stmt, 10);
        run["extensions"] = column_json_document(stmt, 11);
        run["tls"] = Json{
            {"version", column_json_text(stmt, 12)},     {"cipher", column_json_text(stmt, 13)},
            {"subject", column_json_text(stmt, 14)},     {"issuer", column_json_text(stmt, 15)},
            {"not_after", column_json_text(stmt, 16)},   {"verified", column_json_int(stmt, 17)},
            {"verify_error", column_json_text(stmt, 18)}};
        run["detail"] = column_json_document(stmt, 29);
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
    auto stmt = db.prepare(std::string("SELECT ") + k_run_columns +
                           " FROM probe_run WHERE (:target IS NULL OR target = :target) "
                           "AND (:scope IS NULL OR scope = :scope) AND id < :before "
                           "ORDER BY id DESC LIMIT :limit");
    stmt.bind(":target", target);
    stmt.bind(":scope", scope);
    stmt.bind(":before", before);
    stmt.bind(":limit", limit);
    Json runs = Json::array();
    while (stmt.step()) {
        runs.push_back(run_json(stmt, false));
    }
    Json out{{"probes", runs}, {"next_before", nullptr}};
    if (!runs.empty()) {
        out["next_before"] = runs.back()["id"];
    }
    return out;
}

Json api_probe(Database& db, std::int64_t id)
{
    auto stmt = db.prepare(std::string("SELECT ") + k_run_columns + " FROM probe_run WHERE id = ?");
    stmt.bind(1, id);
    if (!stmt.step()) {
        throw NotFound("no probe run with id " + std::to_string(id));
    }
    Json run = run_json(stmt, true);
    auto steps = db.prepare("SELECT seq, stage, kind, command, reply_code, reply_enhanced, "
                            "reply_text, elapsed_ms FROM probe_step WHERE run_id = ? ORDER BY seq");
    steps.bind(1, id);
    Json step_list = Json::array();
    Json transcript = Json::array();
    while (steps.step()) {
        Json step{{"seq", steps.column_int(0)},
                  {"stage", steps.column_text(1)},
                  {"kind", steps.column_text(2)},
                  {"command", column_json_text(steps, 3)},
                  {"reply_code", column_json_int(steps, 4)},
                  {"reply_enhanced", column_json_text(steps, 5)},
                  {"reply_text", column_json_text(steps, 6)},
                  {"elapsed_ms", steps.column_int(7)}};
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
