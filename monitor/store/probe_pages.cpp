// The web's probe SQL (see probe_pages.hpp).
#include "monitor/store/probe_pages.hpp"

namespace smtpprobe::store {

namespace {

constexpr const char* k_run_columns =
    "SELECT id, started_at, finished_at, script, target, mx_host, ip, port, source_ip, helo, "
    "banner, extensions, tls_version, tls_cipher, tls_subject, tls_issuer, tls_not_after, "
    "tls_verified, tls_verify_error, outcome, stage, reply_code, reply_enhanced, reply_text, "
    "provider, scope, reason, provider_code, verdict, detail FROM probe_run ";

ProbeRunView run_row(const Statement& st)
{
    auto text = [&st](int column) { return st.column_optional_text(column); };
    auto number = [&st](int column) { return st.column_optional_int(column); };
    ProbeRunView run;
    run.id = st.column_int(0);
    run.started_at = text(1);
    run.finished_at = text(2);
    run.script = text(3);
    run.target = text(4);
    run.mx_host = text(5);
    run.ip = text(6);
    run.port = number(7);
    run.source_ip = text(8);
    run.helo = text(9);
    run.banner = text(10);
    run.extensions = text(11);
    run.tls_version = text(12);
    run.tls_cipher = text(13);
    run.tls_subject = text(14);
    run.tls_issuer = text(15);
    run.tls_not_after = text(16);
    run.tls_verified = number(17);
    run.tls_verify_error = text(18);
    run.outcome = text(19);
    run.stage = text(20);
    run.reply_code = number(21);
    run.reply_enhanced = text(22);
    run.reply_text = text(23);
    run.provider = text(24);
    run.scope = text(25);
    run.reason = text(26);
    run.provider_code = text(27);
    run.verdict = text(28);
    run.detail = text(29);
    return run;
}

} // namespace

std::vector<ProbeRunView> read_probe_runs(Database& db, const std::optional<std::string>& target,
                                          const std::optional<std::string>& scope,
                                          std::int64_t before, std::int64_t limit)
{
    Statement st(db, std::string(k_run_columns) +
                         "WHERE (:target IS NULL OR target = :target) "
                         "AND (:scope IS NULL OR scope = :scope) AND id < :before "
                         "ORDER BY id DESC LIMIT :limit");
    st.bind(":target", target);
    st.bind(":scope", scope);
    st.bind(":before", before);
    st.bind(":limit", limit);
    std::vector<ProbeRunView> runs;
    while (st.step()) {
        runs.push_back(run_row(st));
    }
    return runs;
}

std::optional<ProbeRunView> read_probe_run(Database& db, std::int64_t id)
{
    Statement st(db, std::string(k_run_columns) + "WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) {
        return std::nullopt;
    }
    return run_row(st);
}

std::vector<ProbeStepView> read_probe_steps(Database& db, std::int64_t run_id)
{
    Statement st(db, "SELECT seq, stage, kind, command, reply_code, reply_enhanced, "
                     "reply_text, elapsed_ms FROM probe_step WHERE run_id = ? ORDER BY seq");
    st.bind(1, run_id);
    std::vector<ProbeStepView> steps;
    while (st.step()) {
        steps.push_back({st.column_int(0), st.column_text(1), st.column_text(2),
                         st.column_optional_text(3), st.column_optional_int(4),
                         st.column_optional_text(5), st.column_optional_text(6), st.column_int(7)});
    }
    return steps;
}

std::vector<LastProbeSuccess> read_last_probe_successes(Database& db)
{
    Statement st(db, "SELECT target, max(coalesce(finished_at, started_at)) "
                     "FROM probe_run WHERE outcome = 'completed' "
                     "GROUP BY target ORDER BY target");
    std::vector<LastProbeSuccess> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1)});
    }
    return out;
}

} // namespace smtpprobe::store
