// A history written by real code paths, with hostile values (see filled_history.hpp).
#include "tests/support/filled_history.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/log_ingester.hpp"
#include "monitor/ingest/reports/snds_feed.hpp"
#include "monitor/store/history_rows.hpp"
#include "monitor/store/probe_store.hpp"
#include "monitor/store/snds_store.hpp"
#include "probe/probe_result.hpp"
#include "tests/support/child_process.hpp"

#include <chrono>
#include <limits>

namespace smtpprobe::test {

std::vector<std::string> hostile_texts()
{
    std::string long_text;
    while (long_text.size() < 256 * 1024) {
        long_text += "550 5.7.1 long \xe2\x80\x94 reply \\ text\t";
    }
    return {
        "plain ASCII",
        "invalid UTF-8 \xff\xfe \xc3 \xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80 end\x80",
        "quotes ' \" ` '' \"\" ;-- DROP TABLE note;",
        "new\nline\r\ncarriage\rreturn\ttab",
        "back\\slash \\n \\x41 \\\\ trailing\\",
        "escape \x1b[31mred\x1b[0m bell\x07 del\x7f C1 \xc2\x9b"
        "2J",
        "non-ASCII caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 \xe2\x80\xae"
        "rtl",
        "",
        long_text,
    };
}

std::vector<double> awkward_reals()
{
    return {0.1, 1e-300, std::numeric_limits<double>::denorm_min(), 1.0 / 3, 1e300, 2.5};
}

namespace {

void ingest_logs(store::Database& db, const std::string& scratch_dir)
{
    // A generated sendmail log: one delivery per hostile text, its reply carrying the text
    // (one line: a newline would end the log line).
    std::string log;
    int n = 0;
    for (std::string text : hostile_texts()) {
        for (char& c : text) {
            if (c == '\n' || c == '\r') {
                c = ' ';
            }
        }
        text = text.substr(0, 2000);
        const std::string qid = "x2BKIL2H00" + std::to_string(5900 + n);
        const std::string stamp = "Mar 12 10:0" + std::to_string(n % 10) + ":00";
        log += stamp + " mail sm-mta[1]: " + qid +
               ": from=<s@example.com>, size=" + std::to_string(1000 + n) +
               ", class=0, nrcpts=1, msgid=<" + qid + "@example.com>, proto=ESMTP\n";
        log += stamp + " mail sm-mta[2]: " + qid + ": to=<r" + std::to_string(n) +
               "@example.net>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, "
               "relay=mta7.am0.yahoodns.net. [67.195.204.72], dsn=5.7.1, stat=Service "
               "unavailable " +
               text + "\n";
        ++n;
    }
    const std::string path = scratch_dir + "/hostile.log";
    write_file(path, log);
    ingest::IngestOptions options;
    options.timezone = "UTC";
    options.year = 2026;
    ingest::LogIngester ingester(&db, classify::Classifier::builtin(), options);
    ingester.ingest(SMTPPROBE_CORPUS_DIR "/maillog/seed-sendmail.log");
    ingester.ingest(path);
    ingester.finish();
}

probe::Reply reply(int code, const std::string& enhanced, const std::string& text)
{
    probe::Reply r;
    r.code = code;
    r.enhanced = enhanced;
    r.lines = {text, "second line " + text.substr(0, 100)};
    return r;
}

void store_probes(store::Database& db)
{
    int n = 0;
    const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'773'260'303));
    for (const std::string& text : hostile_texts()) {
        probe::ProbeResult r;
        r.target = "mx" + std::to_string(n) + ".example.net";
        r.script = "dsn-test";
        r.route = "mx";
        r.mx_host = r.target;
        r.ip = "192.0.2." + std::to_string(10 + n);
        r.source_ip = "203.0.113.5";
        r.helo = "mail.example.com";
        r.banner = reply(220, "", "ESMTP " + text);
        r.extensions = {"PIPELINING", "DSN", "8BITMIME"};
        r.outcome = n % 2 == 0 ? probe::Outcome::rejected : probe::Outcome::completed;
        r.stage = probe::Stage::rcpt;
        r.decisive = reply(550, "5.7.1", text);
        r.error = n % 3 == 0 ? "" : text.substr(0, 300);
        probe::StepRecord banner;
        banner.stage = probe::Stage::banner;
        banner.label = "banner";
        banner.reply = r.banner;
        banner.ms = 12;
        probe::StepRecord rcpt;
        rcpt.stage = probe::Stage::rcpt;
        rcpt.label = "rcpt-dsn";
        rcpt.command = "RCPT TO:<" + text.substr(0, 50) + "> NOTIFY=SUCCESS";
        rcpt.reply = r.decisive;
        rcpt.ms = 140 + n;
        probe::StepRecord event;
        event.stage = probe::Stage::session;
        event.label = "timeout";
        event.event = true;
        event.error = text.substr(0, 80);
        event.ms = 30'000;
        r.steps = {banner, rcpt, event};
        r.started_at = t0 + std::chrono::minutes(n);
        r.finished_at = r.started_at + std::chrono::milliseconds(1500);
        store::ProbeAnnotations a;
        a.provider = "yahoo";
        a.scope = "yahoo";
        a.reason = "blocked";
        a.provider_code = n % 2 == 0 ? "" : "TSS04";
        a.verdict = "backscatter-risk";
        a.detail_json = n % 2 == 0 ? "" : R"({"note":"x"})";
        store::store_probe_result(db, r, a);
        ++n;
    }
}

void store_notes_and_snds(store::Database& db)
{
    for (const std::string& text : hostile_texts()) {
        if (!text.empty()) {
            store::insert_note(db, "2026-03-12T11:00:00Z", "203.0.113.5", "yahoo", text);
        }
    }
    const std::vector<std::string> texts = hostile_texts();
    const std::int64_t fetch = store::add_snds_fetch(db, "2026-03-12T12:00:00Z", "file", "snds.csv",
                                                     "ok", "sha256:00", 7, 0);
    int n = 0;
    const std::vector<double> awkward = awkward_reals();
    std::vector<std::optional<double>> reals(awkward.begin(), awkward.end());
    reals.push_back(std::nullopt);
    for (const std::optional<double>& value : reals) {
        ingest::SndsDataRow row;
        row.ip = "203.0.113." + std::to_string(5 + n);
        row.start = "2026-03-1" + std::to_string(n) + "T00:00:00Z";
        row.end = "2026-03-1" + std::to_string(n) + "T23:59:59Z";
        row.rcpt_commands = 100 + n;
        row.data_commands = 99;
        row.recipients = 120;
        row.filter = "GREEN";
        row.complaint_rate = "< 0.1%";
        row.complaint_percent = value;
        row.sample_helo = texts[static_cast<std::size_t>(n) % texts.size()].substr(0, 500);
        store::add_snds_data(db, fetch, row);
        ++n;
    }
}

} // namespace

void fill_history(store::Database& db, const std::string& scratch_dir)
{
    ingest_logs(db, scratch_dir);
    store_probes(db);
    store_notes_and_snds(db);
}

} // namespace smtpprobe::test
