// probe_run / probe_step writer and a small reader.
#include "monitor/store/probe_store.hpp"

#include "probe/text/json_output.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::store {

namespace {

std::optional<std::string> text_or_null(const std::string& s)
{
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

} // namespace

std::int64_t store_probe_result(Database& db, const probe::ProbeResult& result,
                                const ProbeAnnotations& annotations)
{
    Transaction tx(db);
    const std::int64_t id = insert_probe_result(db, result, annotations);
    tx.commit();
    return id;
}

std::int64_t insert_probe_result(Database& db, const probe::ProbeResult& r,
                                 const ProbeAnnotations& a)
{
    auto run = db.prepare(
        "INSERT INTO probe_run (started_at, finished_at, script, target, mx_host, ip, port, "
        "source_ip, helo, banner, extensions, tls_version, tls_cipher, tls_subject, tls_issuer, "
        "tls_not_after, tls_verified, tls_verify_error, outcome, stage, reply_code, "
        "reply_enhanced, reply_text, provider, scope, reason, provider_code, verdict, detail, "
        "node) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    int i = 1;
    run.bind(i++, probe::iso8601(r.started_at));
    run.bind(i++, probe::iso8601(r.finished_at));
    run.bind(i++, r.script);
    run.bind(i++, r.target);
    run.bind(i++, text_or_null(r.mx_host));
    run.bind(i++, text_or_null(r.ip));
    run.bind(i++, static_cast<std::int64_t>(r.port));
    run.bind(i++, text_or_null(r.source_ip));
    run.bind(i++, text_or_null(r.helo));
    run.bind(i++, r.banner ? std::optional<std::string>(r.banner->text()) : std::nullopt);
    run.bind(i++, json_text(nlohmann::json(r.extensions)));
    if (r.tls) {
        run.bind(i++, r.tls->version);
        run.bind(i++, r.tls->cipher);
        run.bind(i++, r.tls->subject);
        run.bind(i++, r.tls->issuer);
        run.bind(i++, r.tls->not_after);
        run.bind(i++, r.tls->verified ? 1 : 0);
        run.bind(i++, text_or_null(r.tls->verify_error));
    } else {
        for (int k = 0; k < 7; ++k) {
            run.bind(i++, nullptr);
        }
    }
    run.bind(i++, probe::outcome_name(r.outcome));
    run.bind(i++, probe::stage_name(r.stage));
    if (r.decisive) {
        run.bind(i++, static_cast<std::int64_t>(r.decisive->code));
        run.bind(i++, text_or_null(r.decisive->enhanced));
        run.bind(i++, r.decisive->text());
    } else {
        run.bind(i++, nullptr);
        run.bind(i++, nullptr);
        run.bind(i++, text_or_null(r.error));
    }
    run.bind(i++, text_or_null(a.provider));
    run.bind(i++, text_or_null(a.scope));
    run.bind(i++, text_or_null(a.reason));
    run.bind(i++, text_or_null(a.provider_code));
    run.bind(i++, text_or_null(a.verdict));
    run.bind(i++, text_or_null(a.detail_json));
    run.bind(i++, text_or_null(a.node));
    run.run();
    std::int64_t run_id = db.last_insert_id();

    auto step = db.prepare("INSERT INTO probe_step (run_id, seq, stage, kind, command, reply_code, "
                           "reply_enhanced, reply_text, elapsed_ms) VALUES (?,?,?,?,?,?,?,?,?)");
    std::int64_t seq = 0;
    for (const auto& s : r.steps) {
        step.bind(1, run_id);
        step.bind(2, ++seq);
        step.bind(3, probe::stage_name(s.stage));
        step.bind(4, s.event || (!s.reply && s.command.empty()) ? "event" : "command");
        step.bind(5, text_or_null(s.command));
        if (s.reply) {
            step.bind(6, static_cast<std::int64_t>(s.reply->code));
            step.bind(7, text_or_null(s.reply->enhanced));
            step.bind(8, s.reply->text());
        } else {
            step.bind(6, nullptr);
            step.bind(7, nullptr);
            step.bind(8, text_or_null(s.error));
        }
        step.bind(9, s.ms);
        step.run();
    }
    if (!r.error.empty() && (r.steps.empty() || r.steps.back().error != r.error)) {
        // The outcome's reason (connect failure, TLS, timeout) as a final event.
        step.bind(1, run_id);
        step.bind(2, ++seq);
        step.bind(3, probe::stage_name(r.stage));
        step.bind(4, "event");
        step.bind(5, nullptr);
        step.bind(6, nullptr);
        step.bind(7, nullptr);
        step.bind(8, r.error);
        step.bind(9, r.transcript.empty() ? std::int64_t{0} : r.transcript.back().ms);
        step.run();
    }
    return run_id;
}

void annotate_probe_run(Database& db, std::int64_t run_id, const std::string& verdict,
                        const std::string& detail_json)
{
    db.prepare("UPDATE probe_run SET verdict = ?, detail = ? WHERE id = ?")
        .bind(1, verdict)
        .bind(2, detail_json)
        .bind(3, run_id)
        .run();
}

std::vector<StoredProbeRun> load_probe_runs(Database& db)
{
    std::vector<StoredProbeRun> out;
    auto q = db.prepare("SELECT id, target, script, outcome, stage, reply_code, verdict, "
                        "tls_verify_error, tls_verified, "
                        "(SELECT COUNT(*) FROM probe_step WHERE run_id = probe_run.id) "
                        "FROM probe_run ORDER BY id");
    while (q.step()) {
        StoredProbeRun r;
        r.id = q.column_int(0);
        r.target = q.column_text(1);
        r.script = q.column_text(2);
        r.outcome = q.column_text(3);
        r.stage = q.column_text(4);
        r.reply_code = q.column_optional_int(5);
        r.verdict = q.column_optional_text(6).value_or("");
        r.tls_verify_error = q.column_optional_text(7).value_or("");
        r.tls_verified = q.column_optional_int(8);
        r.step_count = q.column_int(9);
        out.push_back(r);
    }
    return out;
}

} // namespace smtpprobe::store
