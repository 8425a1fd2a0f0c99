// Watching for the DSN of `--dsn-test --send` (see dsn_closed_loop.hpp).
#include "cli/dsn_closed_loop.hpp"

#include "cli/context.hpp"
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/mbox_splitter.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

namespace smtpprobe::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_max_report_bytes = 1024 * 1024;

std::string read_bounded(const fs::path& path, std::uintmax_t from, std::size_t limit)
{
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(from));
    std::string out(limit, '\0');
    in.read(out.data(), static_cast<std::streamsize>(limit));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
}

std::vector<std::string> maildir_files(const fs::path& dir)
{
    std::vector<std::string> files;
    std::error_code ec;
    for (const char* sub : {"new", "cur"}) {
        for (fs::directory_iterator it(dir / sub, ec), end; !ec && it != end; it.increment(ec)) {
            if (it->is_regular_file(ec)) {
                files.push_back(it->path().string());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// The report about envid in content, if it is one.
std::optional<ClosedLoopResult> match(const std::string& content, const std::string& envid,
                                      std::chrono::system_clock::time_point arrived,
                                      std::chrono::system_clock::time_point sent_at)
{
    std::optional<ingest::BounceReport> report = ingest::parse_bounce(content);
    if (!report || report->original.message_id.find(envid) == std::string::npos) {
        return std::nullopt;
    }
    ClosedLoopResult out;
    out.report_found = true;
    out.kind = ingest::kind_name(report->kind);
    out.reporting_mta = report->reporting_mta;
    if (!report->recipients.empty()) {
        out.action = report->recipients.front().action;
    }
    out.delay_seconds = std::max(0.0, std::chrono::duration<double>(arrived - sent_at).count());
    return out;
}

} // namespace

ReceiptWatch::ReceiptWatch(const ClosedLoopOptions& options, const std::string& hostname)
    : m_options(options)
{
    if (!options.receive.empty()) {
        std::string host;
        int port = 0;
        if (!probe::split_listen_address(options.receive, host, port)) {
            throw UsageError("--receive: expected ADDR:PORT (e.g. 127.0.0.1:2525), not '" +
                             options.receive + "'");
        }
        m_receiver = std::make_unique<probe::ReceiptReceiver>(host, port, hostname);
        return;
    }
    fs::path path(options.mailbox);
    std::error_code ec;
    if (fs::is_directory(path / "new", ec)) {
        m_maildir_seen = maildir_files(path);
        return;
    }
    if (fs::is_regular_file(path, ec)) {
        m_mbox_start = fs::file_size(path, ec);
        return;
    }
    if (!fs::exists(path, ec)) {
        m_mbox_start = 0; // an mbox the MTA will create
        return;
    }
    throw UsageError("--mailbox: '" + options.mailbox +
                     "' is neither an mbox file nor a Maildir (no new/ directory)");
}

ReceiptWatch::~ReceiptWatch() = default;

std::optional<ClosedLoopResult> ReceiptWatch::scan(const std::string& envid,
                                                   std::chrono::system_clock::time_point sent_at)
{
    auto now = std::chrono::system_clock::now();
    if (m_receiver) {
        for (const auto& message : m_receiver->messages()) {
            if (auto found = match(message.content, envid, message.received_at, sent_at)) {
                return found;
            }
        }
        return std::nullopt;
    }
    fs::path path(m_options.mailbox);
    std::error_code ec;
    if (fs::is_directory(path / "new", ec)) {
        for (const std::string& file : maildir_files(path)) {
            if (std::binary_search(m_maildir_seen.begin(), m_maildir_seen.end(), file)) {
                continue;
            }
            if (auto found =
                    match(read_bounded(file, 0, k_max_report_bytes), envid, now, sent_at)) {
                return found;
            }
        }
        return std::nullopt;
    }
    std::uintmax_t size = fs::file_size(path, ec);
    if (ec || size <= m_mbox_start) {
        return std::nullopt;
    }
    std::optional<ClosedLoopResult> found;
    ingest::MboxSplitter splitter(k_max_report_bytes, [&](std::string& message, bool oversized) {
        if (!oversized) {
            found = match(message, envid, now, sent_at);
        }
        return !found;
    });
    splitter.feed(read_bounded(path, m_mbox_start, 16 * k_max_report_bytes));
    splitter.finish();
    return found;
}

ClosedLoopResult ReceiptWatch::wait_for(const std::string& envid,
                                        std::chrono::system_clock::time_point sent_at)
{
    auto deadline = std::chrono::steady_clock::now() + m_options.wait;
    for (;;) {
        if (auto found = scan(envid, sent_at)) {
            return *found;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return {};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

} // namespace smtpprobe::cli
