// `smtpprobe db export|import|migrate`: moves a whole history between databases, SQLite and
// PostgreSQL (issue 20), row-identical, through the dump format of monitor/store
// (dump_format.hpp, table_copy.hpp):
//   db export [--db X] FILE|-   the history as a dump (written to FILE.partial, then renamed)
//   db import [--db X] FILE|-   a dump into a new, empty history of the same schema version
//   db migrate FROM TO          export FROM straight into import TO (no file in between)
// Exit: 0 done; 2 usage, a dump of another schema version or format, a target table that is
// not empty, FROM and TO the same; 3 unreadable or damaged (truncated) dump, unwritable file,
// or a database error. A failed import leaves the target as it was (one transaction; a
// history file the import created is removed again).
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/store/table_copy.hpp"
#include "probe/printable.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace smtpprobe::cli {

namespace {

constexpr std::size_t k_io_buffer = 1 << 20;
constexpr std::int64_t k_import_cache_kib = 32768;
constexpr std::int64_t k_import_wal_bytes = 64 * 1024 * 1024;

bool is_url(const std::string& db)
{
    return db.find("://") != std::string::npos;
}

// A database as shown to the user: a URL without its password.
std::string shown(const std::string& db)
{
    std::string out = db;
    const std::size_t scheme = out.find("://");
    const std::size_t at = out.find('@');
    if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
        const std::size_t colon = out.find(':', scheme + 3);
        if (colon != std::string::npos && colon < at) {
            out.replace(colon, at - colon, ":***");
        }
    }
    return printable(out, 300);
}

struct CloseFile {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, CloseFile>;

// The lines of a dump file (or stdin) for import_history: POSIX getline keeps any byte and
// any length; memory is one line.
class DumpFileSource {
public:
    explicit DumpFileSource(const std::string& path) : m_path(path)
    {
        if (path == "-") {
            m_file = stdin;
            return;
        }
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            throw UsageError(printable(path, 300) + ": is a folder, not a dump file");
        }
        m_owned.reset(std::fopen(path.c_str(), "rb"));
        if (!m_owned) {
            throw IncompleteError(printable(path, 300) + ": cannot read: " + std::strerror(errno));
        }
        m_file = m_owned.get();
    }
    ~DumpFileSource() { std::free(m_buffer); }
    DumpFileSource(const DumpFileSource&) = delete;
    DumpFileSource& operator=(const DumpFileSource&) = delete;

    bool operator()(std::string& line)
    {
        const ssize_t n = ::getline(&m_buffer, &m_capacity, m_file);
        if (n < 0) {
            if (std::ferror(m_file)) {
                throw IncompleteError(printable(m_path, 300) +
                                      ": cannot read: " + std::strerror(errno));
            }
            return false;
        }
        line.assign(m_buffer, static_cast<std::size_t>(n));
        return true;
    }

private:
    std::string m_path;
    File m_owned;
    std::FILE* m_file = nullptr;
    char* m_buffer = nullptr;
    std::size_t m_capacity = 0;
};

void print_summary(const Context& ctx, const char* command, const store::CopyCounts& counts,
                   const std::string& from, const std::string& to)
{
    if (ctx.global.json) {
        std::cout << nlohmann::json{{"command", command},
                                    {"schema_version", counts.schema_version},
                                    {"tables", counts.tables},
                                    {"rows", counts.rows}}
                         .dump()
                  << "\n";
    } else if (ctx.global.verbosity >= 0) {
        std::cout << "db " << command << ": " << counts.rows << " rows in " << counts.tables
                  << " tables (schema " << counts.schema_version << ") from " << from << " to "
                  << to << "\n";
    }
}

int run_export(const std::string& file, Context& ctx)
{
    const std::string db_path = monitor_db_path(ctx.global, load_effective_config(ctx.global));
    store::Database db(db_path, store::Database::Mode::read_only);
    store::HistoryDump dump(db);
    const bool to_stdout = file == "-";
    // A file is written beside itself and renamed when complete: a failed export never
    // leaves a truncated dump under the name asked for (nor replaces a good one).
    const std::string partial = file + ".partial";
    File owned;
    std::FILE* out = stdout;
    if (!to_stdout) {
        owned.reset(std::fopen(partial.c_str(), "wb"));
        if (!owned) {
            throw IncompleteError(printable(partial, 300) +
                                  ": cannot write: " + std::strerror(errno));
        }
        out = owned.get();
    }
    std::setvbuf(out, nullptr, _IOFBF, k_io_buffer);
    auto fail_write = [&] {
        const std::string why = std::strerror(errno);
        if (!to_stdout) {
            owned.reset();
            std::remove(partial.c_str());
        }
        throw IncompleteError((to_stdout ? std::string("stdout") : printable(partial, 300)) +
                              ": cannot write: " + why);
    };
    std::string line;
    try {
        while (dump.next_line(line)) {
            if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) {
                fail_write();
            }
        }
    } catch (const store::StoreError&) {
        if (!to_stdout) {
            owned.reset();
            std::remove(partial.c_str());
        }
        throw;
    }
    if (std::fflush(out) != 0) {
        fail_write();
    }
    if (!to_stdout) {
        if (std::fclose(owned.release()) != 0) {
            std::remove(partial.c_str());
            throw IncompleteError(printable(partial, 300) +
                                  ": cannot write: " + std::strerror(errno));
        }
        std::error_code ec;
        std::filesystem::rename(partial, file, ec);
        if (ec) {
            std::remove(partial.c_str());
            throw IncompleteError(printable(file, 300) + ": cannot write: " + ec.message());
        }
        print_summary(ctx, "export", dump.counts(), shown(db_path), printable(file, 300));
    }
    return k_exit_ok;
}

