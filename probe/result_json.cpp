// JSON output of probe results.
#include "probe/result_json.hpp"

namespace smtpprobe::probe {

using nlohmann::json;

namespace {

// Valid UTF-8 for JSON: invalid bytes become U+FFFD, so dump() never throws on peer bytes.
std::string utf8(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80         ? 1
                        : (c >> 5) == 6  ? 2
                        : (c >> 4) == 14 ? 3
                        : (c >> 3) == 30 ? 4
                                         : 0;
        bool ok = n > 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) {
            ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
        }
        if (ok) {
            out.append(s, i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

} // namespace

json reply_json(const std::optional<Reply>& reply)
{
    if (!reply) {
        return nullptr;
    }
    return json{{"code", reply->code},
                {"enhanced", reply->enhanced.empty() ? json(nullptr) : json(reply->enhanced)},
                {"text", utf8(reply->text())}};
}

json tls_json(const std::optional<TlsFacts>& tls)
{
    if (!tls) {
        return nullptr;
    }
    return json{
        {"version", tls->version},
        {"cipher", tls->cipher},
        {"subject", utf8(tls->subject)},
        {"issuer", utf8(tls->issuer)},
        {"not_after", tls->not_after},
        {"verified", tls->verified},
        {"verify_error", tls->verify_error.empty() ? json(nullptr) : json(tls->verify_error)}};
}

json transcript_json(const std::vector<TranscriptLine>& transcript)
{
    json out = json::array();
    for (const auto& t : transcript) {
        out.push_back({{"dir", dir_name(t.dir)}, {"line", utf8(t.line)}, {"ms", t.ms}});
    }
    return out;
}

namespace {

json banner_text(const ProbeResult& r)
{
    return r.banner ? json(utf8(r.banner->text())) : json(nullptr);
}

json optional_text(const std::string& s)
{
    return s.empty() ? json(nullptr) : json(utf8(s));
}

} // namespace

json result_json(const ProbeResult& r)
{
    json attempts = json::array();
    for (const auto& a : r.attempts) {
        attempts.push_back(
            {{"host", a.host}, {"ip", a.ip}, {"port", a.port}, {"result", utf8(a.result)}});
    }
    json steps = json::array();
    for (const auto& s : r.steps) {
        steps.push_back({{"stage", stage_name(s.stage)},
                         {"label", s.label},
                         {"kind", s.event ? "event" : "command"},
                         {"command", optional_text(s.command)},
                         {"reply", reply_json(s.reply)},
                         {"error", optional_text(s.error)},
                         {"ms", s.ms}});
    }
    return json{{"target", r.target},
                {"script", r.script},
                {"route", r.route},
                {"mx_host", optional_text(r.mx_host)},
                {"ip", optional_text(r.ip)},
                {"port", r.port},
                {"source_ip", optional_text(r.source_ip)},
                {"helo", r.helo},
                {"banner", banner_text(r)},
                {"extensions", r.extensions},
                {"pipelined", r.pipelined},
                {"tls", tls_json(r.tls)},
                {"outcome", outcome_name(r.outcome)},
                {"stage", stage_name(r.stage)},
                {"decisive", reply_json(r.decisive)},
                {"error", optional_text(r.error)},
                {"attempts", attempts},
                {"steps", steps},
                {"transcript", transcript_json(r.transcript)},
                {"started_at", iso8601(r.started_at)},
                {"finished_at", iso8601(r.finished_at)}};
}

json dsn_json(const ProbeResult& r, const DsnReport& d)
{
    return json{{"target", r.target},
                {"host", optional_text(r.mx_host)},
                {"ip", optional_text(r.ip)},
                {"port", r.port},
                {"banner", banner_text(r)},
                {"extensions", r.extensions},
                {"tls", tls_json(r.tls)},
                {"dsn_advertised", d.dsn_advertised},
                {"notify_accepted", d.notify_accepted ? json(*d.notify_accepted) : json(nullptr)},
                {"rcpt_with_notify", reply_json(d.rcpt_with_notify)},
                {"rcpt_without_notify", reply_json(d.rcpt_without_notify)},
                {"verdict", dsn_verdict_name(d.verdict)},
                {"decisive_step_reached", d.completed},
                {"stopped_at", optional_text(d.stage)},
                {"change", optional_text(d.change)},
                {"reason", utf8(d.reason)},
                {"mta", optional_text(d.mta)},
                {"advice", d.advice},
                {"outcome", outcome_name(r.outcome)},
                {"stage", stage_name(r.stage)},
                {"error", optional_text(r.error)},
                {"transcript", transcript_json(r.transcript)}};
}

} // namespace smtpprobe::probe
