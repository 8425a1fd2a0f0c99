// `smtpprobe ingest snds FILE...|-`: reads saved SNDS feeds (the IP status CSV, the data CSV,
// or both in one file) and applies them like `run` applies what it fetches
// (monitor/ingest/reports/snds_apply.hpp): status ranges become evidence for our IPs in the
// Outlook.com scope (evidence time: the file's modification time), data rows are stored as
// reputation signals, changes are findings. A file read before (same content) is skipped.
// With --json: one JSON line per range or data row, one per malformed row, and a last
// {"summary": {...}} line (web/API.md, "Ingest JSON lines").
// Exit: 0 done; 1 a status range blocks one of our IPs; 2 usage; 3 unreadable file or store.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/ingest/reports/snds_apply.hpp"
#include "monitor/ingest/reports/snds_feed.hpp"
#include "monitor/store/dmarc_store.hpp"
#include "monitor/store/snds_store.hpp"
#include "probe/printable.hpp"
#include "probe/text/utc_time.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sys/stat.h>

namespace smtpprobe::cli {

namespace {

using nlohmann::json;

struct SndsArgs {
    std::vector<std::string> paths;
    bool dry_run = false;
};

json text(const std::string& s)
{
    return json(printable(s, 1000));
}

json optional_number(const std::optional<double>& v)
{
    return v ? json(*v) : json(nullptr);
}

std::string read_file_bounded(const std::string& path, std::string& when)
{
    std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        throw IncompleteError(path + ": cannot read");
    }
    std::string out;
    char buffer[1 << 16];
    std::size_t n = 0;
    while (out.size() <= ingest::k_max_snds_bytes &&
           (n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
        out.append(buffer, n);
    }
    struct stat st {};
    if (file != stdin && ::fstat(fileno(file), &st) == 0) {
        when = format_utc(static_cast<std::int64_t>(st.st_mtime));
    }
    if (file != stdin) {
        std::fclose(file);
    }
    return out;
}

std::string digest(const std::string& content)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(content.data(), content.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out = "sha256:";
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

int run_ingest_snds(const SndsArgs& args, Context& ctx)
{
    const config::Config config = load_effective_config(ctx.global);
    std::unique_ptr<store::Database> db;
    if (!args.dry_run) {
        db = std::make_unique<store::Database>(monitor_db_path(ctx.global, config));
    }
    const bool as_json = ctx.global.json;
    std::uint64_t read = 0, fresh = 0, skipped = 0, malformed = 0, status_rows = 0, data_rows = 0,
                  evidence = 0, findings = 0;
    std::vector<std::string> blocked;
    auto emit = [&](const json& line) {
        if (as_json) {
            std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        }
    };
    for (const std::string& path : args.paths) {
        std::string when = format_utc(std::time(nullptr));
        const std::string content = read_file_bounded(path, when);
        ++read;
        const ingest::SndsFeed feed = ingest::parse_snds_feed(content);
        for (const ingest::SndsStatusRow& r : feed.status) {
            emit({{"file", text(path)},
                  {"first_ip", r.first_ip},
                  {"last_ip", r.last_ip},
                  {"blocked", r.blocked},
                  {"reason", text(r.reason)}});
        }
        for (const ingest::SndsDataRow& r : feed.data) {
            emit({{"file", text(path)},
                  {"ip", r.ip},
                  {"start", r.start},
                  {"end", r.end},
                  {"rcpt_commands", r.rcpt_commands},
                  {"data_commands", r.data_commands},
                  {"recipients", r.recipients},
                  {"filter", r.filter},
                  {"complaint_rate", text(r.complaint_rate)},
                  {"complaint_percent", optional_number(r.complaint_percent)},
                  {"trap_start", r.trap_start},
                  {"trap_end", r.trap_end},
                  {"trap_hits", r.trap_hits},
                  {"sample_helo", text(r.sample_helo)},
                  {"sample_mail_from", text(r.sample_mail_from)},
                  {"comments", text(r.comments)}});
        }
        for (const ingest::SndsMalformedRow& m : feed.malformed) {
            emit({{"file", text(path)}, {"line", m.line}, {"malformed", text(m.why)}});
        }
        malformed += feed.malformed.size();
        status_rows += feed.status.size();
        data_rows += feed.data.size();
        if (!db) {
            ++fresh;
            continue;
        }
        const std::string id = digest(content);
        if (store::snds_file_seen(*db, id)) {
            ++skipped;
            continue;
        }
        store::Transaction tx(*db);
        const std::int64_t fetch =
            store::add_snds_fetch(*db, when, "file", path == "-" ? "stdin" : path, "ok", id,
                                  static_cast<std::int64_t>(feed.status.size() + feed.data.size()),
                                  static_cast<std::int64_t>(feed.malformed.size()));
        const ingest::SndsApplied applied =
            ingest::apply_snds(*db, config, feed, fetch, when, !feed.status.empty());
        tx.commit();
        ++fresh;
        evidence += applied.evidence;
        findings += applied.findings;
        blocked.insert(blocked.end(), applied.blocked_ips.begin(), applied.blocked_ips.end());
    }
    if (as_json) {
        std::cout << json{{"summary",
                           {{"read", read},
                            {"new", fresh},
                            {"malformed", malformed},
                            {"skipped", skipped},
                            {"status_rows", status_rows},
                            {"data_rows", data_rows},
                            {"evidence", evidence},
                            {"findings", findings},
                            {"blocked_ips", blocked}}}}
                         .dump()
                  << "\n";
    } else if (ctx.global.verbosity >= 0) {
        std::cout << "ingest snds: " << read << " files read, " << fresh << " new, " << skipped
                  << " read before; " << status_rows << " status ranges, " << data_rows
                  << " data rows, " << malformed << " malformed rows (skipped); " << evidence
                  << " evidence, " << findings << " new findings\n";
        for (const std::string& ip : blocked) {
            std::cout << "  " << ip
                      << " is BLOCKED by Outlook.com (smtpprobe status says what "
                         "to do)\n";
        }
    }
    return blocked.empty() ? k_exit_ok : k_exit_finding;
}

} // namespace

void add_ingest_snds_command(CLI::App& ingest, Context& ctx)
{
    auto args = std::make_shared<SndsArgs>();
    CLI::App* cmd = ingest.add_subcommand(
        "snds", "saved Microsoft SNDS feeds (IP status or data CSV), or - for stdin; `run` "
                "fetches them itself with [snds] key");
    cmd->fallthrough();
    cmd->add_option("paths", args->paths, "FILE...|-")->required();
    cmd->add_flag("--dry-run", args->dry_run, "parse only; store nothing");
    cmd->footer("A file read before (same content) is skipped.\nExit codes: 0 done; 1 an SNDS "
                "range blocks one of your IPs;\n            2 usage error; 3 unreadable file or "
                "database error.");
    cmd->parse_complete_callback(
        [args, &ctx]() { ctx.action = [args, &ctx]() { return run_ingest_snds(*args, ctx); }; });
}

} // namespace smtpprobe::cli