// Imports through next_line into the history at target; maps the store's refusals to exit
// codes and removes a history file this import created when it fails.
int import_into(const std::string& target, const store::DumpLineSource& next_line,
                const std::string& source, const char* command, const std::string& from,
                Context& ctx)
{
    std::error_code ec;
    const bool created =
        !is_url(target) && target != ":memory:" && !std::filesystem::exists(target, ec);
    store::CopyCounts counts;
    try {
        store::Database db(target);
        // As log ingestion does: a larger page cache keeps the indexes of big tables in
        // memory while one transaction writes all of them.
        db.tune_for_bulk_writes(k_import_cache_kib, k_import_wal_bytes);
        counts = store::import_history(db, next_line, source);
    } catch (...) {
        if (created) {
            for (const char* suffix : {"", "-wal", "-shm"}) {
                std::filesystem::remove(target + suffix, ec);
            }
        }
        try {
            throw;
        } catch (const store::ImportRefused& e) {
            throw UsageError(e.what());
        } catch (const store::DumpDamaged& e) {
            throw IncompleteError(e.what());
        }
    }
    print_summary(ctx, command, counts, from, shown(target));
    return k_exit_ok;
}

int run_import(const std::string& file, Context& ctx)
{
    const std::string db_path = monitor_db_path(ctx.global, load_effective_config(ctx.global));
    DumpFileSource source(file);
    const std::string name = file == "-" ? "stdin" : printable(file, 300);
    return import_into(
        db_path, [&source](std::string& line) { return source(line); }, name, "import", name, ctx);
}

int run_migrate(const std::string& from, const std::string& to, Context& ctx)
{
    if (from == to) {
        throw UsageError("db migrate: FROM and TO are the same database (" + shown(from) +
                         "); name a new, empty one as TO");
    }
    std::error_code ec;
    if (!is_url(from) && from != ":memory:" && !std::filesystem::exists(from, ec)) {
        throw UsageError("db migrate: FROM " + shown(from) + " does not exist");
    }
    if (!is_url(to)) {
        check_named_db(to, "TO");
    }
    store::Database source(from, store::Database::Mode::read_only);
    store::HistoryDump dump(source);
    return import_into(
        to, [&dump](std::string& line) { return dump.next_line(line); }, shown(from), "migrate",
        shown(from), ctx);
}

} // namespace

void add_db_command(CLI::App& app, Context& ctx)
{
    CLI::App* db = app.add_subcommand(
        "db", "move the whole history between databases (SQLite, PostgreSQL): export, import, "
              "migrate");
    db->require_subcommand(1);
    db->fallthrough();
    const char* footer = "Exit codes: 0 done; 2 usage error, a dump of another schema version,\n"
                         "            a target table that is not empty; 3 unreadable or truncated\n"
                         "            dump, or a database error (nothing is imported then).";

    auto export_file = std::make_shared<std::string>();
    CLI::App* exp = db->add_subcommand(
        "export", "write the history (--db) as a dump file (a versioned text format), or - for "
                  "stdout");
    exp->fallthrough();
    exp->add_option("file", *export_file, "FILE|-")->required();
    exp->footer(footer);
    exp->parse_complete_callback([export_file, &ctx]() {
        ctx.action = [export_file, &ctx]() { return run_export(*export_file, ctx); };
    });

    auto import_file = std::make_shared<std::string>();
    CLI::App* imp = db->add_subcommand(
        "import", "read a dump file (or - for stdin) into a new, empty history (--db) of the "
                  "same schema version");
    imp->fallthrough();
    imp->add_option("file", *import_file, "FILE|-")->required();
    imp->footer(footer);
    imp->parse_complete_callback([import_file, &ctx]() {
        ctx.action = [import_file, &ctx]() { return run_import(*import_file, ctx); };
    });

    auto ends = std::make_shared<std::vector<std::string>>();
    CLI::App* mig = db->add_subcommand(
        "migrate", "copy the history FROM one database TO a new, empty one (a path or "
                   "postgresql://...), row-identical");
    mig->fallthrough();
    mig->add_option("ends", *ends, "FROM TO")->required()->expected(2);
    mig->footer(footer);
    mig->parse_complete_callback([ends, &ctx]() {
        ctx.action = [ends, &ctx]() { return run_migrate((*ends)[0], (*ends)[1], ctx); };
    });
}

} // namespace smtpprobe::cli
